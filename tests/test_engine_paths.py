"""Every decoding path keeps the engine's contract.

The paths: the transformers model (exact reference), the fast runtime's step graph
in fp32, and the fast runtime in int8 blocks (the editor's default on a CPU);
each on a byte-level GPT-2, a BERT-vocabulary Chinese GPT-2 and a Llama-family model.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest
import torch
from tiny_models import build_tiny_llama

from aigc_desktop.engine import ContinuationRequest, StopFlag
from aigc_desktop.engine.local.fast.runtime import open_fast_session
from aigc_desktop.engine.local.generator import Generator
from aigc_desktop.engine.local.loading import load_model

ENGLISH = "Once upon a time there was a small editor that wrote"
CHINESE = "今天天气真好，我想去公园散步。"
PATHS = ("torch", "fast-fp32", "fast-int8")


@pytest.fixture(scope="module")
def tiny_llama(tmp_path_factory):
    return load_model(str(build_tiny_llama(tmp_path_factory.mktemp("tiny-llama"))), device="cpu")


@pytest.fixture(scope="module")
def models(tiny_gpt2, tiny_chinese, tiny_llama):
    return {"gpt2": tiny_gpt2, "chinese": tiny_chinese, "llama": tiny_llama}


_SESSIONS: dict = {}


def on_path(loaded, path: str):
    """The same loaded model, decoding on `path`."""
    if path == "torch":
        return loaded
    bits = None if path == "fast-fp32" else 8
    key = (id(loaded), bits)
    if key not in _SESSIONS:
        _SESSIONS[key] = open_fast_session(loaded.model, bits=bits, threads=1, use_disk=False)
    return dataclasses.replace(loaded, fast=_SESSIONS[key])


def greedy_reference(lm, text: str, n: int) -> list[int]:
    ids = list(lm.prefix_ids) + lm.tokenizer.encode(text, add_special_tokens=False)
    with torch.inference_mode():
        out = lm.model.generate(torch.tensor([ids]), do_sample=False, max_new_tokens=n, min_new_tokens=n,
                                attention_mask=torch.ones(1, len(ids), dtype=torch.long))
    return out[0, len(ids):].tolist()


def context_for(name: str) -> str:
    return CHINESE if name == "chinese" else ENGLISH


def greedy(text: str, n: int = 16, **extra) -> ContinuationRequest:
    return ContinuationRequest(text, max_new_tokens=n, temperature=0, **extra)


@pytest.mark.parametrize("name", ["gpt2", "chinese", "llama"])
@pytest.mark.parametrize("path", ["torch", "fast-fp32"])
def test_exact_paths_give_generates_greedy_tokens(models, name, path):
    lm = on_path(models[name], path)
    run = Generator(lm).stream(greedy(context_for(name), 16))
    list(run)
    reference = greedy_reference(models[name], context_for(name), 16)
    eos = [i for i, t in enumerate(reference) if t in lm.eos_ids]
    assert run.new_token_ids == reference[: eos[0] + 1] if eos else reference


@pytest.mark.parametrize("name", ["gpt2", "llama"])
def test_int8_blocks_agree_with_fp32_teacher_forced(models, name):
    """Fed the same tokens, the int8 graph's top choice matches fp32's almost everywhere."""
    lm = models[name]
    fast = on_path(lm, "fast-int8").fast
    ids = lm.tokenizer.encode(ENGLISH + " " + ENGLISH, add_special_tokens=False)
    with torch.inference_mode():
        reference = lm.model(torch.tensor([ids])).logits[0]
    cache = fast.cache()
    agree = 0
    for i, token in enumerate(ids):
        logits = torch.from_numpy(cache.forward(np.array([[token]])).copy())[0]
        agree += int(logits.argmax() == reference[i].argmax())
        assert torch.allclose(logits, reference[i], atol=0.05 * float(reference[i].abs().max()) + 0.05)
    assert agree / len(ids) >= 0.9


@pytest.mark.parametrize("name", ["gpt2", "chinese", "llama"])
@pytest.mark.parametrize("path", PATHS)
def test_probabilities_are_the_runs_own_distribution(models, name, path):
    lm = on_path(models[name], path)
    run = Generator(lm).stream(ContinuationRequest(context_for(name), max_new_tokens=12, temperature=0.9, seed=3))
    events = list(run)
    assert [t for e in events for t in e.token_ids] == run.new_token_ids
    for event in events:
        assert len(event.token_ids) == len(event.probabilities) == len(event.alternatives)
        for token, p, top in zip(event.token_ids, event.probabilities, event.alternatives):
            assert 0.0 < p <= 1.0
            probabilities = [q for _, q in top]
            assert len(top) == 5 and probabilities == sorted(probabilities, reverse=True)
            assert p <= probabilities[0] + 1e-6
            if token in dict(top):
                assert abs(dict(top)[token] - p) < 1e-5


@pytest.mark.parametrize("name", ["gpt2", "llama"])
@pytest.mark.parametrize("path", PATHS)
def test_stop_flag_is_checked_before_every_step(models, name, path):
    lm = on_path(models[name], path)
    stop = StopFlag()
    run = Generator(lm).stream(ContinuationRequest(ENGLISH, max_new_tokens=60, temperature=1.0, seed=2), stop)
    count = 0
    for event in run:
        count += len(event.token_ids)
        if count >= 3:
            stop.request_stop()
    assert run.finish_reason == "stopped"
    assert len(run.new_token_ids) == count  # no token was made after the flag was seen
    assert run.make_alternatives() == []


@pytest.mark.parametrize("name", ["gpt2", "chinese", "llama"])
@pytest.mark.parametrize("path", PATHS)
def test_prefix_reuse_gives_the_same_tokens_as_a_cold_run(models, name, path):
    lm = on_path(models[name], path)
    text = context_for(name)
    cold = Generator(lm).stream(greedy(text, 10))
    list(cold)
    generator = Generator(lm)
    list(generator.stream(greedy(text + cold.text[:3], 4)))  # another context sharing the prefix
    warm = generator.stream(greedy(text, 10))
    list(warm)
    assert warm.reused_tokens > 0
    assert warm.new_token_ids == cold.new_token_ids
    after_accept = generator.stream(greedy(text + warm.text, 6))  # continue after accepting
    list(after_accept)
    assert after_accept.reused_tokens >= warm.context_tokens


@pytest.mark.parametrize("name", ["gpt2", "chinese", "llama"])
@pytest.mark.parametrize("path", PATHS)
def test_candidates_come_after_the_stream_and_are_reproducible(models, name, path):
    lm = on_path(models[name], path)
    request = ContinuationRequest(context_for(name), max_new_tokens=10, temperature=1.0, alternatives=3, seed=11)
    texts = []
    for _ in range(2):
        generator = Generator(lm)
        run = generator.stream(request)
        list(run)
        assert run.alternatives == []  # not made while the first streamed
        others = run.make_alternatives()
        assert len(others) == 2 and run.make_alternatives() is others
        texts.append([run.text, *others])
    assert texts[0] == texts[1]
    assert all(not t.endswith("\ufffd") and "[CLS]" not in t for t in texts[0])
    if name == "chinese":  # no space beside a Chinese character (BERT decoding puts one between tokens)
        assert not any(re.search(r"[\u4e00-\u9fff] | [\u4e00-\u9fff]", t) for t in texts[0])


@pytest.mark.parametrize("path", PATHS)
def test_candidates_after_another_run_read_the_context_again(models, path):
    lm = on_path(models["gpt2"], path)
    generator = Generator(lm)
    request = ContinuationRequest(ENGLISH, max_new_tokens=8, temperature=1.0, alternatives=3, seed=5)
    run = generator.stream(request)
    list(run)
    list(generator.stream(greedy("Something else entirely", 4)))
    late = run.make_alternatives()
    fresh = Generator(lm).stream(request)
    list(fresh)
    assert late == fresh.make_alternatives()


@pytest.mark.parametrize("path", PATHS)
def test_stop_while_making_candidates_gives_none(models, path):
    lm = on_path(models["gpt2"], path)
    stop = StopFlag()
    run = Generator(lm).stream(ContinuationRequest(ENGLISH, max_new_tokens=8, temperature=1.0, alternatives=3), stop)
    list(run)
    stop.request_stop()
    assert run.make_alternatives() == []


@pytest.mark.parametrize("path", PATHS)
def test_stop_before_the_first_token_makes_nothing(models, path):
    lm = on_path(models["gpt2"], path)
    generator = Generator(lm)
    for _ in range(3):  # and the generator stays usable after each
        stop = StopFlag()
        stop.request_stop()
        run = generator.stream(ContinuationRequest(ENGLISH, max_new_tokens=8, alternatives=3), stop)
        assert list(run) == [] and run.new_token_ids == [] and run.finish_reason == "stopped"
        assert run.make_alternatives() == []
    run = generator.stream(greedy(ENGLISH, 4))
    list(run)
    assert len(run.new_token_ids) == 4
