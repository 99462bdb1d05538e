"""Checking a model folder or GGUF file before loading it: fast, and free of torch imports.

The model manager calls these on the GUI thread to say at once what is wrong
with a folder the user picked; the loader calls them again before loading.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from .errors import ModelLoadError

GGUF_MAGIC = b"GGUF"


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


def check_gguf_file(path: Path) -> None:
    """A single-file GGUF model (llama.cpp's format), as GPT4All and LM Studio use."""
    if not path.exists():
        raise ModelLoadError(f"GGUF file not found: {path}")
    if not path.is_file():
        raise ModelLoadError(f"{path} is a folder, not a GGUF file.")
    with open(path, "rb") as handle:
        if handle.read(4) != GGUF_MAGIC:
            raise ModelLoadError(f"{path} is not a GGUF file (it does not start with 'GGUF').")


def gguf_cache_root() -> Path:
    """Where dequantised GGUF models are kept as safetensors (converting takes seconds to minutes)."""
    override = os.environ.get("AIGC_DESKTOP_CACHE")
    if override:
        return Path(override) / "gguf"
    if os.name == "nt":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "aigc-desktop" / "gguf"


def gguf_cache_folder(path: Path) -> Path:
    """The converted copy of this GGUF file (a new one when the file changes)."""
    path = Path(path)
    stat = path.stat()
    key = hashlib.sha256(f"{path}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:24]
    return gguf_cache_root() / key


def gguf_is_converted(path: Path) -> bool:
    """True when loading this GGUF file reads the converted copy (fast) rather than converting it (once)."""
    try:
        cached = gguf_cache_folder(path)
    except OSError:
        return False
    return (cached / "config.json").is_file() and any(cached.glob("*.safetensors"))
