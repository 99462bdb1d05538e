"""The decoding core (engine/text/decoding_core.py) on its own, and the local and server loops agreeing through it."""

from __future__ import annotations

import json

import pytest

from aigc_desktop.engine import ContinuationRequest
from aigc_desktop.engine.text.decoding_core import (
    Candidate,
    RunSummary,
    StreamedCandidate,
    decode_speed,
    flush_unfinished,
)
from aigc_desktop.engine.text.detokenizer import IncrementalDetokenizer
from aigc_desktop.engine.local.generator import Generator
from aigc_desktop.engine.server.remote import RemoteRun
from aigc_desktop.engine.server.remote_candidates import Decoding
from aigc_desktop.engine.server.remote_errors import ServerErrors
from aigc_desktop.engine.text.text_stops import StopMatcher


# ----- one candidate ---------------------------------------------------------------------------
def test_a_candidate_shows_its_text_up_to_a_stop_text_and_says_why_it_ended():
    candidate = Candidate(StopMatcher(("END",)))
    assert candidate.feed("one two E") == "one two "  # "E" may begin the stop text: held back
    assert not candidate.done
    assert candidate.feed("ND three") == ""
    assert candidate.done and candidate.reason == "stop_text"
    assert candidate.text == "one two "
    assert candidate.feed(" more") == "" and candidate.text == "one two "


def test_at_the_end_a_candidate_keeps_what_its_stop_texts_held_back():
    candidate = Candidate(StopMatcher(("END",)))
    assert candidate.feed("a tale E") == "a tale "
    assert candidate.flush() == "E"
    assert candidate.text == "a tale E" and not candidate.done and candidate.reason == ""


def test_flush_unfinished_leaves_the_candidates_that_met_a_stop_as_they_are():
    stopped, going = Candidate(StopMatcher(("!",))), Candidate(StopMatcher(("!!",)))
    stopped.feed("yes! and more")
    going.feed("so!")  # "!" may begin "!!": held back
    flush_unfinished([stopped, going])
    assert stopped.text == "yes" and stopped.reason == "stop_text"
    assert going.text == "so!" and not going.done


# ----- the streamed candidate ------------------------------------------------------------------
def _streamed(*stops: str) -> StreamedCandidate:
    return StreamedCandidate(Candidate(StopMatcher(stops)), lambda piece, tokens: (piece, tuple(tokens)))


def test_tokens_wait_until_a_piece_of_text_carries_them():
    streamed = _streamed()
    streamed.pending.append(1)
    assert streamed.carry(streamed.candidate.feed("")) is None  # half a character: no text yet
    streamed.pending.append(2)
    assert streamed.carry(streamed.candidate.feed("é")) == ("é", (1, 2))
    assert streamed.pending == []


def test_the_tokens_of_a_stop_text_ride_with_the_last_event():
    streamed = _streamed("END")
    streamed.pending.append(1)
    assert streamed.carry(streamed.candidate.feed("fine E")) == ("fine ", (1,))
    streamed.pending.append(2)
    assert streamed.carry(streamed.candidate.feed("ND")) == ("", (2,))  # no text, but the stop's token
    assert streamed.candidate.reason == "stop_text"


def test_at_the_end_the_last_text_or_the_waiting_tokens_make_one_event():
    streamed = _streamed("END")
    streamed.pending.append(1)
    streamed.carry(streamed.candidate.feed("so E"))
    assert streamed.finish(streamed.candidate.flush()) == ("E", ())
    assert streamed.finish("") is None  # nothing left
    streamed.pending.append(9)  # e.g. an end-of-text token: no text, still part of the run
    assert streamed.finish("") == ("", (9,))


# ----- the run's summary -----------------------------------------------------------------------
def test_decode_speed_counts_the_tokens_after_the_first_over_the_time_after_the_first():
    assert decode_speed(11, 1.0, 3.0) == pytest.approx(5.0)
    assert decode_speed(1, 1.0, 3.0) == 0.0
    assert decode_speed(11, None, 3.0) == 0.0


def test_a_run_clocks_its_first_token_once_and_its_end():
    run = RunSummary(request=ContinuationRequest("x"), seed=0)
    run.start_clock()
    run.clock_token()
    first = run.first_token_seconds
    assert first is not None and first >= 0
    run.new_token_ids.extend([5, 6, 7])
    run.clock_token()
    run.stop_clock()
    assert run.first_token_seconds == first and run.elapsed_seconds >= first
    assert run.tokens_per_second == decode_speed(3, first, run.elapsed_seconds)


def test_a_server_run_counts_the_servers_own_tokens_unless_it_was_cut_short():
    fields = dict(request=ContinuationRequest("x"), seed=0, new_token_ids=[-1, -2], first_token_seconds=1.0,
                  elapsed_seconds=2.0, completion_tokens=11)
    assert RemoteRun(**fields, finish_reason="length").tokens_per_second == pytest.approx(10.0)
    assert RemoteRun(**fields, finish_reason="stopped").tokens_per_second == pytest.approx(1.0)


# ----- both loops through the core -------------------------------------------------------------
def _server_events(request: ContinuationRequest, pieces: list[str]):
    """The server loop's events for a server that sends `pieces` one a chunk (no log-probabilities)."""
    run = RemoteRun(request=request, seed=0)
    texts: dict[str, int] = {}
    decoding = Decoding(run, lambda text: texts.setdefault(text, -(len(texts) + 1)),
                        ServerErrors("http://127.0.0.1:1", "127.0.0.1", 1, 5.0, None))
    events = []
    chunks = [{"text": piece, "index": 0, "finish_reason": None} for piece in pieces]
    for choice in chunks + [{"text": "", "index": 0, "finish_reason": "length"}]:
        if decoding.all_done:
            break
        events += decoding.take(json.loads(json.dumps({"choices": [choice]})))[0]
    run.finish_reason = decoding.first.reason
    return run, events


@pytest.mark.parametrize("stops", [(), ("tX",), ("tep",)], ids=["no stop", "held back, then shown", "stop text"])
def test_the_local_and_the_server_loop_make_the_same_events_of_the_same_tokens(tiny_gpt2, stops):
    # Greedy, this model writes "ttt...tteps eps...": plain ASCII, one piece of text a token.
    request = ContinuationRequest("A writer keeps a draft", max_new_tokens=40, temperature=0, stop_sequences=stops)
    local = Generator(tiny_gpt2).stream(request)
    local_events = list(local)
    detok = IncrementalDetokenizer(tiny_gpt2.tokenizer, tiny_gpt2.cjk_spaces)
    pieces = [detok.push(token) for token in local.new_token_ids]
    assert all(pieces) and "".join(pieces).startswith("ttt")

    remote, remote_events = _server_events(request, pieces)
    assert [(e.text, len(e.token_ids)) for e in remote_events] == [(e.text, len(e.token_ids)) for e in local_events]
    assert remote.finish_reason == local.finish_reason == ("stop_text" if "tep" in stops else "length")
    assert len(remote.new_token_ids) == len(local.new_token_ids)
    if stops == ("tX",):  # a "t" token waits for the next one: its event carries both
        assert any(len(e.token_ids) == 2 for e in local_events)
