"""Choosing the next token: the same logits processors `model.generate` uses."""

from __future__ import annotations

import torch
from transformers.generation.logits_process import (
    LogitsProcessorList,
    NoRepeatNGramLogitsProcessor,
    RepetitionPenaltyLogitsProcessor,
    TemperatureLogitsWarper,
    TopKLogitsWarper,
    TopPLogitsWarper,
)

from .request import ContinuationRequest


def build_processors(request: ContinuationRequest) -> LogitsProcessorList:
    """Penalties always; temperature/top-k/top-p only when sampling (as generate does)."""
    processors = LogitsProcessorList()
    if request.repetition_penalty != 1.0:
        processors.append(RepetitionPenaltyLogitsProcessor(request.repetition_penalty))
    if request.no_repeat_ngram_size > 0:
        processors.append(NoRepeatNGramLogitsProcessor(request.no_repeat_ngram_size))
    if not request.greedy:
        if request.temperature != 1.0:
            processors.append(TemperatureLogitsWarper(request.temperature))
        if request.top_k > 0:
            processors.append(TopKLogitsWarper(request.top_k))
        if request.top_p < 1.0:
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
