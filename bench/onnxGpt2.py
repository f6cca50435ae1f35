"""ONNX graphs of the bench's GPT-2-small shapes, for measuring onnxruntime-node beside DepthLab.

python bench/onnxGpt2.py <out-folder>   (needs torch, transformers, onnx)

Writes gpt2.onnx (the whole model, ids -> logits, weights inside: the graph onnxruntime optimises
best) and block.onnx (one decoder block whose weights are inputs: how a streamed engine would run a
layer it reads from the file). Both are checked against transformers' GPT2LMHeadModel before export.
transformers' own module does not export (its mask helpers use aten::diff), so the block is written
with the same ops. Prints one JSON line.
"""
import json
import sys

import torch
import torch.nn.functional as F
from transformers import GPT2Config, GPT2LMHeadModel

D, HEADS, WINDOW = 768, 12, 256


class Block(torch.nn.Module):
    def forward(self, x, ln1w, ln1b, wqkv, bqkv, wo, bo, ln2w, ln2b, w1, b1, w2, b2):
        h = F.layer_norm(x, (D,), ln1w, ln1b, 1e-5)
        q, k, v = [t.reshape(x.shape[0], -1, HEADS, D // HEADS).transpose(1, 2) for t in (h @ wqkv + bqkv).split(D, dim=-1)]
        a = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(x.shape[0], -1, D)
        x = x + a @ wo + bo
        h = F.layer_norm(x, (D,), ln2w, ln2b, 1e-5)
        return x + F.gelu(h @ w1 + b1, approximate="tanh") @ w2 + b2


def block_weights(b):
    return [b.ln_1.weight, b.ln_1.bias, b.attn.c_attn.weight, b.attn.c_attn.bias, b.attn.c_proj.weight, b.attn.c_proj.bias,
            b.ln_2.weight, b.ln_2.bias, b.mlp.c_fc.weight, b.mlp.c_fc.bias, b.mlp.c_proj.weight, b.mlp.c_proj.bias]


class Whole(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.t = model.transformer

    def forward(self, ids):
        x = self.t.wte(ids) + self.t.wpe(torch.arange(ids.shape[1])[None])
        for b in self.t.h:
            x = Block()(x, *block_weights(b))
        return self.t.ln_f(x) @ self.t.wte.weight.T


out = sys.argv[1]
model = GPT2LMHeadModel(GPT2Config(n_layer=12, n_embd=D, n_head=HEADS, n_positions=1024, vocab_size=50257)).eval()
ids = (torch.arange(WINDOW)[None] * 7919) % 50257
weights = [w.detach() for w in block_weights(model.transformer.h[0])]
x = torch.randn(1, WINDOW, D)
with torch.no_grad():
    whole_error = (Whole(model)(ids) - model(input_ids=ids).logits).abs().max().item()
    block_error = (Block()(x, *weights) - model.transformer.h[0](x)[0]).abs().max().item()
    torch.onnx.export(Whole(model), (ids,), f"{out}/gpt2.onnx", input_names=["ids"], output_names=["logits"], dynamo=False,
                      dynamic_axes={"ids": {0: "batch"}})
    names = ["x", "ln1w", "ln1b", "wqkv", "bqkv", "wo", "bo", "ln2w", "ln2b", "w1", "b1", "w2", "b2"]
    torch.onnx.export(Block(), (x, *weights), f"{out}/block.onnx", input_names=names, output_names=["y"], dynamo=False,
                      dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
print(json.dumps({"maxAbsErrorAgainstTransformers": {"whole": whole_error, "block": block_error}, "torch": torch.__version__}))
