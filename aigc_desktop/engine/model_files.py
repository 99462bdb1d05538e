"""Checking a model folder or GGUF file before loading it: fast, and free of torch imports.

The model manager calls these on the GUI thread to say at once what is wrong
with a folder the user picked; the loader calls them again before loading.
"""

from __future__ import annotations

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
