"""PyTorch's forward speed on the bench's GPT-2-small shapes: 256-token windows, median of 5.

python bench/torchGpt2.py [threads] [windows]   (default 1 thread, 1 window)

Run by the benches when python3 with torch and transformers is present; prints one JSON line.
"""
import json
import sys
import time

import torch
from transformers import GPT2Config, GPT2LMHeadModel

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
windows = int(sys.argv[2]) if len(sys.argv) > 2 else 1
torch.set_num_threads(threads)
model = GPT2LMHeadModel(GPT2Config(n_layer=12, n_embd=768, n_head=12, n_positions=1024, vocab_size=50257)).eval()
ids = ((torch.arange(256)[None] * 7919) % 50257).repeat(windows, 1)
with torch.no_grad():
    model(input_ids=ids)
    times = []
    for _ in range(5):
        started = time.perf_counter()
        model(input_ids=ids)
        times.append(time.perf_counter() - started)
print(json.dumps({"tokensPerSecond": round(ids.numel() / sorted(times)[2]), "threads": threads, "windows": windows, "torch": torch.__version__}))
