"""Each layer's first-order loss increase computed in float64 by transformers and autograd.

  python test/python/layerEstimates.py <model folder> <inputs, rows joined by ;> <targets, the same>

Prints one JSON line: the mean next-token loss and, per layer, g·(x_in − x_out) where g is the
loss's gradient in the stream leaving the layer: what DepthLab's estimates pass computes in float32.
"""
import json
import sys

import torch
from transformers import AutoModelForCausalLM

folder = sys.argv[1]
inputs, targets = ([[int(i) for i in row.split(",")] for row in argument.split(";")] for argument in sys.argv[2:4])
model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float64, attn_implementation="eager").eval()
layers = next(module for module in model.modules() if isinstance(module, torch.nn.ModuleList) and len(module) == model.config.num_hidden_layers)
streams = []


def entering(_module, args, kwargs):
    streams.append((args[0] if args else kwargs["hidden_states"]))


def leaving(_module, _args, output):
    stream = output[0] if isinstance(output, tuple) else output
    stream.retain_grad()
    streams.append(stream)


for layer in layers:
    layer.register_forward_pre_hook(entering, with_kwargs=True)
    layer.register_forward_hook(leaving)
logits = model(torch.tensor(inputs), use_cache=False).logits
loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), torch.tensor(targets).reshape(-1))
loss.backward()
# streams: layer l's input at 2l, its output at 2l + 1.
estimates = [float((streams[2 * l + 1].grad * (streams[2 * l] - streams[2 * l + 1])).sum()) for l in range(len(layers))]
print(json.dumps({"loss": float(loss), "estimates": estimates}))
