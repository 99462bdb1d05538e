"""Several candidates: the first streams alone, the others are made afterwards from the same context."""

from __future__ import annotations

import re

import torch

from aigc_desktop.engine import ContinuationRequest, StopFlag
from aigc_desktop.engine.local.generator import Generator

CONTEXT = "Once upon a time there was a small editor"


def greedy_reference(lm, text, n):
    ids = lm.tokenizer.encode(text, add_special_tokens=False)
    with torch.inference_mode():
        out = lm.model.generate(torch.tensor([ids]), do_sample=False, max_new_tokens=n,
                                attention_mask=torch.ones(1, len(ids), dtype=torch.long))
    return out[0, len(ids):].tolist()


def test_greedy_first_candidate_is_generate_and_others_differ(tiny_gpt2):
    generator = Generator(tiny_gpt2)
    run = generator.stream(ContinuationRequest(CONTEXT, max_new_tokens=12, temperature=0, alternatives=3, seed=5))
    events = list(run)
    assert run.new_token_ids == greedy_reference(tiny_gpt2, CONTEXT, 12)
    assert "".join(e.text for e in events) == run.text
    assert run.alternatives == []  # the first candidate streamed alone
    run.make_alternatives()
    assert len(run.alternatives) == 2
    assert any(alt != run.text for alt in run.alternatives)
    for alt in run.alternatives:
        assert not alt.endswith("\ufffd")


def test_sampled_candidates_are_reproducible_with_a_seed(tiny_chinese):
    generator = Generator(tiny_chinese)
    request = ContinuationRequest("今天天气真好，", max_new_tokens=10, temperature=1.0, alternatives=4, seed=11)
    first = generator.stream(request)
    list(first)
    first.make_alternatives()
    generator.reset_cache()
    second = generator.stream(request)
    list(second)
    second.make_alternatives()
    assert (first.text, first.alternatives) == (second.text, second.alternatives)
    texts = [first.text, *first.alternatives]
    assert len(set(texts)) > 1
    # No space beside a Chinese character (BERT decoding puts one between every token).
    assert not any(re.search(r"[\u4e00-\u9fff] | [\u4e00-\u9fff]", t) or "[CLS]" in t for t in texts)


def test_prefix_cache_survives_a_batched_run(tiny_gpt2):
    generator = Generator(tiny_gpt2)
    batched = generator.stream(ContinuationRequest(CONTEXT, max_new_tokens=6, temperature=0.9, alternatives=3, seed=1))
    list(batched)
    assert len(batched.make_alternatives()) == 2
    run = generator.stream(ContinuationRequest(CONTEXT, max_new_tokens=8, temperature=0))
    list(run)
    assert run.reused_tokens > 0
    assert run.new_token_ids == greedy_reference(tiny_gpt2, CONTEXT, 8)


def test_stop_ends_every_candidate_and_makes_no_others(tiny_gpt2):
    generator = Generator(tiny_gpt2)
    stop = StopFlag()
    run = generator.stream(ContinuationRequest(CONTEXT, max_new_tokens=60, temperature=1.0, alternatives=3, seed=2), stop)
    for i, _ in enumerate(run):
        if i == 1:
            stop.request_stop()
    assert run.finish_reason == "stopped"
    assert len(run.new_token_ids) < 60
    assert run.make_alternatives() == []  # Stop means stop: no candidates are made after it


def test_alternatives_are_validated():
    import pytest

    with pytest.raises(ValueError, match="alternatives"):
        ContinuationRequest("x", alternatives=6).validate()
