"""The reference config trained by a plain PyTorch implementation of DepthLab's architecture.

  python bench/pytorchReference.py [steps]     # needs torch; run by hand, not by CI (README: Trains like the reference)
  python bench/pytorchReference.py --speed [steps] [threads]
                                              # training tokens/s at LayerDrop 0.2 on one thread and on
                                              # `threads` (npm run bench: the peer of DepthLab's numbers)

Same data (the bundled Moby Dick, last 10% held out), the same pre-LN Transformer (learned positions,
fused q/k/v, tanh-GELU feed-forward, final LayerNorm, a head with bias), the same optimiser (AdamW
0.9/0.98, weight decay 0.01 but not on biases and norms, clip 1.0, linear warmup then cosine to
lr/10), the same validation windows (8 batches of 32 consecutive 64-character windows). Trained at
LayerDrop 0 and 0.5 and evaluated with all 6 layers and with every other layer (0, 3, 5). Prints
one JSON line. One thread, seed 1: its own random stream, so compare losses, not samples.
"""
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
torch.manual_seed(1)
torch.set_num_threads(1)
LAYERS, D, HEADS, FFN, T, BATCH, LR, WARMUP = 6, 128, 4, 512, 64, 32, 2e-3, 30
SPEED = sys.argv[1:2] == ["--speed"]
NUMBERS = [int(a) for a in sys.argv[1 + SPEED :]]
STEPS = NUMBERS[0] if NUMBERS else (30 if SPEED else 500)

text = open(os.path.join(ROOT, "dist", "data", "moby-dick.txt"), encoding="utf-8").read()
cut = int(len(text) * 0.9)
train_text, valid_text = text[:cut], text[cut:]
vocab = sorted(set(train_text))
index = {c: i for i, c in enumerate(vocab)}
train = torch.tensor([index[c] for c in train_text])
valid = torch.tensor([index.get(c, 0) for c in valid_text])


class Layer(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1, self.ln2 = torch.nn.LayerNorm(D), torch.nn.LayerNorm(D)
        self.qkv, self.out = torch.nn.Linear(D, 3 * D), torch.nn.Linear(D, D)
        self.fc1, self.fc2 = torch.nn.Linear(D, FFN), torch.nn.Linear(FFN, D)

    def forward(self, x):
        b, t, _ = x.shape
        q, k, v = self.qkv(self.ln1(x)).view(b, t, 3, HEADS, D // HEADS).permute(2, 0, 3, 1, 4)
        attended = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(b, t, D)
        x = x + self.out(attended)
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x)), approximate="tanh"))


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.tokens, self.positions = torch.nn.Embedding(len(vocab), D), torch.nn.Embedding(T, D)
        self.layers = torch.nn.ModuleList(Layer() for _ in range(LAYERS))
        self.final, self.head = torch.nn.LayerNorm(D), torch.nn.Linear(D, len(vocab))
        for p in self.parameters():
            if p.dim() > 1:
                torch.nn.init.normal_(p, 0, 0.02)

    def forward(self, ids, layers):
        x = self.tokens(ids) + self.positions(torch.arange(ids.shape[1]))
        for l in layers:
            x = self.layers[l](x)
        return self.head(self.final(x))


def learning_rate(step):
    if step <= WARMUP:
        return LR * step / WARMUP
    progress = min(1.0, (step - WARMUP) / (STEPS - WARMUP))
    return LR / 10 + (LR - LR / 10) * 0.5 * (1 + math.cos(math.pi * progress))


def validation_loss(model, layers):
    offsets = torch.arange(0, BATCH * 8 * T, T)
    with torch.no_grad():
        losses = []
        for i in range(0, len(offsets), BATCH):
            rows = offsets[i : i + BATCH]
            x = torch.stack([valid[o : o + T] for o in rows])
            y = torch.stack([valid[o + 1 : o + T + 1] for o in rows])
            losses.append(F.cross_entropy(model(x, layers).reshape(-1, len(vocab)), y.reshape(-1)).item())
    return sum(losses) / len(losses)


def train_step(model, optimizer, rate):
    """One step on a random batch, each layer dropped with probability `rate`, gradients clipped to 1."""
    starts = torch.randint(0, len(train) - T - 1, (BATCH,))
    x = torch.stack([train[s : s + T] for s in starts])
    y = torch.stack([train[s + 1 : s + T + 1] for s in starts])
    active = [l for l in range(LAYERS) if torch.rand(()).item() >= rate]
    loss = F.cross_entropy(model(x, active).reshape(-1, len(vocab)), y.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()


def run(rate):
    model = Model()
    decay = [p for n, p in model.named_parameters() if p.dim() > 1 and "ln" not in n and "final" not in n]
    rest = [p for n, p in model.named_parameters() if not (p.dim() > 1 and "ln" not in n and "final" not in n)]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": rest, "weight_decay": 0.0}], lr=LR, betas=(0.9, 0.98))
    for step in range(1, STEPS + 1):
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step)
        train_step(model, optimizer, rate)
    model.eval()
    return {"full": round(validation_loss(model, range(LAYERS)), 4), "everyOther3": round(validation_loss(model, [0, 3, 5]), 4)}


def training_speed(threads, rate=0.2):
    """Tokens a second over STEPS steps after two of warm-up, the same steps DepthLab's bench times."""
    torch.set_num_threads(threads)
    model = Model()
    optimizer = torch.optim.AdamW(model.parameters(), lr=LR, betas=(0.9, 0.98), weight_decay=0.01)
    started = None
    for step in range(STEPS + 2):
        if step == 2:
            started = time.perf_counter()
        train_step(model, optimizer, rate)
    return round(STEPS * BATCH * T / (time.perf_counter() - started))


if SPEED:
    cores = NUMBERS[1] if len(NUMBERS) > 1 else os.cpu_count()
    print(json.dumps({"torch": torch.__version__, "steps": STEPS, "trainTokensPerSecond": training_speed(1), "trainTokensPerSecondAllCores": {"threads": cores, "tokensPerSecond": training_speed(cores)}}))
else:
    print(json.dumps({"steps": STEPS, "torch": torch.__version__, "layerdrop0": run(0.0), "layerdrop05": run(0.5)}))
