"""Choosing the torch device and the weight dtype that suits it."""

from __future__ import annotations

import os

import torch

from ..errors import ModelLoadError
from ..text.options import DEVICE_CHOICES  # noqa: F401  (re-exported: the choices this module resolves)


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend and backend.is_available())


def resolve_device(name: str = "auto") -> torch.device:
    """Turn a user's device choice into a torch.device, or explain why not."""
    name = (name or "auto").strip().lower()
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    kind = name.split(":", 1)[0]
    if kind not in DEVICE_CHOICES:
        raise ModelLoadError(
            f"Unknown device '{name}'. Choose one of: {', '.join(DEVICE_CHOICES)}."
        )
    if kind == "cuda" and not torch.cuda.is_available():
        raise ModelLoadError("CUDA was requested but no CUDA GPU is available; use --device cpu.")
    if kind == "mps" and not _mps_available():
        raise ModelLoadError("MPS was requested but Apple's Metal backend is not available; use --device cpu.")
    return torch.device(name)


def dtype_for(device: torch.device) -> torch.dtype:
    """fp32 on CPU (fast and exact there); half precision on GPUs."""
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    if device.type == "mps":
        return torch.float16
    return torch.float32


def describe(device: torch.device) -> str:
    """A short label for the status bar, e.g. 'CPU' or 'CUDA (NVIDIA H200)'."""
    if device.type == "cuda":
        return f"CUDA ({torch.cuda.get_device_name(device)})"
    return device.type.upper()


def detected() -> str:
    """What this machine offers, for the settings dialog: GPU names and free memory."""

    found = [f"CPU ({os.cpu_count() or 1} cores)"]
    if torch.cuda.is_available():
        for index in range(torch.cuda.device_count()):
            free, _total = torch.cuda.mem_get_info(index)
            found.append(f"cuda:{index} {torch.cuda.get_device_name(index)} ({free / 2**30:.1f} GB free)")
    if _mps_available():
        found.append("Apple GPU (MPS)")
    return "; ".join(found)

