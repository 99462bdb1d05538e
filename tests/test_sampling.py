"""The engine's own no-repeat n-gram processor bans exactly what transformers' does, step by step."""

from __future__ import annotations

import pytest
import torch
from transformers.generation import NoRepeatNGramLogitsProcessor

from aigc_desktop.engine.text.sampling import NoRepeatNGram


@pytest.mark.parametrize("n", [1, 2, 3, 4])
@pytest.mark.parametrize("rows", [1, 3])
def test_same_bans_as_transformers_at_every_step(n, rows):
    generator = torch.Generator().manual_seed(n * 10 + rows)
    vocab = 4  # a small vocabulary, so n-grams repeat often
    ids = torch.randint(0, vocab, (rows, 20), generator=generator)
    ours, theirs = NoRepeatNGram(n), NoRepeatNGramLogitsProcessor(n)
    banned_steps = 0
    for step in range(40):
        scores = torch.randn(rows, vocab, generator=generator)
        expected = theirs(ids, scores.clone())
        got = ours(ids, scores)
        assert torch.equal(got, expected), step
        banned_steps += int(torch.isinf(expected).any())
        choice = torch.randint(0, vocab, (rows, 1), generator=generator)
        ids = torch.cat([ids, choice], dim=-1)
    assert banned_steps > 5  # the comparison covered real bans, not just empty ones


def test_the_scores_given_are_not_changed():
    ids = torch.tensor([[1, 2, 3, 1, 2]])
    scores = torch.zeros(1, 5)
    out = NoRepeatNGram(3)(ids, scores)
    assert torch.isinf(out[0, 3]) and not torch.isinf(scores).any()


@pytest.mark.parametrize("top_k,top_p", [(50, 0.95), (5, 0.5), (1, 0.9), (400, 0.99)])
def test_top_k_then_top_p_keeps_what_transformers_keeps(top_k, top_p):
    from transformers.generation import LogitsProcessorList, TopKLogitsWarper, TopPLogitsWarper

    from aigc_desktop.engine.text.sampling import TopKThenTopP

    generator = torch.Generator().manual_seed(top_k)
    ids = torch.zeros(3, 4, dtype=torch.long)
    reference = LogitsProcessorList([TopKLogitsWarper(top_k), TopPLogitsWarper(top_p)])
    for _ in range(20):
        scores = torch.randn(3, 1000, generator=generator) * 3
        expected, got = reference(ids, scores.clone()), TopKThenTopP(top_k, top_p)(ids, scores.clone())
        assert torch.equal(torch.isinf(got), torch.isinf(expected))
        assert torch.equal(got[~torch.isinf(got)], expected[~torch.isinf(expected)])
