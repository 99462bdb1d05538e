"""Checking that a model's config and its weights agree, before anything is allocated.

model_files.py checks each file on its own without torch; this checks the model
they describe: on the meta device for safetensors folders (shapes only, no
memory), and against the tensor list of a GGUF file. A config that asks for more
layers or wider tensors than the weights hold is refused instead of being
allocated, and a model is never run with random layers where weights are missing.
"""

from __future__ import annotations

import re
from pathlib import Path

import torch

from ..errors import ModelLoadError, first_line
from .model_files import MAX_LAYERS, read_weights


def check_weights_fit_config(folder: Path) -> None:
    """Every tensor the config's model needs is in the weights, in its shape: checked on the meta
    device, so an absurd config is refused before any memory is allocated, and a file that lacks
    tensors is refused instead of running with random ones."""
    from transformers import AutoConfig, AutoModelForCausalLM

    try:
        config = AutoConfig.from_pretrained(folder, trust_remote_code=False, local_files_only=True)
        with torch.device("meta"):
            model = AutoModelForCausalLM.from_config(config, trust_remote_code=False)
    except Exception as exc:  # noqa: BLE001 - a config transformers cannot build from
        raise ModelLoadError(f"{folder / 'config.json'} does not describe a model that can be built: "
                             f"{first_line(exc)}") from None
    prefix = f"{model.base_model_prefix}."
    strip = lambda name: name[len(prefix):] if name.startswith(prefix) else name  # noqa: E731
    saved = {strip(name): info.shape for name, info in read_weights(folder).items()}
    tied = _tied_names(model)
    for name, tensor in model.state_dict().items():
        shape = saved.get(strip(name))
        if shape is None and name not in tied:
            raise ModelLoadError(f"{folder} is incomplete: the weights lack {name}; the model would run with "
                                 "random values there.")
        if shape is not None and shape != tuple(tensor.shape):
            raise ModelLoadError(f"{folder}: the weights do not match config.json ({name} is "
                                 f"{list(shape)} in the file, {list(tensor.shape)} in the config).")


def _tied_names(model) -> set[str]:
    """Weights that share another's storage (the LM head tied to the embedding) and are not saved."""
    seen, tied = {}, set()
    for name, param in model.named_parameters(remove_duplicate=False):
        if id(param) in seen:
            tied.add(name)
        seen.setdefault(id(param), name)
    keys = getattr(model, "_tied_weights_keys", None) or ()
    return tied | set(keys)


def _field(reader, key: str):
    field = reader.fields.get(key)
    if field is None or not field.data:
        return None
    value = field.parts[field.data[0]]
    return bytes(value).decode("utf-8", "replace") if field.types and field.types[0].name == "STRING" else value[0]


def check_gguf_fits(path: Path):
    """The GGUF's layer count and width agree with its tensors, before transformers builds the model
    (a crafted block_count would otherwise allocate a billion layers). Returns the file's GGUFReader."""
    import gguf

    try:
        reader = gguf.GGUFReader(str(path))
        arch = _field(reader, "general.architecture")
        blocks = _field(reader, f"{arch}.block_count")
        width = _field(reader, f"{arch}.embedding_length")
        found = {int(m.group(1)) for t in reader.tensors for m in [re.match(r"blk\.(\d+)\.", t.name)] if m}
        embedding = next((tuple(int(n) for n in t.shape) for t in reader.tensors if t.name == "token_embd.weight"),
                         None)
    except Exception as exc:  # noqa: BLE001 - a damaged GGUF fails in many ways inside its reader
        raise ModelLoadError(f"{path} is not a usable GGUF file: {first_line(exc)}") from None
    if blocks is None:
        return reader
    blocks = int(blocks)
    if not 0 < blocks <= MAX_LAYERS:
        raise ModelLoadError(f"{path} asks for {blocks} layers; no real model has more than {MAX_LAYERS}.")
    if set(range(blocks)) - found:
        raise ModelLoadError(f"{path} is incomplete: it declares {blocks} layers but holds tensors for "
                             f"{len(found & set(range(blocks)))}; it would run with random layers.")
    if width is not None and embedding is not None and int(width) not in embedding:
        raise ModelLoadError(f"{path}: its embedding size ({int(width)}) does not match its tensors.")
    return reader
