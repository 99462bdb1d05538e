"""The model a bench run measures: a folder or hub id given by the user, or a
randomly initialised GPT-2 of a published shape with the real GPT-2 tokenizer.

A gpt2-shaped model is saved once with save_pretrained into a cache folder and
then loaded through the engine's own `load_model`, so the measured path is the
product's path. Random weights decode exactly as fast as trained ones.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

# n_positions, vocab_size and the rest are GPT2Config() defaults (the published gpt2).
SHAPES = {
    "small": {},
    "medium": {"n_embd": 1024, "n_layer": 24, "n_head": 16},
    "distil": {"n_layer": 6},
}
_COMPLETE = ".bench-complete"


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "aigc-desktop" / "bench"


def parse_overrides(text: str | None) -> dict[str, int]:
    """'n_embd=64,n_layer=1' -> {'n_embd': 64, 'n_layer': 1} (a hidden option for fast tests)."""
    result: dict[str, int] = {}
    for item in filter(None, (part.strip() for part in (text or "").split(","))):
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"'{item}' is not NAME=NUMBER")
        result[key.strip()] = int(value)
    return result


def gpt2_shaped_folder(shape: str, tokenizer_dir: str, overrides: dict[str, int] | None = None,
                       root: Path | None = None) -> Path:
    """A saved random GPT2LMHeadModel of `shape` with the tokenizer of tokenizer_dir (built once)."""
    if shape not in SHAPES:
        raise ValueError(f"unknown shape '{shape}'; choose one of {', '.join(SHAPES)}")
    tokenizer_dir = str(Path(tokenizer_dir).expanduser().resolve())
    if not os.path.isdir(tokenizer_dir):
        raise ValueError(f"tokenizer folder not found: {tokenizer_dir}")
    shape_config = {**SHAPES[shape], **(overrides or {})}
    key = json.dumps({"shape": shape, "config": shape_config, "tokenizer": tokenizer_dir}, sort_keys=True)
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    folder = (root or cache_root()) / f"gpt2-shaped-{shape}-{digest}"
    if (folder / _COMPLETE).is_file():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=folder.parent))
    try:
        _build(staging, tokenizer_dir, shape_config)
        (staging / _COMPLETE).write_text(key + "\n", encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder)  # an incomplete earlier attempt
        staging.rename(folder)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return folder


def _build(folder: Path, tokenizer_dir: str, shape_config: dict[str, Any]) -> None:
    import torch
    from transformers import AutoTokenizer, GPT2Config, GPT2LMHeadModel

    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    eos = tokenizer.eos_token_id
    config = GPT2Config(vocab_size=len(tokenizer), bos_token_id=eos, eos_token_id=eos, **shape_config)
    torch.manual_seed(0)
    model = GPT2LMHeadModel(config).eval()
    model.generation_config.pad_token_id = eos
    tokenizer.save_pretrained(folder)
    model.save_pretrained(folder)
