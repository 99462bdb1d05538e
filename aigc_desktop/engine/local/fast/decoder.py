"""The fast runtime seen as a step decoder (step_decoders.StepDecoder)."""

from __future__ import annotations

import numpy as np
import torch

from .session import KVCache, StepSession


class FastDecoder:
    """Decodes with an ONNX Runtime step graph; logits come back as torch tensors for the samplers."""

    def __init__(self, session: StepSession, cache: KVCache | None = None) -> None:
        self._session = session
        self._cache = cache or session.cache(1)

    @property
    def length(self) -> int:
        return self._cache.length

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        rows = ids.shape[0]
        if rows != self._cache.rows:
            raise ValueError(f"this decoder has {self._cache.rows} rows, not {rows}")
        logits = self._cache.forward(ids.numpy())
        return torch.from_numpy(np.array(logits))  # a copy: the buffer is reused by the next step

    def keep(self, length: int) -> None:
        self._cache.keep(length)

    def fork(self, rows: int, length: int) -> "FastDecoder":
        return FastDecoder(self._session, self._cache.fork(rows, length))
