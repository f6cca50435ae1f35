"""Runs each export's heal/heal.py as a user would (two steps) and says which modules its LoRA adapted.

  python test/python/loraAdapted.py text.txt export-folder [export-folder ...]

Prints a line per folder, "lora-adapted" and a JSON object: the modules PEFT adapted, and every linear map (nn.Linear or
GPT-2's Conv1D) inside the model's layer list, found as the ModuleList with one entry per layer.
heal.py runs unchanged; get_peft_model is wrapped only to keep the model it returns.
"""
import json
import os
import runpy
import sys
import tempfile

import peft
import torch
from peft.tuners.lora import LoraLayer
from transformers.pytorch_utils import Conv1D

real_get_peft_model = peft.get_peft_model
seen = {}


def layer_list(model, layers):
    """The name of the ModuleList that holds the model's layers."""
    for name, module in model.named_modules():
        if isinstance(module, torch.nn.ModuleList) and len(module) == layers:
            return name
    raise SystemExit(f"no ModuleList of {layers} layers")


def get_peft_model(model, config, *args, **kwargs):
    layers = next(getattr(model.config, key) for key in ("num_hidden_layers", "n_layer", "n_layers") if hasattr(model.config, key))
    prefix = layer_list(model, layers) + "."
    seen["linear"] = sorted(name for name, module in model.named_modules() if name.startswith(prefix) and isinstance(module, (torch.nn.Linear, Conv1D)))
    wrapped = real_get_peft_model(model, config, *args, **kwargs)
    seen["adapted"] = sorted(name.removeprefix("base_model.model.") for name, module in wrapped.named_modules() if isinstance(module, LoraLayer))
    return wrapped


peft.get_peft_model = get_peft_model

text, folders = sys.argv[1], sys.argv[2:]
for folder in folders:
    with tempfile.TemporaryDirectory() as out:
        sys.argv = [os.path.join(folder, "heal", "heal.py"), text, "--steps", "2", "--out", out]
        runpy.run_path(sys.argv[0], run_name="__main__")
    print("lora-adapted", json.dumps({"folder": folder, "adapted": seen.pop("adapted"), "linear": seen.pop("linear")}), flush=True)
