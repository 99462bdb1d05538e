"""GGUF files for the llama.cpp peer: a transformers GPT-2 folder written as llama.cpp's
convert_hf_to_gguf.py writes it (f32 or q8_0), or an existing GGUF requantised by llama.cpp itself.

Files are cached under the bench's cache folder, keyed by the source's path, sizes and mtimes,
and written to a temporary name first, so a cache entry is always a whole file.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Callable

from .models import cache_root

TYPES = ("f32", "q8_0")
_FORMAT_VERSION = 1  # part of every cache key: bump when what is written changes
# GPT-2's Conv1D weights are stored [in, out]; llama.cpp wants them as nn.Linear's [out, in].
_CONV1D = (".c_attn.weight", ".c_proj.weight", ".c_fc.weight")
_NOT_WEIGHTS = (".attn.bias", ".attn.masked_bias")  # causal-mask buffers of older checkpoints


def gguf_cache_dir(root: Path | None = None) -> Path:
    return (root or cache_root()) / "gguf"


def export_gpt2(folder: str | os.PathLike, qtype: str = "f32", root: Path | None = None) -> Path:
    """The GGUF of a GPT2LMHeadModel folder (safetensors + byte-level BPE tokenizer), made once."""
    folder = Path(folder).expanduser().resolve()
    _check_type(qtype)
    if not (folder / "config.json").is_file():
        raise ValueError(f"not a model folder (no config.json): {folder}")
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    key = {"kind": "gpt2", "type": qtype, "source": str(folder),
           "files": [(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files]}
    dest = _cache_path(root, folder.name, key, qtype)
    if not dest.is_file():
        _write_atomically(dest, lambda tmp: _write_gpt2(folder, tmp, qtype))
    return dest


def requantize_gguf(source: str | os.PathLike, qtype: str, threads: int = 0,
                    root: Path | None = None) -> Path:
    """A copy of an existing GGUF in f32 or q8_0, made by llama.cpp's own quantizer (needs llama_cpp).

    Already-quantised tensors are dequantised first (allow_requantize), as `llama-quantize
    --allow-requantize` does; norms, biases and position embeddings stay f32.
    """
    source = Path(source).expanduser().resolve()
    _check_type(qtype)
    if not source.is_file():
        raise ValueError(f"GGUF file not found: {source}")
    import llama_cpp  # pyright: ignore[reportMissingImports]  (optional peer)

    stat = source.stat()
    key = {"kind": "requantize", "type": qtype, "source": str(source),
           "files": [(source.name, stat.st_size, stat.st_mtime_ns)]}
    dest = _cache_path(root, source.name.removesuffix(".gguf"), key, qtype)
    if dest.is_file():
        return dest
    ftype = {"f32": llama_cpp.LLAMA_FTYPE_ALL_F32, "q8_0": llama_cpp.LLAMA_FTYPE_MOSTLY_Q8_0}[qtype]

    def quantize(tmp: Path) -> None:
        params = llama_cpp.llama_model_quantize_default_params()
        params.ftype = ftype
        params.allow_requantize = True
        params.nthread = threads
        code = llama_cpp.llama_model_quantize(str(source).encode(), str(tmp).encode(), ctypes.byref(params))
        if code != 0:
            raise RuntimeError(f"llama.cpp could not quantize {source.name} to {qtype} (code {code})")

    _write_atomically(dest, quantize)
    return dest


def _check_type(qtype: str) -> None:
    if qtype not in TYPES:
        raise ValueError(f"unknown GGUF type '{qtype}'; choose one of {', '.join(TYPES)}")


def _cache_path(root: Path | None, stem: str, key: dict, qtype: str) -> Path:
    digest = hashlib.sha256(json.dumps({**key, "version": _FORMAT_VERSION}, sort_keys=True).encode()).hexdigest()
    return gguf_cache_dir(root) / f"{stem}-{digest[:12]}.{qtype}.gguf"


def _write_atomically(dest: Path, write: Callable[[Path], None]) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".partial", dir=dest.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def _write_gpt2(folder: Path, path: Path, qtype: str) -> None:
    import gguf
    import numpy as np

    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    if config.get("model_type") != "gpt2" or "GPT2LMHeadModel" not in config.get("architectures", ["GPT2LMHeadModel"]):
        raise ValueError(f"not a GPT-2 (GPT2LMHeadModel) folder: {folder}")
    n_embd, n_layer = config.get("n_embd", 768), config.get("n_layer", 12)
    vocab_size = config.get("vocab_size", 50257)
    tokens, token_types = _vocabulary(folder, vocab_size)
    special = gguf.SpecialVocab(folder, load_merges=True, n_vocab=len(tokens))
    if not special.merges:
        raise ValueError(f"llama.cpp's gpt2 needs a byte-level BPE tokenizer with merges: {folder}")

    writer = gguf.GGUFWriter(str(path), "gpt2")
    writer.add_name(folder.name)
    writer.add_block_count(n_layer)
    writer.add_context_length(config.get("n_ctx") or config.get("n_positions", 1024))
    writer.add_embedding_length(n_embd)
    writer.add_feed_forward_length(config.get("n_inner") or 4 * n_embd)
    writer.add_head_count(config.get("n_head", 12))
    writer.add_layer_norm_eps(config.get("layer_norm_epsilon", 1e-5))
    writer.add_file_type(gguf.LlamaFileType.ALL_F32 if qtype == "f32" else gguf.LlamaFileType.MOSTLY_Q8_0)
    writer.add_quantization_version(gguf.GGML_QUANT_VERSION)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("gpt-2")  # GPT-2's own pre-tokenizer regex
    writer.add_token_list(tokens)
    writer.add_token_types(token_types)
    special.add_to_gguf(writer, quiet=True)

    arch = next(key for key, value in gguf.MODEL_ARCH_NAMES.items() if value == "gpt2")
    names = gguf.get_tensor_name_map(arch, n_layer)
    for name, array in _safetensors(folder):
        if name.endswith(_NOT_WEIGHTS):
            continue
        gguf_name = names.get_name(name, try_suffixes=(".weight", ".bias"))
        if gguf_name is None:
            raise ValueError(f"unexpected tensor '{name}' in {folder}")
        if name.endswith(_CONV1D):
            array = array.T
        array = array.astype("float32", copy=False)
        # Where llama.cpp's converter keeps f32: 1-D tensors, position embeddings, rows not a whole block.
        if (qtype == "q8_0" and array.ndim == 2 and gguf_name != "position_embd.weight"
                and array.shape[-1] % 32 == 0):
            qt = gguf.GGMLQuantizationType.Q8_0
            writer.add_tensor(gguf_name, gguf.quants.quantize(array, qt), raw_dtype=qt)
        else:
            writer.add_tensor(gguf_name, np.ascontiguousarray(array))
    # A tied head (no lm_head.weight saved) is left out: llama.cpp's gpt2 then uses token_embd,
    # as it does for files from convert_hf_to_gguf.py.
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def _vocabulary(folder: Path, vocab_size: int) -> tuple[list[str], list[int]]:
    """Token strings and types by id, as convert_hf_to_gguf.py's get_vocab_base makes them."""
    from gguf import TokenType
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder)
    by_id = {index: token for token, index in tokenizer.get_vocab().items()}
    added = tokenizer.added_tokens_decoder
    tokens, types = [], []
    for index in range(vocab_size):  # ids past the model's vocabulary have no embedding
        if index not in by_id:
            tokens.append(f"[PAD{index}]")
            types.append(TokenType.UNUSED)
        elif index in added:
            tokens.append(by_id[index])
            types.append(TokenType.CONTROL if added[index].special else TokenType.USER_DEFINED)
        else:
            tokens.append(by_id[index])
            types.append(TokenType.NORMAL)
    return tokens, types


def _safetensors(folder: Path):
    """(name, float32 numpy array) for every tensor of the folder's safetensors files."""
    from safetensors import safe_open

    files = sorted(folder.glob("*.safetensors"))
    if not files:
        raise ValueError(f"no safetensors weights in {folder}")
    for file in files:
        with safe_open(str(file), framework="pt") as f:
            for name in f.keys():
                yield name, f.get_tensor(name).float().numpy()
