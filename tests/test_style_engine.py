"""Style learning (engine/style) on tiny random models: training, store, apply, cancel/resume, errors."""

from __future__ import annotations

import errno
import hashlib
import os
import random
import sys
import threading
import time
from pathlib import Path

import pytest
import torch
from tiny_models import build_tiny_chinese_gpt2, build_tiny_gpt2

from aigc_desktop.engine import ContinuationRequest, StopFlag
from aigc_desktop.engine.local.generator import Generator
from aigc_desktop.engine.local.loading import load_model
from aigc_desktop.engine.style import StyleError
from aigc_desktop.engine.style.apply import apply_style
from aigc_desktop.engine.style.corpus import MIN_WORDS, Corpus, Document, count_words, read_corpus
from aigc_desktop.engine.style.learn import learn_style, training_dir
from aigc_desktop.engine.style.store import StyleStore
from aigc_desktop.engine.style.training import CHECKPOINT_FILE, TrainingSettings, lora_targets

FAST = dict(minutes=5, epochs=1, block_tokens=32, batch_size=4, learning_rate=3e-3, dropout=0.0)


def writer_text(words: int = 1400, seed: int = 0) -> str:
    """A 'writer' with a narrow, repetitive voice: easy for a tiny model to pick up."""
    rng = random.Random(seed)
    phrases = ["the quick brown fox", "jumps over the lazy dog", "a writer keeps a draft open",
               "once upon a time", "there was a small editor"]
    out, count = [], 0
    while count < words:
        sentence = " ".join(rng.choice(phrases) for _ in range(3)).capitalize() + "."
        out.append(sentence)
        count += len(sentence.split())
        if len(out) % 5 == 0:
            out.append("\n\n")
    return " ".join(out)


@pytest.fixture(scope="module")
def tiny_gpt2(tmp_path_factory) -> Path:
    return build_tiny_gpt2(tmp_path_factory.mktemp("style-gpt2") / "model")


@pytest.fixture(scope="module")
def other_gpt2(tmp_path_factory) -> Path:
    return build_tiny_gpt2(tmp_path_factory.mktemp("style-gpt2-other") / "model", seed=1)


@pytest.fixture(scope="module")
def tiny_llama(tmp_path_factory, tiny_gpt2) -> Path:
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    folder = tmp_path_factory.mktemp("style-llama") / "model"
    tokenizer = AutoTokenizer.from_pretrained(tiny_gpt2)
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=128,
                         bos_token_id=tokenizer.eos_token_id, eos_token_id=tokenizer.eos_token_id)
    LlamaForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def corpus_of(text: str) -> Corpus:
    return Corpus((Document.from_text("drafts.txt", text),))


def learn(model_folder: Path, store: StyleStore, name: str = "fox", text: str | None = None, **kwargs):
    loaded = load_model(str(model_folder), "cpu")
    settings = TrainingSettings(**{**FAST, **kwargs.pop("settings", {})})
    return learn_style(loaded, corpus_of(text or writer_text()), name, store, settings, **kwargs)


def folder_digest(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# --- corpus ------------------------------------------------------------------------------

def test_words_are_counted_for_english_and_chinese():
    assert count_words("Hello there, world.") == 3
    assert count_words("今天天气真好") == 6
    assert count_words("GPT-2 写作 ok") == 4


def test_the_last_tenth_of_each_document_is_held_out():
    text = "\n\n".join(f"Paragraph {i} " + "word " * 20 for i in range(50))
    train, held = corpus_of(text).split()
    assert "".join(train) + "".join(held) == text
    assert held[0].startswith("Paragraph 46 ")  # cut at the first paragraph boundary after 90%
    assert 0.07 < len(held[0]) / len(text) < 0.13


def test_long_texts_are_counted_in_slices_with_the_same_result(monkeypatch):
    from aigc_desktop.engine.style import corpus

    rng = random.Random(3)
    pieces = ["word", "don't", "中文", "字", "  ", "\n", "x" * 9, "あ", "한", "well-known"]
    text = "".join(rng.choice(pieces) for _ in range(5000))
    whole = len(corpus._CJK.findall(text)) + len(corpus._WORD.findall(text))
    for size in (1, 3, 17, 1000):
        monkeypatch.setattr(corpus, "_SLICE", size)
        assert count_words(text) == whole  # no word is cut in two or counted twice at a slice's edge


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a per-thread priority is a Linux feature")
def test_the_training_thread_and_the_threads_it_starts_run_at_a_lower_priority():
    from aigc_desktop.engine.style.priority import BACKGROUND_NICENESS, lower_this_thread_priority

    seen = {}

    def train():
        seen["lowered"] = lower_this_thread_priority()
        seen["own"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        child = threading.Thread(target=lambda: seen.update(
            child=os.getpriority(os.PRIO_PROCESS, threading.get_native_id())))
        child.start()  # as torch's OpenMP threads are started by the training thread
        child.join()

    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    thread = threading.Thread(target=train)
    thread.start()
    thread.join()
    expected = min(19, before + BACKGROUND_NICENESS)
    assert seen == {"lowered": True, "own": expected, "child": expected}
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before  # the window's thread is untouched


def test_too_little_text_says_how_much_is_needed():
    with pytest.raises(StyleError, match=f"Only 12 words of text: learning a style needs at least {MIN_WORDS:,} words"):
        corpus_of("just a few words " * 3).check_enough()


def test_folders_give_their_text_files_and_bad_files_get_one_line(tmp_path):
    (tmp_path / "a.txt").write_text("one two three", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.md").write_text("four five", encoding="utf-8")
    (tmp_path / "picture.png").write_bytes(b"\x89PNG")
    corpus = read_corpus([tmp_path])
    assert [d.name for d in corpus.documents] == ["a.txt", "b.md"] and corpus.words == 5
    assert "text" not in str(corpus.records())  # names, hashes and counts only
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    with pytest.raises(StyleError, match=r"^latin1.txt is not UTF-8 text"):
        read_corpus([tmp_path / "latin1.txt"])
    with pytest.raises(StyleError, match="does not exist"):
        read_corpus([tmp_path / "missing.txt"])
    with pytest.raises(StyleError, match="only plain text"):
        read_corpus([tmp_path / "picture.png"])


def test_oversized_files_are_refused_before_reading(tmp_path, monkeypatch):
    from aigc_desktop.engine.style import corpus

    monkeypatch.setattr(corpus, "MAX_FILE_BYTES", 1024)
    (tmp_path / "big.txt").write_text("word " * 1000, encoding="utf-8")
    with pytest.raises(StyleError, match="big.txt is larger than"):
        read_corpus([tmp_path / "big.txt"])


# --- training ------------------------------------------------------------------------------

def test_gpt2_trains_through_conv1d_and_the_loss_falls(tiny_gpt2, tmp_path):
    loaded = load_model(str(tiny_gpt2), "cpu")
    assert lora_targets(loaded.model) == (("c_attn", "c_proj", "c_fc"), True)
    outcome = learn(tiny_gpt2, StyleStore(tmp_path), settings={"epochs": 2})
    losses = outcome.training.losses
    assert outcome.training.steps == outcome.training.total_steps > 10
    assert sum(losses[-3:]) / 3 < sum(losses[:3]) / 3 - 0.3
    ev = outcome.evaluation
    assert ev.perplexity_after < ev.perplexity_before
    assert len(ev.samples) == 3 and all(s.prompt for s in ev.samples)


def test_llama_family_models_train_their_projections(tiny_llama, tmp_path):
    loaded = load_model(str(tiny_llama), "cpu")
    targets, fan_in_fan_out = lora_targets(loaded.model)
    assert "q_proj" in targets and "down_proj" in targets and not fan_in_fan_out
    outcome = learn(tiny_llama, StyleStore(tmp_path), "llama voice")
    assert outcome.evaluation.perplexity_after < outcome.evaluation.perplexity_before


def test_bert_vocabulary_gpt2_learns_chinese(tmp_path):
    """The mechanics on a tiny BERT-vocabulary GPT-2 (no real Chinese model can be downloaded here)."""
    folder = build_tiny_chinese_gpt2(tmp_path / "zh")
    text = "\n\n".join("今天天气真好，我想去公园散步。我们一起去看看花和树吧！" * 3 for _ in range(30))
    store = StyleStore(tmp_path / "styles")
    outcome = learn(folder, store, "中文", text=text, settings={"epochs": 2})
    assert outcome.style.name == "中文"
    losses = outcome.training.losses
    assert sum(losses[-3:]) / 3 < sum(losses[:3]) / 3 - 0.3  # the training loss falls
    assert outcome.evaluation.perplexity_after < outcome.evaluation.perplexity_before
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in s.prompt) for s in outcome.evaluation.samples)

    # Saved and loaded again: the adapter (on GPT-2's Conv1D layers) changes what the model writes.
    style = store.get("中文")
    assert style.data["words"] == count_words(text) and style.lora["fan_in_fan_out"] is True
    assert style.data["files"][0]["sha256"] == hashlib.sha256(text.encode()).hexdigest()
    request = ContinuationRequest(context="今天天气", max_new_tokens=12, temperature=0.0, seed=1)
    plain = "".join(e.text for e in Generator(load_model(str(folder), "cpu")).stream(request))
    styled_model = load_model(str(folder), "cpu")
    apply_style(styled_model, style)
    styled = "".join(e.text for e in Generator(styled_model).stream(request))
    assert styled != plain
    assert sum("\u4e00" <= ch <= "\u9fff" for ch in styled) >= 6  # it writes Chinese characters


# --- the store and applying a style ------------------------------------------------------------

def test_a_style_round_trips_and_changes_generation(tiny_gpt2, tmp_path):
    store = StyleStore(tmp_path)
    outcome = learn(tiny_gpt2, store)
    style = store.get("fox")
    assert style.base["name"] == "model" and style.data["words"] == outcome.style.data["words"]
    assert style.data["files"][0]["sha256"] == hashlib.sha256(writer_text().encode()).hexdigest()
    assert style.evaluation["perplexity_after"] == pytest.approx(outcome.evaluation.perplexity_after)
    assert not (training_dir(store, "fox") / CHECKPOINT_FILE).exists()

    request = ContinuationRequest(context="Once upon a time", max_new_tokens=12, temperature=0.0, seed=1)
    plain = "".join(e.text for e in Generator(load_model(str(tiny_gpt2), "cpu")).stream(request))
    loaded = load_model(str(tiny_gpt2), "cpu")
    model = loaded.model
    apply_style(loaded, style)
    assert loaded.model is model and loaded.style == "fox"
    assert not any("lora" in name for name, _ in model.named_modules())  # merged: a plain model again
    generator = Generator(loaded)
    styled = "".join(e.text for e in generator.stream(request))
    assert styled != plain
    # Prefix reuse and candidates work on the merged model as on any other.
    again = generator.stream(ContinuationRequest(context="Once upon a time", max_new_tokens=8, alternatives=3))
    list(again)
    assert again.reused_tokens > 0 and len(again.make_alternatives()) == 2

    with pytest.raises(StyleError, match="already in this model"):
        apply_style(loaded, style)


def test_a_style_applies_before_the_fast_int8_mode(tiny_gpt2, tmp_path, monkeypatch):
    from aigc_desktop.engine.local.loading import enable_fast_mode

    monkeypatch.setenv("AIGC_DESKTOP_CACHE", str(tmp_path / "cache"))
    store = StyleStore(tmp_path)
    learn(tiny_gpt2, store)
    request = ContinuationRequest(context="Once upon a time", max_new_tokens=10, temperature=0.0, seed=1)
    styled = load_model(str(tiny_gpt2), "cpu")
    apply_style(styled, store.get("fox"))
    fp32 = "".join(e.text for e in Generator(styled).stream(request))
    enable_fast_mode(styled)
    assert styled.int8
    int8 = "".join(e.text for e in Generator(styled).stream(request))
    assert int8[:8] == fp32[:8]  # the fast path is built from the styled weights
    fast = load_model(str(tiny_gpt2), "cpu", int8=True)  # fast first, style after: the graph is rebuilt
    apply_style(fast, store.get("fox"))
    assert fast.int8 and "".join(e.text for e in Generator(fast).stream(request)) == int8


def test_a_style_refuses_another_base_model(tiny_gpt2, other_gpt2, tmp_path):
    store = StyleStore(tmp_path)
    learn(tiny_gpt2, store)
    other = load_model(str(other_gpt2), "cpu")
    before = {k: v.clone() for k, v in other.model.state_dict().items()}
    with pytest.raises(StyleError, match="was learned on model, not on model; load that model"):
        apply_style(other, store.get("fox"))
    assert all(torch.equal(before[k], v) for k, v in other.model.state_dict().items())


def test_rename_delete_export_and_import(tiny_gpt2, tmp_path):
    store = StyleStore(tmp_path / "styles")
    learn(tiny_gpt2, store)
    store.rename("fox", "Fox 2")
    assert store.names() == ["Fox 2"] and store.get("Fox 2").name == "Fox 2"
    exported = store.export("Fox 2", tmp_path / "fox.aigcstyle")
    assert exported.is_file() and not list(tmp_path.glob("*.partial"))
    with pytest.raises(StyleError, match="already exists"):
        store.import_file(exported)
    copy = store.import_file(exported, name="Fox copy")
    assert store.names() == ["Fox 2", "Fox copy"]
    loaded = load_model(str(tiny_gpt2), "cpu")
    apply_style(loaded, copy)
    store.delete("Fox 2")
    assert store.names() == ["Fox copy"]
    with pytest.raises(StyleError, match="There is no style called 'Fox 2'"):
        store.get("Fox 2")
    for bad in ("", "../escape", ".hidden", "a/b"):
        with pytest.raises(StyleError):
            store.rename("Fox copy", bad)
    (tmp_path / "not-a-style.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    with pytest.raises(StyleError, match="not an exported style"):
        store.import_file(tmp_path / "not-a-style.zip")
    (store.root / "broken").mkdir()
    (store.root / "broken" / "style.json").write_text("{not json")
    assert store.names() == ["Fox copy"]  # a broken folder is skipped, not fatal


# --- cancel and resume ----------------------------------------------------------------------------

def test_cancel_keeps_a_checkpoint_and_resuming_finishes_the_same_training(tiny_gpt2, tmp_path):
    whole = learn(tiny_gpt2, StyleStore(tmp_path / "whole"))

    store = StyleStore(tmp_path / "parts")
    stop = StopFlag()

    def cancel_at_5(p):
        if p.step == 5:
            stop.request_stop()

    first = learn(tiny_gpt2, store, stop=stop, progress=cancel_at_5)
    assert first.style is None and first.training.cancelled and first.training.steps == 5
    assert (training_dir(store, "fox") / CHECKPOINT_FILE).is_file()
    assert store.names() == []  # nothing half-learned is offered as a style

    seen = []
    second = learn(tiny_gpt2, store, progress=seen.append)
    assert second.training.resumed_from == 5 and seen[0].note == "resumed from step 5"
    assert seen[0].seconds_left > 60  # before a step is timed, the time left is the limit's (5 min), not 0
    assert second.training.steps == whole.training.steps
    assert second.training.losses == pytest.approx(whole.training.losses, rel=1e-5)
    assert store.names() == ["fox"]


def _learn_in_thread(tiny_gpt2, store, **kwargs):
    """learn() in a thread, as the dialog runs it; (thread, box that will hold the outcome)."""
    box: dict = {}

    def run():
        try:
            box["outcome"] = learn(tiny_gpt2, store, **kwargs)
        except BaseException as exc:  # shown by the test's asserts
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, box


def test_pause_waits_between_steps_keeps_a_checkpoint_and_resume_goes_on_unchanged(tiny_gpt2, tmp_path):
    from aigc_desktop.engine.style.pause_flag import PauseFlag

    whole = learn(tiny_gpt2, StyleStore(tmp_path / "whole"))
    store = StyleStore(tmp_path / "paused")
    pause = PauseFlag()
    offset = [0.0]  # the clock jumps an hour while paused: a pause must not use up the time limit
    seen: list = []
    paused = threading.Event()

    def on_progress(p):
        seen.append(p)
        if p.step == 3 and not pause.is_paused() and not paused.is_set():
            pause.pause()
        if p.note == "paused":
            paused.set()

    from aigc_desktop.engine.style import training

    original = training.train_adapter

    def with_clock(*args, **kwargs):
        return original(*args, clock=lambda: time.monotonic() + offset[0], **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("aigc_desktop.engine.style.learn.train_adapter", with_clock)
        thread, box = _learn_in_thread(tiny_gpt2, store, settings={"minutes": 5}, progress=on_progress,
                                       pause=pause)
        assert paused.wait(60), box
        steps_when_paused = len(seen)
        thread.join(1.0)
        assert thread.is_alive() and len(seen) == steps_when_paused  # no step while paused
        assert seen[-1].note == "paused" and seen[-1].step == 3
        assert (training_dir(store, "fox") / CHECKPOINT_FILE).is_file()
        offset[0] += 3600
        pause.resume()
        thread.join(120)
    assert not thread.is_alive() and "error" not in box, box
    outcome = box["outcome"]
    assert outcome.style is not None and outcome.training.steps == whole.training.steps
    assert outcome.training.losses == pytest.approx(whole.training.losses, rel=1e-5)
    assert outcome.training.seconds < 3000  # the hour paused is not training time


def test_cancel_while_paused_stops_at_once_with_a_checkpoint(tiny_gpt2, tmp_path):
    from aigc_desktop.engine.style.pause_flag import PauseFlag

    store = StyleStore(tmp_path)
    pause, stop = PauseFlag(), StopFlag()
    paused = threading.Event()

    def on_progress(p):
        if p.step == 2:
            pause.pause()
        if p.note == "paused":
            paused.set()

    thread, box = _learn_in_thread(tiny_gpt2, store, stop=stop, progress=on_progress, pause=pause)
    assert paused.wait(60), box
    stop.request_stop()
    thread.join(30)
    assert not thread.is_alive() and "error" not in box, box
    outcome = box["outcome"]
    assert outcome.style is None and outcome.training.cancelled and outcome.training.steps == 2
    assert (training_dir(store, "fox") / CHECKPOINT_FILE).is_file() and store.names() == []


def test_checkpoints_are_kept_while_training(tiny_gpt2, tmp_path):
    store = StyleStore(tmp_path)
    ticks = iter(range(0, 100000, 7))  # each clock reading 7 s later: a checkpoint every few steps
    from aigc_desktop.engine.style import training

    saved = []
    real_save = training._Checkpoint.save

    def counting_save(self, *args):
        saved.append(args[-1]["step"])
        return real_save(self, *args)

    original = training.train_adapter

    def with_clock(*args, **kwargs):
        return original(*args, clock=lambda: float(next(ticks)), **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(training._Checkpoint, "save", counting_save)
        mp.setattr("aigc_desktop.engine.style.learn.train_adapter", with_clock)
        outcome = learn(tiny_gpt2, store, settings={"checkpoint_seconds": 20, "minutes": 60})
    assert outcome.style is not None
    assert len(saved) >= outcome.training.steps // 4 and saved == sorted(saved)


def test_training_stops_at_the_time_limit_and_still_saves_the_style(tiny_gpt2, tmp_path, monkeypatch):
    from aigc_desktop.engine.style import training

    ticks = iter(range(0, 100000, 5))  # every clock reading 5 s later
    original = training.train_adapter
    monkeypatch.setattr("aigc_desktop.engine.style.learn.train_adapter",
                        lambda *a, **k: original(*a, clock=lambda: float(next(ticks)), **k))
    outcome = learn(tiny_gpt2, StyleStore(tmp_path), settings={"minutes": 1, "epochs": 3})
    assert 0 < outcome.training.steps < outcome.training.total_steps
    assert outcome.training.seconds <= 60
    assert outcome.style is not None and outcome.evaluation is not None


# --- errors ------------------------------------------------------------------------------------------

def test_unsupported_models_are_named(tmp_path):
    from transformers import GPTNeoConfig, GPTNeoForCausalLM

    model = GPTNeoForCausalLM(GPTNeoConfig(vocab_size=50, hidden_size=16, num_layers=2, num_heads=2,
                                           attention_types=[[["global"], 2]], max_position_embeddings=32))
    with pytest.raises(StyleError, match="not supported for 'gpt_neo' models: GPT-2 and Llama-family"):
        lora_targets(model)


def test_running_out_of_memory_falls_back_to_smaller_batches(tiny_gpt2, tmp_path, monkeypatch):
    from transformers import GPT2LMHeadModel

    real_forward = GPT2LMHeadModel.forward

    def forward(self, input_ids=None, **kwargs):
        if input_ids is not None and input_ids.shape[0] > 1 and self.training:
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return real_forward(self, input_ids=input_ids, **kwargs)

    monkeypatch.setattr(GPT2LMHeadModel, "forward", forward)
    seen = []
    outcome = learn(tiny_gpt2, StyleStore(tmp_path), progress=seen.append)
    assert outcome.style is not None and outcome.training.micro_batch == 1
    assert any(p.note == "out of memory: now 1 sequence(s) at a time" for p in seen)

    def always(self, input_ids=None, **kwargs):
        if self.training:
            raise RuntimeError("[enforce fail at alloc_cpu.cpp:117] DefaultCPUAllocator: can't allocate memory")
        return real_forward(self, input_ids=input_ids, **kwargs)

    monkeypatch.setattr(GPT2LMHeadModel, "forward", always)
    with pytest.raises(StyleError, match="^Out of memory even when training on one sequence at a time"):
        learn(tiny_gpt2, StyleStore(tmp_path / "b"))


def test_a_full_disk_stops_training_cleanly_and_touches_nothing_else(tiny_gpt2, tmp_path, monkeypatch):
    store = StyleStore(tmp_path / "styles")
    learn(tiny_gpt2, store, "kept")
    styles_before = folder_digest(store.root / "kept")
    model_before = folder_digest(tiny_gpt2)

    import safetensors.torch

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(safetensors.torch, "save_file", disk_full)
    with pytest.raises(StyleError, match="^The disk is full: the training checkpoint could not be saved"):
        learn(tiny_gpt2, store, "new", settings={"checkpoint_seconds": 0})
    assert store.names() == ["kept"]
    assert folder_digest(store.root / "kept") == styles_before
    assert folder_digest(tiny_gpt2) == model_before
    assert not list(store.root.rglob("*.partial"))


def test_a_name_in_use_is_refused_before_training(tiny_gpt2, tmp_path):
    store = StyleStore(tmp_path)
    learn(tiny_gpt2, store)
    started = threading.Event()
    with pytest.raises(StyleError, match="A style called 'fox' already exists"):
        learn(tiny_gpt2, store, progress=lambda p: started.set())
    assert not started.is_set()
