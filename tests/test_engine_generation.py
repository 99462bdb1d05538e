"""The decoding loop against transformers' own generate: same tokens, same probabilities, same seeds.

Both tiny models are real GPT-2 models loaded through load_model; nothing in the engine is mocked.
"""

from __future__ import annotations

import math
import re

import pytest
import torch

from aigc_desktop.engine import ContinuationRequest, GenerationError, StopFlag
from aigc_desktop.engine.text.detokenizer import remove_cjk_spaces
from aigc_desktop.engine.local.generator import Generator
from aigc_desktop.engine.local.loading import load_model

SPECIAL_TEXTS = ("[CLS]", "[SEP]", "[UNK]", "[PAD]", "[MASK]", "<|endoftext|>")


# --- independent references: transformers' own generate, a plain decode -------------------------

def context_ids(lm, text: str) -> list[int]:
    """What the model should see for a short context: the prefix ([CLS] for BERT vocab) and all of text."""
    return list(lm.prefix_ids) + lm.tokenizer.encode(text, add_special_tokens=False)


def _generate(lm, ids, max_new_tokens, **kwargs) -> list[int]:
    with torch.inference_mode():
        out = lm.model.generate(
            torch.tensor([ids], dtype=torch.long), max_new_tokens=max_new_tokens,
            attention_mask=torch.ones(1, len(ids), dtype=torch.long), **kwargs,
        )
    return out[0, len(ids):].tolist()


def reference_greedy(lm, ids: list[int], max_new_tokens: int, **kwargs) -> list[int]:
    """New token ids from transformers' own greedy search."""
    return _generate(lm, ids, max_new_tokens, do_sample=False, **kwargs)


def reference_sample(lm, ids: list[int], max_new_tokens: int, seed: int, **kwargs) -> list[int]:
    """New token ids from transformers' own sampling, seeded like the engine's torch.Generator."""
    torch.manual_seed(seed)
    return _generate(lm, ids, max_new_tokens, do_sample=True, **kwargs)


def expected_text(lm, new_ids: list[int]) -> str:
    """The text a run must show for new_ids: a plain decode, cleaned, without a trailing half character."""
    text = lm.tokenizer.decode(new_ids, skip_special_tokens=True)
    if lm.cjk_spaces:
        text = remove_cjk_spaces(text)
    return text.rstrip("\ufffd")


def run_all(generator, request, stop=None):
    run = generator.stream(request, stop)
    return run, list(run)


def check_events(lm, run, events) -> None:
    """The invariants every run's stream must keep, whatever made it end."""
    assert "".join(e.text for e in events) == run.text
    assert [t for e in events for t in e.token_ids] == run.new_token_ids
    for i, e in enumerate(events):
        assert not e.text.endswith("\ufffd"), e
        if i < len(events) - 1:
            assert e.text, "only the last event may carry no text"
        assert len(e.token_ids) == len(e.probabilities) == len(e.alternatives) > 0
        for p, alts in zip(e.probabilities, e.alternatives):
            assert 0.0 < p <= 1.0
            alt_probs = [q for _, q in alts]
            assert len(alts) == len({a for a, _ in alts}) == 5
            assert alt_probs == sorted(alt_probs, reverse=True)
            assert all(0.0 < q <= 1.0 for q in alt_probs)
            assert p <= alt_probs[0] + 1e-6  # nothing beats the most likely token
    for special in SPECIAL_TEXTS:
        assert special not in run.text
    assert len(run.new_token_ids) <= run.request.max_new_tokens


PROMPTS = {
    "gpt2": ["Once upon a time", "今天天气真好，我想去公园散步。", "The quick brown fox 🦊 jumps"],
    "chinese": ["今天天气真好，我想去公园散步。", "人工智能生成内容", "the writer 今天想去公园"],
}
CJK_SPACE_CJK = re.compile("[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef] +[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")
PENALTIES = [
    {},
    {"repetition_penalty": 2.0},
    {"no_repeat_ngram_size": 2},
    {"repetition_penalty": 1.5, "no_repeat_ngram_size": 3},
]


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(params=["gpt2", "chinese"])
def model_name(request):
    return request.param


@pytest.fixture
def lm(model_name, request):
    return request.getfixturevalue("tiny_gpt2" if model_name == "gpt2" else "tiny_chinese")


def _greedy(context: str, n: int, **penalties) -> ContinuationRequest:
    return ContinuationRequest(context=context, max_new_tokens=n, temperature=0, **penalties)


def _common_prefix(a: list[int], b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


# --- greedy equals transformers' greedy search ----------------------------------------------------

@pytest.mark.parametrize("penalties", PENALTIES, ids=["plain", "rep", "ngram", "rep+ngram"])
@pytest.mark.parametrize("prompt_index", [0, 1, 2])
def test_greedy_equals_generate(lm, model_name, prompt_index, penalties):
    prompt = PROMPTS[model_name][prompt_index]
    ids = context_ids(lm, prompt)
    run, events = run_all(Generator(lm), _greedy(prompt, 24, **penalties))
    assert run.context_tokens == len(ids)
    assert run.reused_tokens == 0
    assert run.new_token_ids == reference_greedy(lm, ids, 24, **penalties)
    check_events(lm, run, events)
    assert run.text == expected_text(lm, run.new_token_ids)
    if run.finish_reason == "length":
        assert len(run.new_token_ids) == 24
    else:
        assert run.finish_reason == "eos" and run.new_token_ids[-1] in lm.eos_ids


def test_penalties_change_greedy_output(tiny_chinese):
    """Otherwise the penalty cases above would prove nothing about passing them on."""
    prompt = PROMPTS["chinese"][0]
    plain, _ = run_all(Generator(tiny_chinese), _greedy(prompt, 24))
    penalised, _ = run_all(Generator(tiny_chinese), _greedy(prompt, 24, repetition_penalty=2.0))
    ngram, _ = run_all(Generator(tiny_chinese), _greedy(prompt, 24, no_repeat_ngram_size=2))
    assert plain.new_token_ids != penalised.new_token_ids
    assert plain.new_token_ids != ngram.new_token_ids
    # no_repeat_ngram_size=2: no bigram occurs twice in context + continuation.
    seq = context_ids(tiny_chinese, prompt) + ngram.new_token_ids
    bigrams = list(zip(seq, seq[1:]))
    assert len(bigrams) == len(set(bigrams))


def test_prefix_cache_reuse_and_crop_stay_exact(lm, model_name):
    """A sequence of requests on one Generator: warm cache, extended text, edited text, other text."""
    first = PROMPTS[model_name][0]
    generator = Generator(lm)
    penalties = {"repetition_penalty": 2.0}
    fed: list[int] = []  # ids whose keys/values the generator holds after each run
    contexts = [first, first, None, first[:-3] + "好的", PROMPTS[model_name][2], first]
    saw_reuse = saw_crop = False
    previous = None
    for context in contexts:
        if context is None:  # the editor's flow: accept the continuation, continue again
            context = first + previous.text
        ids = context_ids(lm, context)
        run, events = run_all(generator, _greedy(context, 12, **penalties))
        expected_reuse = max(0, min(_common_prefix(fed, ids), len(ids) - 1))
        assert run.reused_tokens == expected_reuse, context
        assert run.new_token_ids == reference_greedy(lm, ids, 12, **penalties), context
        check_events(lm, run, events)
        saw_reuse |= run.reused_tokens > 0
        saw_crop |= 0 < run.reused_tokens < len(fed) - 1
        fed = ids + run.new_token_ids[:-1]
        previous = run
    assert saw_reuse and saw_crop
    # The same context twice: everything but the last context token came from the cache.
    again, _ = run_all(generator, _greedy(first, 12, **penalties))
    assert again.reused_tokens == again.context_tokens - 1 > 0


def test_cache_stays_exact_after_a_stopped_or_abandoned_run(tiny_gpt2):
    generator = Generator(tiny_gpt2)
    prompt = "Once upon a time"
    ids = context_ids(tiny_gpt2, prompt)
    reference = reference_greedy(tiny_gpt2, ids, 20, repetition_penalty=2.0)

    stop = StopFlag()
    run = generator.stream(_greedy(prompt, 20, repetition_penalty=2.0), stop)
    for i, _ in enumerate(run):
        if i == 2:
            stop.request_stop()
    assert run.finish_reason == "stopped"
    assert run.new_token_ids == reference[: len(run.new_token_ids)]

    after_stop, _ = run_all(generator, _greedy(prompt, 20, repetition_penalty=2.0))
    assert after_stop.reused_tokens > 0
    assert after_stop.new_token_ids == reference

    abandoned = generator.stream(_greedy(prompt + " there", 20, repetition_penalty=2.0))
    for i, _ in enumerate(abandoned):
        if i == 4:
            break
    del abandoned  # the consumer walked away mid-stream

    after_break, _ = run_all(generator, _greedy(prompt, 20, repetition_penalty=2.0))
    assert after_break.reused_tokens > 0
    assert after_break.new_token_ids == reference


# --- sampling -------------------------------------------------------------------------------------

SAMPLING = [
    {"temperature": 0.7, "top_k": 20, "top_p": 0.9},
    {"temperature": 1.0, "top_k": 0, "top_p": 1.0},
    {"temperature": 1.3, "top_k": 50, "top_p": 0.95, "repetition_penalty": 1.3, "no_repeat_ngram_size": 2},
]


@pytest.mark.parametrize("settings", SAMPLING, ids=["t0.7", "t1-full", "t1.3-penalties"])
def test_seeded_sampling_equals_generate(lm, model_name, settings):
    prompt = PROMPTS[model_name][0]
    ids = context_ids(lm, prompt)
    request = ContinuationRequest(prompt, max_new_tokens=30, seed=123, **settings)
    run, events = run_all(Generator(lm), request)
    assert run.seed == 123
    assert run.new_token_ids == reference_sample(lm, ids, 30, seed=123, **settings)
    check_events(lm, run, events)
    assert run.text == expected_text(lm, run.new_token_ids)


def test_same_seed_same_tokens_different_seed_different_tokens(lm, model_name):
    prompt = PROMPTS[model_name][0]
    generator = Generator(lm)

    def sample(seed):
        run, events = run_all(generator, ContinuationRequest(prompt, max_new_tokens=30, temperature=1.0, seed=seed))
        return run.new_token_ids, [e.text for e in events]

    first, again, other = sample(7), sample(7), sample(8)
    assert first == again  # (second run on a warm cache: still the same draws)
    assert run_all(Generator(lm), ContinuationRequest(prompt, max_new_tokens=30, temperature=1.0, seed=7))[0].new_token_ids == first[0]
    assert first[0] != other[0]


def test_unseeded_runs_draw_fresh_seeds_that_reproduce(tiny_chinese):
    generator = Generator(tiny_chinese)
    request = ContinuationRequest("今天天气真好", max_new_tokens=20, temperature=1.0)
    a, _ = run_all(generator, request)
    b, _ = run_all(generator, request)
    assert a.seed != b.seed
    assert 0 <= a.seed < 2**63
    assert a.new_token_ids != b.new_token_ids
    replay, _ = run_all(generator, ContinuationRequest("今天天气真好", max_new_tokens=20, temperature=1.0, seed=a.seed))
    assert replay.new_token_ids == a.new_token_ids


# --- stream contents ------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(6))
def test_stream_invariants_on_sampled_text(lm, model_name, seed):
    """High-temperature sampling of a random model: broken UTF-8, specials, odd spacing all show up."""
    for prompt in PROMPTS[model_name]:
        request = ContinuationRequest(prompt, max_new_tokens=40, temperature=1.5, top_k=0, top_p=1.0, seed=seed)
        run, events = run_all(Generator(lm), request)
        check_events(lm, run, events)
        assert run.text == expected_text(lm, run.new_token_ids)
        assert run.finish_reason in ("length", "eos")
        if run.finish_reason == "length":
            assert len(run.new_token_ids) == 40
        else:
            assert run.new_token_ids[-1] in lm.eos_ids
            assert sum(t in lm.eos_ids for t in run.new_token_ids) == 1
        if lm.cjk_spaces:
            assert not CJK_SPACE_CJK.search(run.text), run.text


def test_stream_events_hold_back_half_characters(tiny_gpt2):
    """The byte-level model splits characters across tokens: such tokens ride with a later event."""
    multi_token_events = 0
    for seed in range(6):
        request = ContinuationRequest("今天天气真好，", max_new_tokens=40, temperature=1.5, top_k=0, top_p=1.0, seed=seed)
        run, events = run_all(Generator(tiny_gpt2), request)
        check_events(tiny_gpt2, run, events)
        multi_token_events += sum(len(e.token_ids) > 1 for e in events)
    assert multi_token_events > 0


def test_run_that_ends_with_eos(tiny_gpt2):
    """eos ends the run, is counted in new_token_ids and its event, and never shows as text."""
    eos = next(iter(tiny_gpt2.eos_ids))
    for seed in range(50):
        request = ContinuationRequest("Once upon a time", max_new_tokens=60, temperature=1.0, top_k=0, top_p=1.0, seed=seed)
        run, events = run_all(Generator(tiny_gpt2), request)
        if run.finish_reason == "eos":
            break
    else:
        pytest.fail("no seed produced eos")
    assert run.new_token_ids[-1] == eos and eos not in run.new_token_ids[:-1]
    assert events[-1].token_ids[-1] == eos
    check_events(tiny_gpt2, run, events)
    ids = context_ids(tiny_gpt2, "Once upon a time")
    assert run.new_token_ids == reference_sample(tiny_gpt2, ids, 60, seed=seed, temperature=1.0, top_k=0, top_p=1.0)


@pytest.mark.parametrize("penalties", [{}, {"repetition_penalty": 1.5, "no_repeat_ngram_size": 2}], ids=["plain", "penalties"])
def test_probabilities_and_alternatives_are_the_models_distribution(lm, model_name, penalties):
    prompt = PROMPTS[model_name][0]
    ids = context_ids(lm, prompt)
    run, events = run_all(Generator(lm), _greedy(prompt, 20, **penalties))
    probs = [p for e in events for p in e.probabilities]
    alts = [a for e in events for a in e.alternatives]
    assert len(probs) == len(run.new_token_ids) > 0
    with torch.inference_mode():
        logits = lm.model(input_ids=torch.tensor([ids + run.new_token_ids])).logits[0].float()
    for step, token in enumerate(run.new_token_ids):
        dist = torch.softmax(logits[len(ids) - 1 + step], dim=-1)
        assert math.isclose(probs[step], float(dist[token]), abs_tol=1e-4), step
        top = torch.topk(dist, 5)
        assert [a for a, _ in alts[step]] == top.indices.tolist(), step
        for (_, q), expected in zip(alts[step], top.values.tolist()):
            assert math.isclose(q, expected, abs_tol=1e-4)
        if not penalties:
            assert alts[step][0][0] == token  # greedy picks the most likely token
    if penalties:
        # The penalties made greedy pick something other than the raw favourite at least once.
        assert any(alts[i][0][0] != t for i, t in enumerate(run.new_token_ids))


def test_run_timings(tiny_gpt2):
    run, _ = run_all(Generator(tiny_gpt2), _greedy("Once upon a time", 16, repetition_penalty=2.0))
    assert run.first_token_seconds is not None
    assert 0 < run.first_token_seconds <= run.elapsed_seconds
    assert run.tokens_per_second > 0
    assert run.window == 128


# --- stopping -------------------------------------------------------------------------------------

def test_stop_before_start_yields_nothing(lm):
    stop = StopFlag()
    stop.request_stop()
    run, events = run_all(Generator(lm), _greedy(PROMPTS["chinese"][0], 20), stop)
    assert events == []
    assert run.new_token_ids == []
    assert run.text == ""
    assert run.finish_reason == "stopped"


@pytest.mark.parametrize("temperature", [0, 1.2])
def test_stop_mid_stream_from_the_consuming_loop(lm, temperature):
    stop = StopFlag()
    request = ContinuationRequest("今天天气真好，", max_new_tokens=60, temperature=temperature, seed=3,
                                  repetition_penalty=2.0)
    run = Generator(lm).stream(request, stop)
    before, after = [], []
    tokens_at_stop = None
    for event in run:
        (after if stop.is_set() else before).append(event)
        if len(before) == 3 and not stop.is_set():
            stop.request_stop()
            tokens_at_stop = len(run.new_token_ids)
    assert tokens_at_stop is not None, "the run ended before a 3rd event"
    assert run.finish_reason == "stopped"
    assert len(after) <= 1  # at most the flush of text held back when the stop came
    assert len(run.new_token_ids) == tokens_at_stop  # not one more forward pass
    check_events(lm, run, before + after)
    assert run.text == expected_text(lm, run.new_token_ids)


def test_stop_from_another_thread_while_a_worker_iterates(tiny_chinese):
    import threading

    stop = StopFlag()
    request = ContinuationRequest("今天天气真好，", max_new_tokens=100, temperature=1.0, seed=5)
    run = Generator(tiny_chinese).stream(request, stop)
    events, three, resume = [], threading.Event(), threading.Event()
    tokens_at_stop = []
    errors = []

    def worker():
        try:
            for event in run:
                events.append(event)
                if len(events) == 3:
                    three.set()
                    resume.wait(10)
        except BaseException as exc:  # surfaced by the main thread's asserts
            errors.append(exc)

    thread = threading.Thread(target=worker)
    thread.start()
    assert three.wait(10)
    stop.request_stop()  # from the main thread, while the worker is mid-stream
    tokens_at_stop.append(len(run.new_token_ids))
    resume.set()
    thread.join(10)
    assert not thread.is_alive() and not errors
    assert run.finish_reason == "stopped"
    assert len(events) <= 4
    assert len(run.new_token_ids) == tokens_at_stop[0] < 100
    check_events(tiny_chinese, run, events)


def test_stop_from_a_timer_thread_ends_a_long_run(tiny_gpt2):
    """No handshake: the flag is set at an arbitrary moment while a slow consumer iterates."""
    import threading
    import time

    stop = StopFlag()
    # Seed 11 runs the whole 120 tokens (73 events) without eos when nothing stops it.
    request = ContinuationRequest("Once upon a time", max_new_tokens=120, temperature=1.0, top_k=0, seed=11)
    run = Generator(tiny_gpt2).stream(request, stop)
    started, done = threading.Event(), threading.Event()
    events = []

    def worker():
        for event in run:
            events.append(event)
            started.set()
            time.sleep(0.02)  # a slow consumer, like a GUI repainting
        done.set()

    threading.Thread(target=worker, daemon=True).start()
    assert started.wait(20)
    threading.Timer(0.05, stop.request_stop).start()
    assert done.wait(20)
    assert run.finish_reason == "stopped"
    assert 0 < len(run.new_token_ids) < 120
    check_events(tiny_gpt2, run, events)


# --- long contexts and the window ---------------------------------------------------------------

def _long_text() -> str:
    parts = []
    i = 0
    while sum(map(len, parts)) < 100_000:
        parts.append(f"Chapter {i}: The quick brown fox jumps over the lazy dog. ")
        parts.append(f"今天天气真好，我想去公园散步。第{i}章：人工智能生成内容正在改变写作的方式。\n")
        i += 1
    return "".join(parts)[:100_000]


@pytest.mark.parametrize("max_new", [1, 16, 100])
def test_long_context_keeps_the_rightmost_tokens(lm, max_new):
    from aigc_desktop.engine.text.context import encode_tail

    text = _long_text()
    assert len(text) == 100_000
    budget = lm.window - max_new
    run, events = run_all(Generator(lm), _greedy(text, max_new, repetition_penalty=1.2))
    assert run.context_tokens == budget  # the text is far longer than the window
    check_events(lm, run, events)

    tail = encode_tail(lm.tokenizer, text, budget, lm.prefix_ids)
    assert len(tail) == budget
    assert tuple(tail[: len(lm.prefix_ids)]) == lm.prefix_ids
    body = tail[len(lm.prefix_ids):]
    full = lm.tokenizer.encode(text, add_special_tokens=False)
    assert body == full[-len(body):]
    # ... and those are the ids the model was given.
    assert run.new_token_ids == reference_greedy(lm, tail, max_new, repetition_penalty=1.2)


@pytest.mark.parametrize("budget", [1, 7, 1000])
def test_encode_tail_with_the_real_gpt2_tokenizer(gpt2_tokenizer_dir, budget):
    """Rules of '=' take ~20 characters a token, so the first guess is too short and must grow."""
    from transformers import AutoTokenizer

    from aigc_desktop.engine.text.context import encode_tail

    tok = AutoTokenizer.from_pretrained(str(gpt2_tokenizer_dir))
    text = _long_text()[:30_000] + ("=" * 64 + "\n") * 600 + " 完。"
    full = tok.encode(text)
    tail = encode_tail(tok, text, budget)
    assert len(tail) == budget
    assert tail == full[-budget:]
    short = "Once upon a time, 今天天气真好。"
    assert encode_tail(tok, short, 1000) == tok.encode(short)  # nothing cut, nothing dropped
    assert encode_tail(tok, short, 1000, prefix_ids=(50256,)) == [50256] + tok.encode(short)
    with pytest.raises(ValueError, match="window is too small"):
        encode_tail(tok, short, 1, prefix_ids=(50256,))


def test_max_new_tokens_must_leave_room_in_the_window(lm):
    generator = Generator(lm)
    for n in (lm.window, lm.window + 1, 4096):
        with pytest.raises(ValueError, match=r"max new tokens must be less than the model's context window \(128 tokens\)"):
            generator.stream(_greedy("Once upon a time", n))


def test_the_largest_allowed_max_new_tokens(tiny_gpt2, tiny_chinese):
    # Byte-level GPT-2: one context token and 127 new ones fill the 128 positions exactly.
    run, events = run_all(Generator(tiny_gpt2), _greedy("Once upon a time", 127, no_repeat_ngram_size=2))
    assert run.context_tokens == 1
    assert run.finish_reason in ("length", "eos")
    check_events(tiny_gpt2, run, events)
    # With [CLS] taking the only free position there is no room for the text: a clear ValueError.
    with pytest.raises(ValueError, match="window is too small"):
        run_all(Generator(tiny_chinese), _greedy("今天天气真好", 127))
    run, _ = run_all(Generator(tiny_chinese), _greedy("今天天气真好", 126))
    assert run.context_tokens == 2 and len(run.new_token_ids) == 126


# --- failures -------------------------------------------------------------------------------------

def test_broken_weights_raise_generation_error(tiny_gpt2_dir):
    lm = load_model(str(tiny_gpt2_dir), device="cpu")  # a private copy: the session model stays intact
    with torch.no_grad():
        lm.model.transformer.h[0].attn.c_attn.weight.fill_(float("nan"))
    generator = Generator(lm)
    run = generator.stream(_greedy("Once upon a time", 8))
    with pytest.raises(GenerationError, match=r"invalid numbers \(NaN\)"):
        list(run)
    assert run.new_token_ids == []


# --- the caller's thread state ------------------------------------------------------------------

def test_a_suspended_run_leaves_the_callers_autograd_mode_alone(tiny_gpt2):
    assert torch.is_grad_enabled() and not torch.is_inference_mode_enabled()
    run = Generator(tiny_gpt2).stream(_greedy("Once upon a time", 10))
    for _ in run:
        # The GUI's slot, or any other code, runs here between tokens.
        assert torch.is_grad_enabled()
        assert not torch.is_inference_mode_enabled()
    assert torch.is_grad_enabled() and not torch.is_inference_mode_enabled()


def test_an_abandoned_run_collected_later_does_not_break_the_next_run(tiny_chinese):
    import gc

    generator = Generator(tiny_chinese)
    abandoned = generator.stream(_greedy("今天天气真好", 30, repetition_penalty=2.0))
    for i, _ in enumerate(abandoned):
        if i == 2:
            break
    del abandoned  # a run and its generator form a cycle: only the cyclic GC frees them, at any moment

    prompt = "人工智能生成内容"
    run = generator.stream(_greedy(prompt, 20, repetition_penalty=2.0))
    events = []
    for event in run:
        events.append(event)
        if len(events) == 2:
            gc.collect()  # here the abandoned generator is finally closed, mid-way through this run
    assert run.new_token_ids == reference_greedy(tiny_chinese, context_ids(tiny_chinese, prompt), 20,
                                                 repetition_penalty=2.0)
    check_events(tiny_chinese, run, events)
    assert torch.is_grad_enabled() and not torch.is_inference_mode_enabled()
