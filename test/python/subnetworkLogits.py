"""Compares an export's logits with its source's sub-network: the source with only the kept layers run.

  python test/python/subnetworkLogits.py <source> <export> <keep, e.g. 0,2>

Prints one JSON line: the largest absolute difference between the two logits on fixed token ids,
whether transformers loaded the export with no missing or unexpected keys, and its layer count.
"""
import json
import sys

import torch
from transformers import AutoModelForCausalLM

source, exported, keep = sys.argv[1], sys.argv[2], [int(i) for i in sys.argv[3].split(",")]
torch.manual_seed(0)
full = AutoModelForCausalLM.from_pretrained(source).eval()
ids = torch.randint(0, full.config.vocab_size, (2, 24))
layers = next(module for module in full.modules() if isinstance(module, torch.nn.ModuleList) and len(module) == full.config.num_hidden_layers)
kept = torch.nn.ModuleList([layers[i] for i in keep])
for name, module in full.named_modules():
    if module is layers:
        parent, _, attribute = name.rpartition(".")
        setattr(full.get_submodule(parent) if parent else full, attribute, kept)
full.config.num_hidden_layers = len(keep)
if isinstance(getattr(full.config, "layer_types", None), list):
    full.config.layer_types = [full.config.layer_types[i] for i in keep]
pruned, info = AutoModelForCausalLM.from_pretrained(exported, output_loading_info=True)
with torch.no_grad():
    expected = full(ids, use_cache=False).logits
    actual = pruned.eval()(ids, use_cache=False).logits
print(json.dumps({"maxDifference": float((expected - actual).abs().max()), "missing": sorted(info["missing_keys"]), "unexpected": sorted(info["unexpected_keys"]), "layers": pruned.config.num_hidden_layers}))
