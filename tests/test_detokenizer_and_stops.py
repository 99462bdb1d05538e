"""Text safety in the stream: no half characters, no BERT spacing or specials, and text stops.

IncrementalDetokenizer is checked with the real GPT-2 tokenizer and the BERT-vocabulary tokenizer;
StopMatcher with hand-made pieces and through the engine with the tiny models.
"""

from __future__ import annotations

import functools
import random
import re

import pytest

from aigc_desktop.engine import ContinuationRequest
from aigc_desktop.engine.text.detokenizer import (
    IncrementalDetokenizer,
    cjk_share,
    remove_cjk_spaces,
    spaces_between_cjk,
)
from aigc_desktop.engine.local.generator import Generator
from aigc_desktop.engine.text.text_stops import StopMatcher

CHINESE = "今天天气真好，我想去公园散步。"
MIXED = "Hello 👋🏽 world! 🎉🎉 Let's go 🚀 — café naïve 👨‍👩‍👧 日本語のテキスト, 한국어 OK ✔︎ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢."
CJK_SPACE_CJK = re.compile("[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef] +[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")
SPECIAL_TEXTS = ("[CLS]", "[SEP]", "[UNK]", "[PAD]", "[MASK]")


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@functools.lru_cache(maxsize=None)
def _gpt2_tokenizer(folder: str):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(folder)


@pytest.fixture
def gpt2_tokenizer(gpt2_tokenizer_dir):
    return _gpt2_tokenizer(str(gpt2_tokenizer_dir))


def _feed_one_by_one(detok: IncrementalDetokenizer, ids) -> list[str]:
    return [detok.push(i) for i in ids]


def _check_stream(lm, run, events) -> None:
    """The stream's bookkeeping holds however the run ended (stop text included)."""
    assert "".join(e.text for e in events) == run.text
    assert [t for e in events for t in e.token_ids] == run.new_token_ids
    for e in events:
        assert not e.text.endswith("\ufffd")
        assert len(e.token_ids) == len(e.probabilities) == len(e.alternatives) > 0


def _decoded(lm, ids) -> str:
    text = lm.tokenizer.decode(ids, skip_special_tokens=True)
    return (remove_cjk_spaces(text) if lm.cjk_spaces else text).rstrip("\ufffd")


# --- IncrementalDetokenizer: byte-level BPE (the real GPT-2 tokenizer) -----------------------------

@pytest.mark.parametrize("text", [CHINESE, MIXED], ids=["chinese", "emoji-mixed"])
def test_gpt2_pieces_never_show_half_characters(gpt2_tokenizer, text):
    ids = gpt2_tokenizer.encode(text)
    detok = IncrementalDetokenizer(gpt2_tokenizer, remove_spaces_next_to_cjk=False)
    pieces = _feed_one_by_one(detok, ids)
    assert len(ids) > len(text.encode("utf-8")) // 4  # several tokens per character: a real test
    assert "" in pieces  # some tokens ended mid-character and were held back
    assert not any("\ufffd" in p for p in pieces)
    assert detok.flush() == ""
    assert "".join(pieces) == text
    assert detok.ids == ids
    assert detok.full_text() == text


def test_gpt2_flush_returns_an_unfinished_character(gpt2_tokenizer):
    ids = gpt2_tokenizer.encode("好")
    assert len(ids) > 1  # one character, several byte tokens
    detok = IncrementalDetokenizer(gpt2_tokenizer, remove_spaces_next_to_cjk=False)
    assert _feed_one_by_one(detok, gpt2_tokenizer.encode("ok ") + ids[:-1]) == ["ok", " "] + [""] * (len(ids) - 1)
    rest = detok.flush()
    assert rest.endswith("\ufffd")  # the caller (the generator) drops it
    assert detok.flush() == ""


def test_gpt2_pieces_with_a_byte_error_in_the_middle(gpt2_tokenizer):
    """A stray continuation byte between complete characters: text after it still arrives in order."""
    good = gpt2_tokenizer.encode("你好")
    stray = gpt2_tokenizer.encode("好")[:1]  # the first byte of a 3-byte character, never completed
    ids = good + stray + gpt2_tokenizer.encode(" world")
    detok = IncrementalDetokenizer(gpt2_tokenizer, remove_spaces_next_to_cjk=False)
    pieces = _feed_one_by_one(detok, ids) + [detok.flush()]
    assert "".join(pieces) == gpt2_tokenizer.decode(ids)
    assert not any(p.endswith("\ufffd") for p in pieces)


def test_gpt2_tokenizer_puts_no_spaces_between_cjk(gpt2_tokenizer):
    assert spaces_between_cjk(gpt2_tokenizer) is False


# --- IncrementalDetokenizer: BERT character vocabulary -------------------------------------------

def test_bert_vocab_decode_has_spaces_the_detokenizer_removes(tiny_chinese):
    tok = tiny_chinese.tokenizer
    ids = tok.encode(CHINESE, add_special_tokens=False)
    assert tok.decode(ids) == " ".join(CHINESE)  # the habit being corrected
    assert spaces_between_cjk(tok) is True
    detok = IncrementalDetokenizer(tok, remove_spaces_next_to_cjk=True)
    pieces = _feed_one_by_one(detok, [tok.cls_token_id] + ids)
    assert not any(" " in p for p in pieces)
    assert not any(s in p for p in pieces for s in SPECIAL_TEXTS)
    assert detok.flush() == ""
    assert "".join(pieces) == CHINESE


def test_bert_vocab_specials_and_latin_words(tiny_chinese):
    tok = tiny_chinese.tokenizer
    v = tok.get_vocab()
    ids = [v[t] for t in ["[CLS]", "the", "writer", "##s", "今", "[SEP]", "天", "[UNK]", "好", "[PAD]", "a", "writer"]]
    detok = IncrementalDetokenizer(tok, remove_spaces_next_to_cjk=True)
    pieces = _feed_one_by_one(detok, ids) + [detok.flush()]
    assert "".join(pieces) == "the writers今天好a writer"
    assert detok.full_text() == "the writers今天好a writer"
    # A trailing space is held until the next token shows whether a CJK character follows.
    assert all(not p.endswith(" ") for p in pieces)


def test_chinese_model_output_has_no_bert_spacing_or_special_tokens(tiny_chinese):
    """The tiny Chinese model's special tokens have zero embeddings, so sampling produces some."""
    specials = set(tiny_chinese.tokenizer.all_special_ids)
    produced_specials = 0
    for seed in range(8):
        request = ContinuationRequest(CHINESE, max_new_tokens=60, temperature=1.5, top_k=0, top_p=1.0, seed=seed)
        run = Generator(tiny_chinese).stream(request)
        events = list(run)
        _check_stream(tiny_chinese, run, events)
        produced_specials += sum(t in specials for t in run.new_token_ids)
        for text in [run.text] + [e.text for e in events]:
            assert not any(s in text for s in SPECIAL_TEXTS), text
            assert not CJK_SPACE_CJK.search(text), text
        assert run.text == _decoded(tiny_chinese, run.new_token_ids)
        assert cjk_share(run.text) > 0.5
    assert produced_specials > 0, "no special token was sampled: the check above proved nothing"


@pytest.mark.parametrize(
    ("decoded", "clean"),
    [
        ("今 天 天 气 真 好 ， 我", "今天天气真好，我"),
        ("the writer 今 天", "the writer今天"),
        ("今 天 the writer", "今天the writer"),
        ("hello world", "hello world"),
        ("3 . 14 and 2", "3 . 14 and 2"),
        ("日 本 語 の テ キ ス ト", "日本語のテキスト"),
        ("한 국 어", "한국어"),
    ],
)
def test_remove_cjk_spaces(decoded, clean):
    assert remove_cjk_spaces(decoded) == clean


def test_cjk_share():
    assert cjk_share("") == 0.0
    assert cjk_share("   ") == 0.0
    assert cjk_share("今天") == 1.0
    assert cjk_share("ab今天") == 0.5


# --- StopMatcher with hand-made pieces -------------------------------------------------------------

def _feed(matcher: StopMatcher, pieces) -> tuple[str, list[str]]:
    shown = [matcher.feed(p) for p in pieces]
    shown.append(matcher.flush())
    return "".join(shown), shown


def test_stop_sequence_inside_one_piece():
    m = StopMatcher(["END"])
    assert m.feed("Hello END world") == "Hello "
    assert m.stopped
    assert m.feed("more") == ""
    assert m.flush() == ""


def test_stop_sequence_split_across_pieces():
    m = StopMatcher(["END"])
    assert m.feed("Hello E") == "Hello "  # "E" might start END: held back
    assert not m.stopped
    assert m.feed("N") == ""
    assert m.feed("D and on") == ""
    assert m.stopped
    assert m.flush() == ""


def test_false_start_of_a_stop_sequence_is_released():
    m = StopMatcher(["END"])
    assert m.feed("Hello EN") == "Hello "
    assert m.feed("TER") == "ENTER"
    assert not m.stopped
    assert m.feed("E") == ""
    assert m.flush() == "E"  # the end of the text: whatever was held back is shown
    assert not m.stopped


def test_overlapping_stop_sequence():
    text, _ = _feed(StopMatcher(["aab"]), list("xaaab"))
    assert text == "xa"


def test_earliest_of_several_stop_sequences_wins():
    m = StopMatcher(["\n", "。"])
    assert m.feed("第一句") == "第一句"
    assert m.feed("。第二\n") == ""
    assert m.stopped


def test_no_stops_pass_everything_through_at_once():
    m = StopMatcher()
    for piece in ["Hello.", " World", "。", "\n\n", "END"]:
        assert m.feed(piece) == piece
    assert not m.stopped and m.flush() == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It costs 3.14 dollars. Then more", "It costs 3.14 dollars."),
        ("Wow! Next one", "Wow!"),
        ("Really? yes", "Really?"),
        ("Done.\nNext line", "Done."),
        ('He said "Hi." Then left', 'He said "Hi."'),
        ("(It works.) And", "(It works.)"),
        ("今天天气真好。我想去公园", "今天天气真好。"),
        ("你好！再见", "你好！"),
        ("真的？是的", "真的？"),
        ("他说：“你好。”然后走了", "他说：“你好。”"),
        ("（真的吗？）」好", "（真的吗？）」"),
        ('She wrote ("Done.") Later', 'She wrote ("Done.")'),
        ("Pi is 3.14159 and e is 2.718", None),
        ("See e.g.this", None),
        ("It ends here.", None),  # no character after the '.' before the run ended
        ("今天天气真好。", None),  # ... nor after the '。': a closing quote might have followed
    ],
)
def test_sentence_stops(text, expected):
    for pieces in _splits(text):
        m = StopMatcher(stop_at="sentence")
        shown, _ = _feed(m, pieces)
        if expected is None:
            assert shown == text and not m.stopped, pieces
        else:
            assert shown == expected and m.stopped, pieces


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("First line\nsecond line\n\nNext paragraph", "First line\nsecond line"),
        ("A\n\n\n\nB", "A"),
        ("One line\nanother", None),
        ("第一段。\n\n第二段", "第一段。"),
    ],
)
def test_paragraph_stops(text, expected):
    for pieces in _splits(text):
        m = StopMatcher(stop_at="paragraph")
        shown, _ = _feed(m, pieces)
        if expected is None:
            assert shown == text and not m.stopped, pieces
        else:
            assert shown == expected and m.stopped, pieces


def _splits(text: str) -> list[list[str]]:
    """The same text cut into pieces in many ways: the result must not depend on the cut."""
    rng = random.Random(text)
    splits = [[text], list(text)]
    for _ in range(20):
        cuts = sorted(rng.sample(range(1, len(text)), rng.randint(1, min(6, len(text) - 1))))
        splits.append([text[a:b] for a, b in zip([0] + cuts, cuts + [len(text)])])
    return splits


@pytest.mark.parametrize(
    ("sequences", "stop_at", "text"),
    [
        (["END", "。"], "length", "abc EN ENDx 。"),
        (["\n\n"], "sentence", "No end 3.14\n\nmore. Yes"),
        (["好的"], "paragraph", "好好的\n\n"),
        ([], "sentence", "他说：“你好。”然后"),
        (["xyz"], "sentence", "Fine!) ok"),
    ],
)
def test_result_does_not_depend_on_how_text_is_cut(sequences, stop_at, text):
    results = set()
    for pieces in _splits(text):
        m = StopMatcher(sequences, stop_at)
        shown, _ = _feed(m, pieces)
        results.add((shown, m.stopped))
    assert len(results) == 1, results


# --- text stops through the engine -----------------------------------------------------------------

def _first_new_substring(text: str, length: int, start: int) -> tuple[int, str]:
    """(k, s): s = text[k:k+length] with k >= start its first occurrence and no U+FFFD in it."""
    for k in range(start, len(text) - length):
        s = text[k:k + length]
        if "\ufffd" not in s and text.find(s) == k and not s.isspace():
            return k, s
    raise AssertionError(f"no usable stop string in {text!r}")


def test_stop_sequence_through_the_engine(tiny_chinese):
    request = ContinuationRequest(CHINESE, max_new_tokens=40, temperature=0, repetition_penalty=3.0)
    full = Generator(tiny_chinese).stream(request)
    list(full)
    k, stop = _first_new_substring(full.text, 2, 5)

    run = Generator(tiny_chinese).stream(
        ContinuationRequest(CHINESE, max_new_tokens=40, temperature=0, repetition_penalty=3.0, stop_sequences=(stop,))
    )
    events = list(run)
    assert run.finish_reason == "stop_text"
    assert run.text == full.text[:k]
    assert stop not in run.text
    assert run.new_token_ids == full.new_token_ids[: len(run.new_token_ids)]
    _check_stream(tiny_chinese, run, events)


def test_stop_sequence_split_across_events_through_the_engine(tiny_gpt2):
    """A sampled byte-level run: the stop string starts in one event and ends in the next."""
    settings = dict(max_new_tokens=60, temperature=1.0, top_k=0, top_p=1.0, seed=4)
    full = Generator(tiny_gpt2).stream(ContinuationRequest("Once upon a time", **settings))
    events = list(full)
    boundary = 0
    for a, b in zip(events, events[1:]):
        boundary += len(a.text)
        stop = a.text[-1] + b.text[:1]
        if "\ufffd" not in stop and len(stop) == 2 and full.text.find(stop) == boundary - 1 and boundary > 1:
            break
    else:
        pytest.fail(f"no event boundary to stop at in {full.text!r}")

    run = Generator(tiny_gpt2).stream(ContinuationRequest("Once upon a time", stop_sequences=(stop,), **settings))
    stopped_events = list(run)
    assert run.finish_reason == "stop_text"
    assert run.text == full.text[: boundary - 1]
    assert stop not in run.text
    assert run.new_token_ids == full.new_token_ids[: len(run.new_token_ids)]
    _check_stream(tiny_gpt2, run, stopped_events)


def test_sentence_stop_through_the_engine(tiny_chinese):
    """Find a sampled continuation with 。！？ inside it, then ask for one sentence."""
    for seed in range(40):
        settings = dict(max_new_tokens=60, temperature=1.0, top_k=0, top_p=1.0, seed=seed)
        full = Generator(tiny_chinese).stream(ContinuationRequest(CHINESE, **settings))
        list(full)
        match = re.search("[。！？][”’」』）》]*", full.text)
        if match and 0 < match.start() and match.end() < len(full.text):
            break
    else:
        pytest.fail("no sampled run had a sentence end")
    assert not re.search(r"[.!?]", full.text)  # the vocabulary has no ASCII sentence ends

    run = Generator(tiny_chinese).stream(ContinuationRequest(CHINESE, stop_at="sentence", **settings))
    events = list(run)
    assert run.finish_reason == "stop_text"
    assert run.text == full.text[: match.end()]
    assert run.new_token_ids == full.new_token_ids[: len(run.new_token_ids)]
    _check_stream(tiny_chinese, run, events)


def test_length_stop_keeps_everything_through_the_engine(tiny_chinese):
    """stop_at='length' never cuts, even when the text is full of sentence ends."""
    request = ContinuationRequest(CHINESE, max_new_tokens=30, temperature=0)
    run = Generator(tiny_chinese).stream(request)
    events = list(run)
    assert "。" in run.text
    assert run.finish_reason == "length" and len(run.new_token_ids) == 30
    assert run.text == _decoded(tiny_chinese, run.new_token_ids)
    _check_stream(tiny_chinese, run, events)
