"""Preparing the fast runtime for a loaded model: build its step graph once, keep it on disk, open it.

The graph is keyed by a fingerprint of the weights themselves (shapes, config and
a strided sample of every tensor), so a changed file or a merged style gets its
own graph, and a model seen before opens in a fraction of a second.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import torch

from ...app_dirs import cache_dir
from .graph import SUPPORTED_TYPES, UnsupportedModel, build_step_graph
from .session import StepSession

GRAPH_FORMAT = 3  # bump when graph.py changes what it writes
_SAMPLE_STRIDE, _SAMPLE_MAX = 1021, 4096


def supports(model) -> bool:
    """Whether the fast runtime knows this architecture (its options may still rule it out)."""
    return getattr(model.config, "model_type", "") in SUPPORTED_TYPES


def fingerprint(model, bits: int | None) -> str:
    digest = hashlib.sha256(f"{GRAPH_FORMAT}|{bits}|{model.config.to_json_string()}".encode())
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            flat = tensor.detach().reshape(-1)
            sample = flat[::_SAMPLE_STRIDE][:_SAMPLE_MAX].float().cpu().numpy()
            digest.update(f"{name}{tuple(tensor.shape)}".encode())
            digest.update(sample.tobytes())
    return digest.hexdigest()[:32]


def graph_cache_root() -> Path:
    return cache_dir("fast")


def open_fast_session(model, bits: int | None = 8, threads: int | None = None, use_disk: bool = True) -> StepSession:
    """A step session for `model` (raises UnsupportedModel when the fast graph cannot express it)."""
    threads = threads or torch.get_num_threads()
    if not use_disk:
        graph, _ = build_step_graph(model, bits)
        return StepSession(graph.SerializeToString(), threads)
    folder = graph_cache_root() / fingerprint(model, bits)
    path = folder / "step.onnx"
    if path.is_file():
        try:
            return StepSession(str(path), threads)
        except Exception:  # a damaged cache file: build it again below
            path.unlink(missing_ok=True)
    graph, _ = build_step_graph(model, bits)
    data = graph.SerializeToString()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, staging = tempfile.mkstemp(dir=folder, suffix=".partial")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(staging, path)  # appears whole or not at all
    except OSError:
        pass  # no cache this time (read-only or full disk); the session still opens from memory
    return StepSession(data, threads)


__all__ = ["UnsupportedModel", "open_fast_session", "supports", "fingerprint"]
