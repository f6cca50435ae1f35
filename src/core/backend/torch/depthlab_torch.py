"""DepthLab's torch engine: transformers' own modeling code evaluates the sub-networks DepthLab asks for.

DepthLab (TypeScript) chooses the windows, the token ids and the sub-networks, and computes every
statistic; this script runs in the user's Python and answers, per batch, the same numbers DepthLab's
own engine computes (src/core/evaluate/batchTasks.ts), with each shared prefix of the sub-networks
computed once and every stream kept on the device. It installs nothing.

  python depthlab_torch.py probe    one JSON line: Python, torch, transformers, accelerate, devices
  python depthlab_torch.py serve    one JSON request a line on stdin, one reply a line on stdout
  torchrun --nproc-per-node K depthlab_torch.py serve
                                    every rank holds a replica and evaluates its share of the batches;
                                    rank 0 reads the requests and merges the replies in batch order
  python depthlab_torch.py run <requests.jsonl> <replies.jsonl> [--folder <model>]
                                    the same requests from a file (depthlab analyze --emit-script),
                                    alone or under torchrun; the replies are written when all are answered

A request is {"id", "op", ...}; its reply {"id", "ok": ...} or {"id", "error": "one line", "kind":
"user" | "oom" | "internal"}. Arrays travel as base64 of little-endian bytes.
"""
import base64
import contextlib
import json
import math
import os
import sys
import threading
import time

MIN_TRANSFORMERS = (4, 56)
POST_LN = {"bert", "roberta", "distilbert", "xlm-roberta", "camembert", "electra"}


class UserFacing(Exception):
    """A problem with the user's model or environment, said in one line."""


def versions():
    import platform

    found = {"python": sys.executable, "pythonVersion": platform.python_version()}
    for name in ("torch", "transformers", "accelerate"):
        try:
            found[name] = __import__(name).__version__
        except Exception:  # noqa: BLE001 - absent or broken: said as absent
            found[name] = None
    return found


def devices():
    import torch

    found = []
    if torch.cuda.is_available():
        kind = "rocm" if getattr(torch.version, "hip", None) else "cuda"
        for i in range(torch.cuda.device_count()):
            properties = torch.cuda.get_device_properties(i)
            found.append({"name": f"cuda:{i}", "kind": kind, "description": properties.name, "memoryBytes": properties.total_memory})
    elif getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        found.append({"name": "mps", "kind": "mps", "description": "Apple GPU (Metal)", "memoryBytes": None})
    return found


def probe():
    found = versions()
    if found["torch"]:
        try:
            found["devices"] = devices()
        except Exception as error:  # noqa: BLE001
            found["devicesError"] = str(error).splitlines()[0]
    print(json.dumps(found), flush=True)


def check_versions():
    found = versions()
    if not found["torch"]:
        raise UserFacing(f"{sys.executable} has no torch: pip install torch (DepthLab installs nothing into your environment)")
    if not found["transformers"]:
        raise UserFacing(f"{sys.executable} has no transformers: pip install 'transformers>={'.'.join(map(str, MIN_TRANSFORMERS))}'")
    numbers = tuple(int(part) for part in found["transformers"].split(".")[:2] if part.isdigit())
    if numbers < MIN_TRANSFORMERS:
        raise UserFacing(
            f"{sys.executable} has transformers {found['transformers']}; DepthLab needs {'.'.join(map(str, MIN_TRANSFORMERS))} or newer: pip install -U 'transformers>={'.'.join(map(str, MIN_TRANSFORMERS))}'"
        )
    return found


def decode(text, dtype):
    import numpy

    return numpy.frombuffer(base64.b64decode(text), dtype=dtype)


def encode(values):
    import numpy

    return base64.b64encode(numpy.asarray(values, dtype="<f8").tobytes()).decode("ascii")


def gb(n):
    return f"{n / 2**30:.1f} GB"


class Model:
    """A Hugging Face model opened with transformers, walked layer by layer as DepthLab's LayeredModel is."""

    def __init__(self, request):
        import torch
        from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForMaskedLM

        self.torch = torch
        folder = request["folder"]
        trust = bool(request.get("trustRemoteCode"))
        try:
            config = AutoConfig.from_pretrained(folder, trust_remote_code=trust)
        except ValueError as error:
            raise UserFacing(model_class_missing(folder, error, trust)) from None
        except OSError as error:
            raise UserFacing(f"{folder}: {str(error).splitlines()[0]}") from None
        masked = request.get("objective") == "masked-lm"
        auto = AutoModelForMaskedLM if masked else AutoModelForCausalLM
        placement = self.placement(request)
        # Scores soft-capped (Gemma 2) are computed on the eager path only: sdpa would drop the cap, as Gemma 2's model card warns.
        eager = {"attn_implementation": "eager"} if getattr(config, "attn_logit_softcapping", None) else {}
        try:
            model = auto.from_pretrained(folder, dtype="auto", trust_remote_code=trust, **placement, **eager)
        except ValueError as error:
            raise UserFacing(model_class_missing(folder, error, trust)) from None
        model.eval()
        torch.set_grad_enabled(False)
        self.model = model
        self.config = config
        self.objective = "masked-lm" if masked else "causal-lm"
        text = config.get_text_config() if hasattr(config, "get_text_config") else config
        self.layer_count = next((getattr(text, key) for key in ("num_hidden_layers", "n_layer", "n_layers", "num_layers") if isinstance(getattr(text, key, None), int)), None)
        if self.layer_count is None:
            raise UserFacing(f"{folder}/config.json: no layer count (num_hidden_layers, n_layer, n_layers)")
        self.layer_path, self.layers = self.find_layers()
        self.parent, self.attribute = self.owner_of(self.layer_path)
        self.parts = [self.parts_of(layer) for layer in self.layers]
        self.input_device = model.get_input_embeddings().weight.device
        self.cuda = any(parameter.is_cuda for parameter in model.parameters())
        self.fault = os.environ.get("DEPTHLAB_TORCH_FAULT")
        self.batches = {}

    def placement(self, request):
        torch = self.torch
        # accelerate names GPUs by index: {"0": "20GiB"} from the CLI becomes {0: "20GiB"}.
        max_memory = {int(key) if key.isdigit() else key: value for key, value in request["maxMemory"].items()} if request.get("maxMemory") else None
        if torch.cuda.is_available():
            if int(os.environ.get("WORLD_SIZE", "1")) > 1:
                # Under torchrun each rank holds a replica on its own GPU.
                return {"device_map": {"": int(os.environ.get("LOCAL_RANK", "0"))}}
            if torch.cuda.device_count() > 1 or max_memory:
                # accelerate spreads the layers over every visible GPU (and the CPU past max_memory).
                return {"device_map": "auto", **({"max_memory": max_memory} if max_memory else {})}
            return {"device_map": {"": 0}}
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return {"device_map": {"": "mps"}}
        if max_memory:
            return {"device_map": "auto", "max_memory": max_memory}
        return {}

    def find_layers(self):
        """The ModuleList with one entry per layer: the decoder's (or encoder's) layers, whatever the architecture calls them."""
        for name, module in self.model.named_modules():
            if isinstance(module, self.torch.nn.ModuleList) and len(module) == self.layer_count and len({type(layer) for layer in module}) == 1:
                return name, module
        raise UserFacing(f"{type(self.model).__name__}: no list of {self.layer_count} layers found; DepthLab walks models whose layers are one ModuleList")

    def owner_of(self, path):
        parent_path, _, attribute = path.rpartition(".")
        return (self.model.get_submodule(parent_path) if parent_path else self.model), attribute

    def parts_of(self, layer):
        """The attention and MLP sub-modules whose outputs join the residual stream, for removing one alone."""
        attention = mlp = None
        for name, child in layer.named_children():
            kind = type(child).__name__.lower()
            if attention is None and "attention" in kind:
                attention = child
            elif mlp is None and any(word in kind for word in ("mlp", "moe", "feedforward", "ffn", "expert")):
                mlp = child
        if mlp is None and hasattr(layer, "fc2"):
            mlp = layer.fc2
        return attention, mlp

    def lora_targets(self):
        """Every linear map of a layer, as PEFT's target_modules names it: the module's last name where no module outside the layers shares it, else its name within the layer."""
        torch = self.torch
        inside = [name for name, module in self.layers[0].named_modules() if name and (isinstance(module, torch.nn.Linear) or type(module).__name__ == "Conv1D")]
        prefix = self.layer_path + "."
        outside = {name.rsplit(".", 1)[-1] for name, _module in self.model.named_modules() if name and not name.startswith(prefix)}
        return sorted({name.rsplit(".", 1)[-1] if name.rsplit(".", 1)[-1] not in outside else name for name in inside})

    def parts_inseparable(self):
        config = self.config
        if config.model_type in POST_LN or getattr(config, "do_layer_norm_before", True) is False:
            return "its layers normalise after each residual sum (post-LN), so a block cannot be left out alone"
        if any(attention is None or mlp is None for attention, mlp in self.parts):
            return f"DepthLab did not find the attention and the MLP of {type(self.layers[0]).__name__} as sub-modules, so a block cannot be left out alone"
        return None

    def description(self):
        torch = self.torch
        parameters = sum(parameter.numel() for parameter in self.model.parameters())
        linear = self.lora_targets()
        placed = sorted({str(parameter.device) for parameter in self.model.parameters()})
        return {
            "modelType": self.config.model_type,
            "className": type(self.model).__name__,
            "layers": self.layer_count,
            "layerPrefix": f"{self.layer_path}.",
            "basePrefix": f"{self.model.base_model_prefix}." if getattr(self.model, "base_model_prefix", "") else "",
            "objective": self.objective,
            "dtype": str(next(self.model.parameters()).dtype).replace("torch.", ""),
            "parameters": parameters,
            "placedOn": placed,
            "partsInseparable": self.parts_inseparable(),
            "linearModules": linear,
            "conv1d": any(type(module).__name__ == "Conv1D" for module in self.layers[0].modules()),
        }

    # -- a batch's inputs, and the arguments the model's own loop gives each layer

    def batch(self, spec):
        cached = self.batches.get(spec["id"])
        if cached is None:
            torch = self.torch
            size, length = spec["size"], spec["length"]
            cached = {
                "size": size,
                "length": length,
                "inputs": torch.from_numpy(decode(spec["inputs"], "<i4").astype("int64")).view(size, length).to(self.input_device),
                "targets": torch.from_numpy(decode(spec["targets"], "<i4").astype("int64")).to(self.input_device),
                "mask": torch.from_numpy(decode(spec["mask"], "<f4").copy()).view(size, length).to(self.input_device) if spec.get("mask") else None,
                "predicted": torch.from_numpy(decode(spec["predicted"], "<i4").astype("int64")).to(self.input_device) if spec.get("predicted") else None,
                "spans": decode(spec["spans"], "<i4").tolist() if spec.get("spans") else None,
            }
            self.batches[spec["id"]] = cached
        return cached

    def forward_with(self, stand_ins, batch):
        """The model's own forward with its layers replaced by `stand_ins`; a StopWalk raised by one ends it early."""
        original = getattr(self.parent, self.attribute)
        setattr(self.parent, self.attribute, self.torch.nn.ModuleList(stand_ins))
        try:
            mask = batch["mask"]
            kwargs = {"attention_mask": mask.long()} if mask is not None else {}
            return self.model(input_ids=batch["inputs"], use_cache=False, **kwargs)
        except StopWalk:
            return None
        finally:
            setattr(self.parent, self.attribute, original)

    def record(self, batch):
        """Each layer's call as the model makes it (masks, positions, rotations), and the stream entering layer 0."""
        calls = [None] * self.layer_count
        recorder = stand_ins()[0]
        self.forward_with([recorder(layer, i, calls) for i, layer in enumerate(self.layers)], batch)
        return calls

    def block(self, calls, layer, x, skip=None):
        args, kwargs = calls[layer]
        args, kwargs = with_stream(args, kwargs, x)
        with self.skipping(layer, skip):
            out = self.layers[layer](*args, **kwargs)
        return out[0] if isinstance(out, tuple) else out

    @contextlib.contextmanager
    def skipping(self, layer, skip):
        if skip is None:
            yield
            return
        module = self.parts[layer][0 if skip == "attention" else 1]
        handle = module.register_forward_hook(lambda _module, _args, output: zeros_like_output(output))
        try:
            yield
        finally:
            handle.remove()

    def logits(self, batch, x):
        """The model's own readout of stream `x` (final norm, head, soft cap or logit scale), through its own forward."""
        injector = stand_ins()[1]
        output = self.forward_with([injector(layer, x if i == 0 else None) for i, layer in enumerate(self.layers)], batch)
        return output.logits

    def losses(self, batch, x):
        """Mean next-token (or masked-token) cross-entropy, as DepthLab's readout computes it."""
        torch = self.torch
        logits = self.logits(batch, x).float()
        flat = logits.reshape(-1, logits.shape[-1])
        if self.objective == "masked-lm":
            flat = flat[batch["predicted"].to(flat.device)]
        return torch.nn.functional.cross_entropy(flat, batch["targets"].to(flat.device)), (len(batch["predicted"]) if self.objective == "masked-lm" else batch["size"] * batch["length"])

    def token_losses(self, batch, x):
        torch = self.torch
        logits = self.logits(batch, x).float()
        flat = logits.reshape(-1, logits.shape[-1])
        return torch.nn.functional.cross_entropy(flat, batch["targets"].to(flat.device), reduction="none")

    # -- the walk: sub-networks as a prefix tree, each shared prefix computed once

    def clock(self):
        if self.cuda:
            self.torch.cuda.synchronize()
        return time.perf_counter()

    def walk(self, batch, subnetworks, visit=None, read=None):
        """Every sub-network (ascending steps: 3l whole, 3l+1 without attention, 3l+2 without MLP) read out, with its milliseconds."""
        # Fault switches for DepthLab's tests: a device out of memory, a process killed mid-job.
        if self.fault == "oom":
            raise self.torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB (DEPTHLAB_TORCH_FAULT=oom)")
        if self.fault == "kill":
            os.kill(os.getpid(), 9)
        read = read or (lambda x: self.losses(batch, x))
        start = self.clock()
        calls = self.record(batch)
        x0 = calls[0][0][0] if calls[0][0] else calls[0][1]["hidden_states"]
        embed_ms = (self.clock() - start) * 1000
        results = [None] * len(subnetworks)
        live = []

        def arrive(prefix):
            staying = []
            for member in prefix["members"]:
                if len(subnetworks[member]) > len(prefix["before"]):
                    staying.append(member)
                    continue
                begun = self.clock()
                value = read(prefix["x"])
                results[member] = (value, prefix["ms"] + (self.clock() - begun) * 1000)
            prefix["members"] = staying
            if staying:
                live.append(prefix)

        arrive({"x": x0, "before": [], "members": list(range(len(subnetworks))), "ms": embed_ms})
        for layer in range(self.layer_count):
            if not live:
                break
            current, live = live, []
            arrived = []
            for prefix in current:
                def next_step(member, prefix=prefix):
                    steps = subnetworks[member]
                    return steps[len(prefix["before"])] if len(steps) > len(prefix["before"]) else None

                seen = []
                for member in prefix["members"]:
                    step = next_step(member)
                    if step is not None and step // 3 == layer and step not in seen:
                        seen.append(step)
                for step in seen:
                    branch = [member for member in prefix["members"] if next_step(member) == step]
                    skip = None if step % 3 == 0 else ("attention" if step % 3 == 1 else "mlp")
                    begun = self.clock()
                    output = self.block(calls, layer, prefix["x"], skip)
                    ms = (self.clock() - begun) * 1000
                    if visit:
                        visit(layer, [s // 3 for s in prefix["before"]], prefix["x"], output)
                    arrived.append({"x": output, "before": prefix["before"] + [step], "members": branch, "ms": prefix["ms"] + ms})
                    prefix["members"] = [member for member in prefix["members"] if member not in branch]
                if prefix["members"]:
                    live.append(prefix)
            for prefix in arrived:
                arrive(prefix)
        return results

    # -- the batch tasks of src/core/evaluate/batchTasks.ts, number for number

    def task(self, task, batch):
        kind = task["kind"]
        if kind == "evaluate":
            steps = task["subnetworks"] if task.get("steps") else [[3 * layer for layer in layers] for layers in task["subnetworks"]]
            results = self.walk(batch, steps)
            count = results[0][0][1] if results else 0
            values = [count, 0]
            for (loss, _count), ms in results:
                values += [float(loss), 0.0, ms]
            return values
        if kind == "layer-statistics":
            n = self.layer_count
            every = list(range(n))
            subnetworks = [[3 * l for l in every]] + [[3 * l for l in every if l != skipped] for skipped in every]
            cosines = [0.0] * n

            def visit(layer, before, x_in, x_out):
                if len(before) == layer:
                    cosines[layer] = cosine_sum(self.torch, x_in, x_out)

            results = self.walk(batch, subnetworks, visit)
            return [results[0][0][1], batch["size"] * batch["length"]] + [float(loss) for (loss, _count), _ms in results] + cosines
        if kind == "angular":
            return self.angular(batch)
        if kind == "estimates":
            return self.estimates(batch)
        if kind == "choices":
            return self.choices(batch, task["subnetworks"])
        raise UserFacing(f"unknown batch task {kind}")

    def streams(self, batch):
        """The N + 1 streams of one forward pass, and each layer's call to run it again."""
        calls = self.record(batch)
        streams = [calls[0][0][0] if calls[0][0] else calls[0][1]["hidden_states"]]
        for layer in range(self.layer_count):
            streams.append(self.block(calls, layer, streams[-1]))
        return calls, streams

    def angle_sums(self, streams):
        """arccos(cos(x_l, x_{l+n}))/pi summed over the rows, for n = 1..N and l = 0..N - n."""
        torch = self.torch
        unit = [unit_rows(torch, x) for x in streams]
        n = self.layer_count
        sums = []
        for gap in range(1, n + 1):
            for layer in range(0, n - gap + 1):
                a, b = unit[layer], unit[layer + gap].to(unit[layer].device)
                sums.append(float(torch.acos(torch.clamp((a * b).sum(-1), -1, 1)).sum() / math.pi))
        return sums

    def angular(self, batch):
        return [batch["size"] * batch["length"]] + self.angle_sums(self.streams(batch)[1])

    def estimates(self, batch):
        """Layer l's first-order loss increase g_{l+1}.(x_l - x_{l+1}), going back a layer at a time as batchTasks.ts does."""
        torch = self.torch
        calls, streams = self.streams(batch)
        n = self.layer_count
        cosines = [cosine_sum(torch, streams[layer], streams[layer + 1]) for layer in range(n)]
        with torch.enable_grad():
            leaving = streams[n].detach().requires_grad_(True)
            loss, count = self.losses(batch, leaving)
            (gradient,) = torch.autograd.grad(loss, leaving)
        estimates = [0.0] * n
        for layer in reversed(range(n)):
            change = streams[layer].to(gradient.device) - streams[layer + 1].to(gradient.device)
            estimates[layer] = float((gradient.double() * change.double()).sum())
            if layer == 0:
                break
            with torch.enable_grad():
                entering = streams[layer].detach().requires_grad_(True)
                (gradient,) = torch.autograd.grad(self.block(calls, layer, entering), entering, gradient.to(entering.device))
        return [count, batch["size"] * batch["length"], float(loss)] + estimates + cosines + self.angle_sums(streams)

    def choices(self, batch, subnetworks):
        torch = self.torch
        size, length, spans = batch["size"], batch["length"], batch["spans"]
        scored = torch.zeros(size * length, device=self.input_device)
        for row in range(size):
            scored[row * length + spans[2 * row] : row * length + spans[2 * row + 1]] = 1
        scored = scored.view(size, length)

        def read(x):
            losses = self.token_losses(batch, x).view(size, length)
            return (losses * scored.to(losses.device)).sum(1)

        results = self.walk(batch, [[3 * layer for layer in layers] for layers in subnetworks], read=read)
        values = [size]
        for rows, _ms in results:
            values += [float(v) for v in rows.tolist()]
        return values

    def weight_l1(self):
        return [sum(float(parameter.detach().abs().double().sum()) for parameter in layer.parameters()) for layer in self.layers]

    def oom_line(self, error, batch_specs):
        torch = self.torch
        weights = sum(parameter.numel() * parameter.element_size() for parameter in self.model.parameters())
        tokens = max((spec["size"] * spec["length"] for spec in batch_specs), default=0)
        vocabulary = self.model.get_output_embeddings().weight.shape[0] if self.model.get_output_embeddings() is not None else 0
        activations = tokens * vocabulary * 4 * 2
        if torch.cuda.is_available():
            free, total = torch.cuda.mem_get_info()
            has = f"{self.placed()} has {gb(free)} free of {gb(total)}"
        else:
            has = f"{self.placed()} ran out"
        return (
            f"out of memory: the model needs about {gb(weights + activations)} ({gb(weights)} of weights in {self.description()['dtype']}, "
            f"{gb(activations)} for a window's logits); {has}. Try a shorter --window, --max-memory to spread the layers, or a smaller model ({str(error).splitlines()[0][:120]})"
        )

    def placed(self):
        return ", ".join(sorted({str(parameter.device) for parameter in self.model.parameters()}))

    def export(self, request):
        """The kept layers only, renumbered 0…r−1, the config's changed keys set, saved by transformers' own save_pretrained."""
        keep = request["keep"]
        kept = self.torch.nn.ModuleList([self.layers[i] for i in keep])
        for new_index, layer in enumerate(kept):
            for module in layer.modules():
                if isinstance(getattr(module, "layer_idx", None), int):
                    module.layer_idx = new_index
        setattr(self.parent, self.attribute, kept)
        config = self.model.config
        target = config.get_text_config() if hasattr(config, "get_text_config") else config
        for key, value in request["configChanges"].items():
            setattr(target, key, value)
        self.model.save_pretrained(request["out"])
        return {"saved": sorted(os.listdir(request["out"]))}


class StopWalk(Exception):
    """Raised by the last stand-in layer: the rest of the model's forward is not needed."""


def with_stream(args, kwargs, x):
    if args:
        return (x,) + tuple(args[1:]), kwargs
    return args, {**kwargs, "hidden_states": x}


def zeros_like_output(output):
    import torch

    if isinstance(output, tuple):
        return (torch.zeros_like(output[0]),) + output[1:]
    return torch.zeros_like(output)


def cosine_sum(torch, x_in, x_out):
    a = x_in.float().reshape(-1, x_in.shape[-1])
    b = x_out.float().reshape(-1, x_out.shape[-1]).to(a.device)
    return float(((a * b).sum(-1) / (a.norm(dim=-1) * b.norm(dim=-1) + 1e-12)).sum())


def unit_rows(torch, x):
    flat = x.float().reshape(-1, x.shape[-1])
    return flat / (flat.norm(dim=-1, keepdim=True) + 1e-12)


_STAND_INS = None


def stand_ins():
    """The two modules that take the layers' places in the model's own loop (torch is imported only when a model opens)."""
    global _STAND_INS
    if _STAND_INS is None:
        import torch

        class StandIn(torch.nn.Module):
            """Takes a layer's place, keeping the layer's attributes (attention_type, …) for the model's loop to read."""

            def __init__(self, layer):
                super().__init__()
                object.__setattr__(self, "_layer", layer)

            def __getattr__(self, name):
                try:
                    return super().__getattr__(name)
                except AttributeError:
                    return getattr(object.__getattribute__(self, "_layer"), name)

        class Recorder(StandIn):
            """Records how the loop calls layer `index`, and passes the stream on; the last one ends the forward."""

            def __init__(self, layer, index, calls):
                super().__init__(layer)
                object.__setattr__(self, "_at", (index, calls))

            def forward(self, *args, **kwargs):
                index, calls = object.__getattribute__(self, "_at")
                calls[index] = (args, kwargs)
                if index == len(calls) - 1:
                    raise StopWalk()
                return args[0] if args else kwargs["hidden_states"]

        class Injector(StandIn):
            """Puts stream `x` in at the first layer; the others pass it on to the model's final norm and head."""

            def __init__(self, layer, x):
                super().__init__(layer)
                object.__setattr__(self, "_x", x)

            def forward(self, *args, **kwargs):
                x = object.__getattribute__(self, "_x")
                return x if x is not None else (args[0] if args else kwargs["hidden_states"])

        _STAND_INS = (Recorder, Injector)
    return _STAND_INS


def model_class_missing(folder, error, trust):
    import transformers

    line = str(error).splitlines()[0]
    remote = "" if trust else "; if the model ships its own code, pass --trust-remote-code"
    return f"{folder}: transformers {transformers.__version__} cannot load it ({line[:200]}): pip install -U transformers{remote}"


class Server:
    """Requests in, replies out; under torchrun, rank 0 talks and every rank computes its share of each batch request."""

    def __init__(self):
        self.model = None
        self.rank, self.world = 0, 1
        if "RANK" in os.environ and "WORLD_SIZE" in os.environ and int(os.environ["WORLD_SIZE"]) > 1:
            import torch.distributed as dist

            # Only small objects cross between ranks (requests, per-batch numbers): gloo carries them on any machine.
            dist.init_process_group("gloo")
            self.rank, self.world = dist.get_rank(), dist.get_world_size()

    def handle(self, request):
        op = request["op"]
        if op == "open":
            check_versions()
            self.model = Model(request)
            return {**self.model.description(), "versions": versions(), "devices": devices(), "world": self.world}
        if op == "close":
            return {}
        if self.model is None:
            raise UserFacing("no model is open: the open request failed")
        if op == "batches":
            return self.batches(request)
        if op == "weightL1":
            return {"l1": self.model.weight_l1()}
        if op == "export":
            return self.model.export(request)
        raise UserFacing(f"unknown request {op}")

    def batches(self, request):
        specs = request["batches"]
        share = contiguous_share(len(specs), self.world, self.rank)
        mine = []
        for spec in specs[share[0] : share[1]]:
            try:
                mine.append(encode(self.model.task(request["task"], self.model.batch(spec))))
            except self.model.torch.OutOfMemoryError as error:
                raise OutOfMemory(self.model.oom_line(error, specs)) from None
        if self.world == 1:
            return {"values": mine}
        import torch.distributed as dist

        gathered = [None] * self.world
        dist.all_gather_object(gathered, mine)
        return {"values": [values for part in gathered for values in part]}

    def reply(self, request):
        try:
            return {"id": request.get("id"), "ok": self.handle(request)}
        except UserFacing as error:
            return {"id": request.get("id"), "error": str(error), "kind": "user"}
        except OutOfMemory as error:
            return {"id": request.get("id"), "error": str(error), "kind": "oom"}
        except Exception as error:  # noqa: BLE001 - any other failure is one line for DepthLab to show
            import traceback

            traceback.print_exc(file=sys.stderr)
            return {"id": request.get("id"), "error": f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}", "kind": "internal"}

    def serve(self, lines, write):
        """Until the requests end (EOF on rank 0, told to the other ranks as None) or a close."""
        for line in lines:
            request = self.shared(json.loads(line) if self.rank == 0 else None)
            if request is None:
                return
            reply = self.reply(request)
            if self.rank == 0:
                write(reply)
            if request["op"] == "close":
                return
        self.shared(None)

    def shared(self, request):
        if self.world == 1:
            return request
        import torch.distributed as dist

        box = [request]
        dist.broadcast_object_list(box, src=0)
        return box[0]


class OutOfMemory(Exception):
    pass


def contiguous_share(count, parts, index):
    """The batches rank `index` of `parts` evaluates: contiguous, as equal as they come (the first ones one longer), as evaluationThreads.ts shares them."""
    size, extra = divmod(count, parts)
    start = index * size + min(index, extra)
    return start, start + size + (1 if index < extra else 0)


def watch_parent():
    """Ends this process when DepthLab's job process ends (cancelled, or killed): the process tree goes with it."""
    parent = os.getppid()

    def watch():
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "serve"
    if mode == "probe":
        probe()
        return
    server = Server()
    if mode == "run":
        requests_file, replies_file = sys.argv[2], sys.argv[3]
        folder = sys.argv[sys.argv.index("--folder") + 1] if "--folder" in sys.argv else None
        if server.rank != 0:
            server.serve(iter(int, 1), None)
            return
        with open(requests_file, encoding="utf-8") as requests, open(replies_file + ".partial", "w", encoding="utf-8") as replies:
            def retarget(line):
                request = json.loads(line)
                if folder and request.get("op") == "open":
                    request["folder"] = folder
                return json.dumps(request)

            lines = (retarget(line) for line in requests if line.strip())
            server.serve(lines, lambda reply: (replies.write(json.dumps(reply) + "\n"), replies.flush()))
        os.replace(replies_file + ".partial", replies_file)
        print(f"{replies_file}: the replies; bring them back and run depthlab import", file=sys.stderr)
        return
    if os.environ.get("DEPTHLAB_WATCH_PARENT"):
        watch_parent()
    out = sys.stdout
    sys.stdout = sys.stderr  # transformers' and torch's prints go to the log, never into the replies

    def write(reply):
        out.write(json.dumps(reply) + "\n")
        out.flush()

    server.serve(sys.stdin if server.rank == 0 else iter(int, 1), write)


if __name__ == "__main__":
    main()
