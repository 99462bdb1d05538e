"""Choosing the next token: the same logits processors `model.generate` uses."""

from __future__ import annotations

from typing import cast

import torch
from transformers.generation.logits_process import (
    LogitsProcessor,
    LogitsProcessorList,
    RepetitionPenaltyLogitsProcessor,
    TemperatureLogitsWarper,
    TopKLogitsWarper,
    TopPLogitsWarper,
)

from .request import ContinuationRequest


class NoRepeatNGram(LogitsProcessor):
    """transformers' NoRepeatNGramLogitsProcessor, kept up to date one token at a time.

    Every built-in preset bans repeated 4-grams. transformers' processor indexes the
    whole context again at every step (a Python loop over up to a window of tokens);
    this one indexes each position once per run, so a step costs the same at the end of
    a long context as at its start. Same bans, same result (tests/test_sampling.py).
    Use one instance per run: it remembers the rows it has seen.
    """

    def __init__(self, n: int) -> None:
        self.n = n
        self._tables: list[dict[tuple[int, ...], set[int]]] = []
        self._indexed = 0  # positions of input_ids already in the tables
        self._rows: list[list[int]] = []

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        rows, length = input_ids.shape
        if rows != len(self._rows):  # the first call, or another batch: start over
            self._rows, self._tables, self._indexed = [[] for _ in range(rows)], [{} for _ in range(rows)], 0
        new = input_ids[:, self._indexed:].tolist()
        n, banned_any = self.n, False
        bans: list[list[int]] = []
        for row, table, tail in zip(self._rows, self._tables, new):
            for token in tail:
                row.append(token)
                if len(row) >= n:
                    table.setdefault(tuple(row[-n:-1]), set()).add(row[-1])
            banned = table.get(tuple(row[len(row) - n + 1:])) if len(row) + 1 >= n else None
            bans.append(sorted(banned) if banned else [])
            banned_any = banned_any or bool(banned)
        self._indexed = length
        if not banned_any:
            return scores
        out = scores.clone()
        for r, banned in enumerate(bans):
            if banned:
                out[r, banned] = -float("inf")
        return cast(torch.FloatTensor, out)


class TopKThenTopP(LogitsProcessor):
    """transformers' TopKLogitsWarper followed by its TopPLogitsWarper, with the top-p sort on k scores.

    TopP sorts the whole vocabulary at every step (50,257 scores for GPT-2, about a
    millisecond on one core); after top-k only k of them are finite, so sorting those k
    gives the same distribution. The one difference: scores tied exactly with the k-th
    are dropped here, where TopK would keep them.
    """

    def __init__(self, top_k: int, top_p: float) -> None:
        self.top_k = top_k
        self.top_p = TopPLogitsWarper(top_p)

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        k = min(self.top_k, scores.shape[-1])
        top = torch.topk(scores, k, dim=-1)
        kept = self.top_p(input_ids, cast(torch.FloatTensor, top.values))
        return cast(torch.FloatTensor, torch.full_like(scores, -float("inf")).scatter_(-1, top.indices, kept))


def build_processors(request: ContinuationRequest) -> LogitsProcessorList:
    """Penalties always; temperature/top-k/top-p only when sampling (as generate does)."""
    processors = LogitsProcessorList()
    if request.repetition_penalty != 1.0:
        processors.append(RepetitionPenaltyLogitsProcessor(request.repetition_penalty))
    if request.no_repeat_ngram_size > 0:
        processors.append(NoRepeatNGram(request.no_repeat_ngram_size))
    if not request.greedy:
        if request.temperature != 1.0:
            processors.append(TemperatureLogitsWarper(request.temperature))
        if request.top_k > 0 and request.top_p < 1.0:
            processors.append(TopKThenTopP(request.top_k, request.top_p))
        elif request.top_k > 0:
            processors.append(TopKLogitsWarper(request.top_k))
        elif request.top_p < 1.0:
            processors.append(TopPLogitsWarper(request.top_p))
    return processors


def choose_next(scores: torch.Tensor, greedy: bool, rng: torch.Generator) -> torch.Tensor:
    """Next token id for each row of scores, shape [batch, 1]."""
    if greedy:
        return scores.argmax(dim=-1, keepdim=True)
    probs = torch.softmax(scores.float(), dim=-1)
    broken = ~torch.isfinite(probs).all(dim=-1, keepdim=True)
    if broken.any():  # scores that overflowed (inf - inf): those rows take the most likely token
        probs = torch.where(broken, torch.nn.functional.one_hot(scores.argmax(dim=-1), scores.shape[-1]).float(),
                            probs)
    return torch.multinomial(probs, num_samples=1, generator=rng)
