"""Step decoders: feed token ids, get the next-token logits, keep the key/value cache.

The decoding loop (generator.py) is written once against this small interface;
two decoders implement it:

* `TorchDecoder`: the transformers model itself with its dynamic cache. The
  exact reference (its greedy tokens are `generate`'s), and the path for GPUs
  and for architectures the fast runtime does not know.
* `fast.decoder.FastDecoder`: an ONNX Runtime step graph with a pre-allocated
  cache (engine/local/fast/), used on the CPU.

    length              tokens whose keys/values are cached (each row alike)
    forward(ids)        ids [rows, new] (torch, long) -> logits [rows, vocab] (float32)
    keep(length)        forget every cached token after the first `length`
    fork(rows, length)  a new decoder: `rows` copies of the first `length` cached tokens of row 0
"""

from __future__ import annotations

import copy
from typing import Protocol

import torch


class StepDecoder(Protocol):
    @property
    def length(self) -> int: ...

    def forward(self, ids: torch.Tensor) -> torch.Tensor: ...

    def keep(self, length: int) -> None: ...

    def fork(self, rows: int, length: int) -> "StepDecoder": ...


class TorchDecoder:
    """A transformers causal LM with its DynamicCache."""

    def __init__(self, model: torch.nn.Module, cache=None, length: int = 0) -> None:
        self._model = model
        self._cache = cache
        self.length = length

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        out = self._model(input_ids=ids, cache=self._cache, use_cache=True, logits_to_keep=1)
        self._cache = out.cache
        self.length += ids.shape[1]
        return out.logits[:, -1, :].float()

    def keep(self, length: int) -> None:
        surplus = self.length - max(0, length)
        if surplus > 0 and self._cache is not None:
            self._cache.crop(-surplus)  # transformers 5: a negative count of tokens to drop
            self.length -= surplus

    def fork(self, rows: int, length: int) -> "TorchDecoder":
        cache = copy.deepcopy(self._cache)
        other = TorchDecoder(self._model, cache, self.length)
        other.keep(length)
        if cache is not None:
            cache.batch_select_indices(torch.tensor([0], device=ids_device(self._model)))
            if rows > 1:
                cache.batch_repeat_interleave(rows)
        return other


def ids_device(model: torch.nn.Module) -> torch.device:
    return next(model.parameters()).device
