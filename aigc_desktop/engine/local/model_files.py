"""Checking a model folder or GGUF file before loading it: fast, and free of torch imports.

The model manager calls these on the GUI thread to say at once what is wrong
with a folder the user picked; the loader calls them again before loading.
A model file is data from outside: every size, count and name in it is
checked against the file before a library reads it, so a truncated or crafted
file is one clear sentence, never a traceback, a hang or a huge allocation.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import shutil
import struct
from dataclasses import dataclass
from pathlib import Path

from ..app_dirs import cache_dir
from ..errors import ModelLoadError

GGUF_MAGIC = b"GGUF"
MAX_CONFIG_BYTES = 4 << 20  # real configs are a few KB
MAX_HEADER_BYTES = 100_000_000  # the safetensors library's own limit
MAX_LAYERS = 1024  # the largest published models have under 200
INDEX_NAME = "model.safetensors.index.json"
# bits per element of each safetensors dtype
DTYPE_BITS = {"BOOL": 8, "U8": 8, "I8": 8, "F8_E5M2": 8, "F8_E4M3": 8, "F8_E8M0": 8, "I16": 16, "U16": 16,
              "F16": 16, "BF16": 16, "I32": 32, "U32": 32, "F32": 32, "I64": 64, "U64": 64, "F64": 64,
              "C64": 64, "F4": 4, "F6_E2M3": 6, "F6_E3M2": 6}
CONFIG_DTYPE = re.compile(r"(torch\.)?(float(16|32|64)|bfloat16|half|float|double|auto|float8_e4m3fn|"
                          r"float8_e5m2|u?int(8|16|32|64))")
_LAYER_NAME = re.compile(r"(?:^|\.)(?:h|layers|layer|blocks)\.(\d+)\.")


@dataclass(frozen=True)
class TensorInfo:
    dtype: str
    shape: tuple[int, ...]


def check_model_folder(folder: Path) -> None:
    """Explain precisely what is wrong with a folder that is not a loadable model."""
    if not folder.exists():
        raise ModelLoadError(f"Model folder not found: {folder}")
    if not folder.is_dir():
        raise ModelLoadError(f"{folder} is a file, not a model folder (a folder written by save_pretrained).")
    if not (folder / "config.json").is_file():
        raise ModelLoadError(f"{folder} is not a model folder: it has no config.json.")
    if not any(folder.glob("*.safetensors")):
        if any(folder.glob("*.bin")) or any(folder.glob("*.pt")) or any(folder.glob("*.pth")):
            raise ModelLoadError(
                f"{folder} has only PyTorch pickle weights (.bin); for safety aigc-desktop loads "
                "safetensors weights only. Re-save the model with save_pretrained(safe_serialization=True)."
            )
        raise ModelLoadError(f"{folder} has no model weights (*.safetensors).")
    config = read_config(folder / "config.json")
    check_config_numbers(config, folder / "config.json")
    tensors = read_weights(folder)
    check_layers(config, tensors, folder)


def read_json_file(path: Path, limit: int, what: str):
    """JSON from a file of at most limit bytes; anything malformed is one ModelLoadError."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise ModelLoadError(f"Could not read {path}: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise ModelLoadError(f"{path} is too large for {what} (over {limit // (1 << 20)} MB).")
    return parse_json(data, path, what)


def parse_json(data: bytes, path: Path, what: str):
    try:
        return json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    except RecursionError:
        raise ModelLoadError(f"{path} is not valid {what}: it is nested too deeply.") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelLoadError(f"{path} is not valid {what}: {str(exc).splitlines()[0][:200]}") from None


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def read_config(path: Path) -> dict:
    config = read_json_file(path, MAX_CONFIG_BYTES, "JSON")
    if not isinstance(config, dict):
        raise ModelLoadError(f"{path} is not a model configuration (it is not a JSON object).")
    return config


def _config_int(config: dict, keys: tuple[str, ...]) -> int | None:
    for key in keys:
        if key in config and config[key] is not None:
            return config[key]
    return None


def check_config_numbers(config: dict, path: Path) -> None:
    """Sizes a model is built from: positive whole numbers of sensible size, before anything is allocated."""
    sizes = {
        "number of layers": ("n_layer", "num_hidden_layers", "n_layers"),
        "number of attention heads": ("n_head", "num_attention_heads"),
        "hidden size": ("n_embd", "hidden_size", "d_model"),
        "vocabulary size": ("vocab_size",),
        "context length": ("n_positions", "max_position_embeddings", "n_ctx"),
    }
    values = {}
    for what, keys in sizes.items():
        value = _config_int(config, keys)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 1 << 31:
            raise ModelLoadError(f"{path} gives an impossible {what} ({str(value)[:40]}).")
        values[what] = value
    layers = values.get("number of layers")
    if layers is not None and layers > MAX_LAYERS:
        raise ModelLoadError(f"{path} asks for {layers} layers; no real model has more than {MAX_LAYERS}.")
    heads, hidden = values.get("number of attention heads"), values.get("hidden size")
    if heads and hidden and hidden % heads and "head_dim" not in config:
        raise ModelLoadError(f"{path}: the hidden size ({hidden}) is not a multiple of the number of "
                             f"attention heads ({heads}).")
    for key in ("torch_dtype", "dtype"):
        dtype = config.get(key)
        if dtype is not None and (not isinstance(dtype, str) or not CONFIG_DTYPE.fullmatch(dtype)):
            raise ModelLoadError(f"{path} names an unknown number type ({key}: {str(dtype)[:40]!r}).")


def weight_files(folder: Path) -> list[Path]:
    """The safetensors files the model is made of: the index's list when there is one, all of them otherwise."""
    index = folder / INDEX_NAME
    if not index.is_file():
        return sorted(folder.glob("*.safetensors"))
    data = read_json_file(index, MAX_CONFIG_BYTES * 16, "JSON")
    weight_map = data.get("weight_map") if isinstance(data, dict) else None
    if not isinstance(weight_map, dict) or not weight_map:
        raise ModelLoadError(f"{index} has no weight_map: it does not say where the weights are.")
    names = set()
    for name in weight_map.values():
        if (not isinstance(name, str) or not name.endswith(".safetensors") or "/" in name or "\\" in name
                or name.startswith(".")):
            raise ModelLoadError(f"{index} points at {str(name)[:80]!r}; for safety only .safetensors files "
                                 "in the model's own folder are loaded.")
        names.add(name)
    missing = sorted(n for n in names if not (folder / n).is_file())
    if missing:
        raise ModelLoadError(f"{folder} is incomplete: {missing[0]} (listed in {INDEX_NAME}) is missing.")
    return [folder / n for n in sorted(names)]


def read_weights(folder: Path) -> dict[str, TensorInfo]:
    tensors: dict[str, TensorInfo] = {}
    for path in weight_files(folder):
        tensors.update(read_safetensors_header(path))
    return tensors


def read_safetensors_header(path: Path) -> dict[str, TensorInfo]:
    """Every tensor's dtype and shape, after checking that the header describes this file exactly."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            prefix = handle.read(8)
            if size == 0:
                raise ModelLoadError(f"{path} is empty: the weights are missing.")
            if len(prefix) < 8:
                raise ModelLoadError(f"{path} is truncated: it is not a complete safetensors file.")
            (length,) = struct.unpack("<Q", prefix)
            if length > MAX_HEADER_BYTES or 8 + length > size:
                raise ModelLoadError(f"{path} is truncated or damaged: its header claims {length} bytes.")
            raw = handle.read(length)
    except OSError as exc:
        raise ModelLoadError(f"Could not read {path}: {exc.strerror or exc}") from None
    header = parse_json(raw, path, "safetensors (its header)")
    if not isinstance(header, dict):
        raise ModelLoadError(f"{path} is not a safetensors file (its header is not a JSON object).")
    return _check_tensors(header, size - 8 - length, path)


def _check_tensors(header: dict, data_bytes: int, path: Path) -> dict[str, TensorInfo]:
    tensors, spans = {}, []
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        try:
            dtype, shape, (begin, end) = entry["dtype"], entry["shape"], entry["data_offsets"]
            if dtype not in DTYPE_BITS or not isinstance(shape, list):
                raise ValueError
            if not all(type(n) is int and 0 <= n for n in shape + [begin, end]):
                raise ValueError
        except (TypeError, KeyError, ValueError):
            raise ModelLoadError(f"{path} is damaged: the entry for tensor {str(name)[:80]!r} is invalid.") from None
        needed = (math.prod(shape) * DTYPE_BITS[dtype] + 7) // 8
        if not begin <= end <= data_bytes or end - begin != needed:
            raise ModelLoadError(f"{path} is truncated or damaged: tensor {str(name)[:80]!r} claims bytes "
                                 f"the file does not hold.")
        tensors[name] = TensorInfo(dtype, tuple(shape))
        spans.append((begin, end))
    spans.sort()
    if any(b < a_end for (_, a_end), (b, _) in zip(spans, spans[1:])):
        raise ModelLoadError(f"{path} is damaged: two of its tensors overlap.")
    return tensors


def check_layers(config: dict, tensors: dict[str, TensorInfo], folder: Path) -> None:
    """The weights hold every layer the config asks for: a missing layer would run with random weights."""
    if not tensors:
        raise ModelLoadError(f"{folder} holds no tensors: its weights file is empty.")
    layers = _config_int(config, ("n_layer", "num_hidden_layers", "n_layers"))
    found = {int(m.group(1)) for name in tensors for m in [_LAYER_NAME.search(name)] if m}
    if not isinstance(layers, int) or not found:
        return
    missing = sorted(set(range(layers)) - found)
    if missing:
        raise ModelLoadError(f"{folder} is incomplete: the config asks for {layers} layers but the weights hold "
                             f"{len(found & set(range(layers)))}; it would run with random layers.")


def check_gguf_file(path: Path) -> None:
    """A single-file GGUF model (llama.cpp's format), as GPT4All and LM Studio use."""
    if not path.exists():
        raise ModelLoadError(f"GGUF file not found: {path}")
    if not path.is_file():
        raise ModelLoadError(f"{path} is a folder, not a GGUF file.")
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            head = handle.read(24)
    except OSError as exc:
        raise ModelLoadError(f"Could not read {path}: {exc.strerror or exc}") from None
    if head[:4] != GGUF_MAGIC:
        raise ModelLoadError(f"{path} is not a GGUF file (it does not start with 'GGUF').")
    if len(head) < 24:
        raise ModelLoadError(f"{path} is truncated: it is not a complete GGUF file.")
    version, tensors, fields = struct.unpack("<IQQ", head[4:24])
    if version not in (2, 3):
        raise ModelLoadError(f"{path} is GGUF version {version}, which is not supported (2 and 3 are).")
    # Each metadata field takes at least 13 bytes and each tensor entry at least 24: counts
    # beyond what the file can hold would make a reader loop or allocate for nothing.
    if fields * 13 + tensors * 24 > size - 24 or tensors == 0:
        raise ModelLoadError(f"{path} is truncated or damaged: its header claims {tensors} tensors and "
                             f"{fields} fields.")


def gguf_cache_root() -> Path:
    """Where dequantised GGUF models are kept as safetensors (converting takes seconds to minutes)."""
    return cache_dir("gguf")


# The converted copy's layout; a new one makes a new folder, and the old one is removed once it exists.
# 1 (no suffix): fp32. 2: a quantised file's matrices in fp16, half the size.
GGUF_CACHE_VERSION = 2


def gguf_cache_folder(path: Path, version: int | None = None) -> Path:
    """The converted copy of this GGUF file (a new one when the file changes), in the current layout or `version`'s."""
    path = Path(path)
    version = GGUF_CACHE_VERSION if version is None else version
    stat = path.stat()
    suffix = f"|v{version}" if version > 1 else ""
    key = hashlib.sha256(f"{path}|{stat.st_size}|{stat.st_mtime_ns}{suffix}".encode()).hexdigest()[:24]
    return gguf_cache_root() / key


def remove_old_gguf_caches(path: Path) -> None:
    """Remove this file's copies in an older layout (500 MB each for a 100 MB file)."""

    for version in range(1, GGUF_CACHE_VERSION):
        try:
            shutil.rmtree(gguf_cache_folder(path, version))
        except OSError:
            pass  # none, or already gone


def gguf_is_converted(path: Path) -> bool:
    """True when loading this GGUF file reads the converted copy (fast) rather than converting it (once)."""
    try:
        cached = gguf_cache_folder(path)
    except OSError:
        return False
    return (cached / "config.json").is_file() and any(cached.glob("*.safetensors"))
