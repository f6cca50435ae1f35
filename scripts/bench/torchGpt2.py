"""PyTorch's forward speed on the bench's GPT-2-small shapes: one thread, one 256-token window, median of 3.

Run by npm run bench when python3 with torch and transformers is present; prints one JSON line.
"""
import json
import time

import torch
from transformers import GPT2Config, GPT2LMHeadModel

torch.set_num_threads(1)
model = GPT2LMHeadModel(GPT2Config(n_layer=12, n_embd=768, n_head=12, n_positions=1024, vocab_size=50257)).eval()
ids = (torch.arange(256)[None] * 7919) % 50257
with torch.no_grad():
    model(input_ids=ids)
    times = []
    for _ in range(3):
        started = time.perf_counter()
        model(input_ids=ids)
        times.append(time.perf_counter() - started)
print(json.dumps({"tokensPerSecond": round(256 / sorted(times)[1]), "torch": torch.__version__}))
