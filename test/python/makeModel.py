"""Writes a tiny random Hugging Face model of an architecture DepthLab does not compute natively.

  python test/python/makeModel.py <qwen3_moe | granite | mixtral> <out> <tokenizer-folder>

The model is made by transformers itself (random weights, seeded) and saved with save_pretrained;
the tokenizer files are copied from <tokenizer-folder>, and the vocabulary sized to match.
"""
import json
import os
import shutil
import sys

import torch
import transformers

kind, out, tokenizer = sys.argv[1:4]
with open(os.path.join(tokenizer, "tokenizer.json"), encoding="utf-8") as f:
    vocabulary = len(json.load(f)["model"]["vocab"])
shape = dict(vocab_size=vocabulary, hidden_size=32, intermediate_size=48, num_hidden_layers=4, num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=128, tie_word_embeddings=False)
configs = {
    # Mixture of experts: 4 experts, 2 a token, a router per layer.
    "qwen3_moe": lambda: transformers.Qwen3MoeConfig(**shape, head_dim=8, moe_intermediate_size=24, num_experts=4, num_experts_per_tok=2, decoder_sparse_step=1, mlp_only_layers=[]),
    "mixtral": lambda: transformers.MixtralConfig(**shape, num_local_experts=4, num_experts_per_tok=2),
    # Scales DepthLab's own engine knows nothing of: embeddings, residuals, attention and logits each multiplied by the config's factor.
    "granite": lambda: transformers.GraniteConfig(**shape, embedding_multiplier=6.0, residual_multiplier=0.3, attention_multiplier=0.2, logits_scaling=4.0),
}
torch.manual_seed(0)
config = configs[kind]()
model = transformers.AutoModelForCausalLM.from_config(config)
# Random init at 0.02 gives every layer a near-identity stream; a wider init makes layers matter.
with torch.no_grad():
    for parameter in model.parameters():
        if parameter.dim() > 1:
            parameter.normal_(0, 0.2)
model.save_pretrained(out)
for name in os.listdir(tokenizer):
    if name.startswith("tokenizer"):
        shutil.copy(os.path.join(tokenizer, name), os.path.join(out, name))
print(json.dumps({"model_type": config.model_type, "layers": config.num_hidden_layers}))
