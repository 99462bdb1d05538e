"""A hostile inference server (tests/hostile_server.py) gets one clear sentence, never a crash, a hang or a memory blow-up.

Every case runs against a real server on 127.0.0.1 through the real backend, with a
request timeout of TIMEOUT seconds, and is measured: the time it took and the peak
Python memory (tracemalloc) while it ran. Outcomes are counted in HOSTILE_TALLY, which
the session prints at the end (see conftest.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import tracemalloc

import pytest
from hostile_server import IMG, KEY, SEPARATORS, VALUE_CASES, HostileServer, bomb, wait_for_hangup

from aigc_desktop.engine import ContinuationRequest, StopFlag
from aigc_desktop.engine.server.remote import RemoteBackend
from aigc_desktop.engine.server.remote_errors import RemoteError, RemoteStreamCut
from aigc_desktop.engine.server.server_address import plain_http_warning

TIMEOUT = 1.0  # the request timeout given to the backend
TIME_BOUND = 10.0  # seconds any case may take, bombs included: far above TIMEOUT, far below forever
# Peak Python allocations of one case; the bombs inflate to 256 MiB. huge-tokens (64 KiB "tokens"
# for a whole 1 s deadline) peaked at 45-48 MiB on a loaded machine, so the bound leaves room.
MEMORY_BOUND = 64 * 1024 * 1024

HOSTILE_TALLY = {"cases tried": 0, "crashes": 0, "tracebacks": 0, "hangs": 0}


@pytest.fixture(scope="module")
def server():
    for byte in (b"A", b"a", b"\n", b" "):
        bomb(byte)  # built before any measuring
    with HostileServer() as running:
        list(RemoteBackend(running.url("cr-only"), model="m").stream(ContinuationRequest("warm")))  # imports done
        yield running


class Outcome:
    def __init__(self, run, events, error, seconds, peak):
        self.run, self.events, self.error, self.seconds, self.peak = run, events, error, seconds, peak

    @property
    def message(self) -> str:
        return str(self.error) if self.error is not None else ""


def attempt(server, scenario: str, stop: StopFlag | None = None, **fields) -> Outcome:
    """One run against the scenario; anything but a RemoteError counts as a crash and fails the test."""
    HOSTILE_TALLY["cases tried"] += 1
    backend = RemoteBackend(server.url(scenario), model="m", api_key=KEY, timeout=TIMEOUT)
    run = backend.stream(ContinuationRequest("Once upon a time", **fields), stop or StopFlag())
    events, error = [], None
    tracemalloc.start()
    started = time.perf_counter()
    try:
        for event in run:
            events.append(event)
    except RemoteError as exc:
        error = exc
    except BaseException:
        HOSTILE_TALLY["crashes"] += 1
        HOSTILE_TALLY["tracebacks"] += 1
        raise
    finally:
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    if seconds > TIME_BOUND:
        HOSTILE_TALLY["hangs"] += 1
    assert seconds < TIME_BOUND, f"{scenario} took {seconds:.1f} s"
    assert peak < MEMORY_BOUND, f"{scenario} peaked at {peak / 2**20:.0f} MiB"
    assert run.text == "".join(e.text for e in events)
    if error is not None:
        message = str(error)
        assert "\n" not in message and len(message) < 700 and message.endswith((".", '"')), message
        assert KEY[:8] not in message
    return Outcome(run, events, error, seconds, peak)


# ----- sizes -----------------------------------------------------------------------------------
@pytest.mark.parametrize("scenario", ["bomb-error", "bomb-error-twice"])
def test_a_gzip_bomb_as_an_error_body_is_read_to_64_kib(server, scenario):
    out = attempt(server, scenario)
    assert out.error.status == 500 and 'The server said: "AAAA' in out.message
    assert out.events == []


@pytest.mark.parametrize("scenario, why", [
    ("bomb-stream", "an event line longer than 1024 KiB"),
    ("endless-line", "an event line longer than 1024 KiB"),
    ("endless-event", "an event longer than 1024 KiB"),
    ("bomb-whole", "an answer longer than 8 MiB"),
    ("unknown-encoding", "an unsupported content encoding (br)"),
    ("broken-gzip", "a body that does not decompress"),
])
def test_an_oversized_or_undecodable_body_is_a_malformed_response(server, scenario, why):
    out = attempt(server, scenario)
    assert out.message.endswith(f"sent a malformed response: {why}."), out.message


def test_the_bounded_reader_stops_at_its_limit_after_decompression(server):
    """http_body on its own, against the same bomb: exactly the limit, of inflated bytes."""
    import asyncio

    import httpx

    from aigc_desktop.engine.server import http_body

    async def read() -> bytes:
        async with httpx.AsyncClient() as client:
            request = client.build_request("POST", server.url("bomb-error") + "/v1/completions", json={})
            response = await client.send(request, stream=True)
            try:
                return await http_body.read_at_most(response, http_body.ERROR_BODY_LIMIT)
            finally:
                await response.aclose()

    HOSTILE_TALLY["cases tried"] += 1
    tracemalloc.start()
    body = asyncio.run(read())
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert body == b"A" * http_body.ERROR_BODY_LIMIT and peak < 8 * 1024 * 1024


def test_an_endless_error_body_is_not_read_to_its_end(server):
    out = attempt(server, "huge-error")
    assert out.error.status == 503 and '"xxxx' in out.message
    assert wait_for_hangup(server, "huge-error")  # the client hung up instead of reading on


def test_gzip_of_endless_empty_lines_ends_at_the_deadline(server):
    out = attempt(server, "bomb-newlines")
    assert isinstance(out.error, RemoteStreamCut) and f"no new text came for {TIMEOUT:g} s" in out.message


# ----- time ------------------------------------------------------------------------------------
@pytest.mark.parametrize("scenario", ["keepalive", "byte-a-second", "empty-chunks"])
def test_a_stream_without_new_tokens_ends_at_the_request_timeout(server, scenario):
    out = attempt(server, scenario)
    assert isinstance(out.error, RemoteStreamCut) and f"no new text came for {TIMEOUT:g} s" in out.message
    assert out.seconds >= TIMEOUT
    assert wait_for_hangup(server, scenario)


def test_headers_a_byte_at_a_time_end_at_the_request_timeout(server):
    out = attempt(server, "trickle-head")
    assert out.message.endswith(f"did not answer within {TIMEOUT:g} s.")


def test_text_before_the_keepalives_is_kept(server):
    out = attempt(server, "some-then-keepalive")
    assert out.run.text == out.error.partial_text == " one two" and out.run.finish_reason == "cut"
    assert "the 8 characters received so far were kept" in out.message


def test_stop_ends_a_hostile_stream_at_once(server):
    for scenario in ("keepalive", "endless-line", "bomb-newlines"):
        stop = StopFlag()
        threading.Timer(0.1, stop.request_stop).start()
        out = attempt(server, scenario, stop=stop)
        # A fast socket can deliver the endless line's first MiB before the Stop: then the
        # line limit ends the run first, which is as bounded (and as quick) as Stop.
        cut_by_limit = scenario == "endless-line" and out.error is not None and "longer than" in out.message
        assert cut_by_limit or (out.error is None and out.run.finish_reason == "stopped"), (scenario, out.message)
        assert out.seconds < TIMEOUT, scenario  # Stop (or the line limit), not the deadline


# ----- max_tokens ------------------------------------------------------------------------------
def test_max_tokens_is_enforced_on_the_client(server):
    out = attempt(server, "ignores-max-tokens", max_new_tokens=5)
    assert out.error is None and out.run.text == " w" * 5 and out.run.finish_reason == "length"
    assert len(out.run.new_token_ids) == 5
    assert wait_for_hangup(server, "ignores-max-tokens")
    out = attempt(server, "ignores-max-tokens-n2", max_new_tokens=4, alternatives=2)
    assert out.run.text == " a" * 4 and out.run.alternatives == [" b" * 4]


def test_a_token_of_64_kib_counts_as_256_characters(server):
    from aigc_desktop.engine.server.remote_candidates import CHARS_PER_TOKEN

    out = attempt(server, "huge-tokens", max_new_tokens=8)
    assert out.error is None and out.run.text == "y" * 8 * CHARS_PER_TOKEN and out.run.finish_reason == "length"
    # Candidate 1 never comes, and candidate 0's text past its budget is no progress: the deadline ends it.
    out = attempt(server, "huge-tokens", max_new_tokens=2, alternatives=2)
    assert isinstance(out.error, RemoteStreamCut) and f"no new text came for {TIMEOUT:g} s" in out.message
    assert out.run.text == out.error.partial_text == "y" * 2 * CHARS_PER_TOKEN


def test_max_tokens_cuts_a_chunk_of_many_tokens(server):
    out = attempt(server, "many-tokens-in-a-chunk", max_new_tokens=7)
    assert out.run.text == "".join(f" t{i}" for i in range(7)) and len(out.run.new_token_ids) == 7
    assert out.run.finish_reason == "length"


# ----- JSON ------------------------------------------------------------------------------------
@pytest.mark.parametrize("scenario", ["deep-event", "deep-field", "deep-objects"])
def test_json_nested_past_the_stack_is_a_malformed_event(server, scenario):
    out = attempt(server, scenario)
    assert "sent a malformed event" in out.message and out.run.text == " ok"


def test_deeply_nested_errors_are_one_sentence(server):
    out = attempt(server, "deep-error")
    assert out.error.status == 500
    out = attempt(server, "deep-error-parsable")
    assert out.message.endswith('The server said: "the real reason".')
    out = attempt(server, "deep-error-mid-stream")
    assert out.message == "The server failed while generating: gpu fell over." and out.run.text == " ok"


@pytest.mark.parametrize("name", sorted(VALUE_CASES))
def test_odd_values_give_text_or_one_sentence(server, name):
    out = attempt(server, "value-" + name)
    assert out.run.text.startswith(" before")
    for event in out.events:
        assert all(0.0 <= p <= 1.0 for p in event.probabilities)
    assert 0 <= out.run.context_tokens < 2**31
    if out.error is None:
        assert out.run.finish_reason in ("length", "eos", "cut") or out.run.finish_reason == out.run.server_finish_reason


def test_model_lists_that_explode_are_empty(server):
    for scenario in ("bomb-models", "deep-models"):
        HOSTILE_TALLY["cases tried"] += 1
        tracemalloc.start()
        models = RemoteBackend(server.url(scenario), timeout=TIMEOUT).list_models()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert models == [] and peak < MEMORY_BOUND, scenario


# ----- line ends and Unicode -------------------------------------------------------------------
def test_unicode_line_separators_stay_inside_the_text(server):
    out = attempt(server, "separators")
    assert out.error is None and out.run.text == "".join(f" a{c}b" for c in SEPARATORS)


@pytest.mark.parametrize("scenario, text", [
    ("cr-only", " carriage return"),
    ("crlf-split", " split ends"),
    ("bom", " bom"),
    ("invalid-utf8", " bad\ufffd\ufffd bytes"),
    ("nul", " nul\x00here"),
])
def test_line_ends_byte_order_marks_and_bad_bytes(server, scenario, text):
    out = attempt(server, scenario)
    assert out.error is None and out.run.text == text and out.run.finish_reason == "length"


# ----- the API key -----------------------------------------------------------------------------
@pytest.mark.parametrize("scenario", ["echo-key-error", "echo-key-partial", "echo-key-mid-stream",
                                      "echo-key-malformed", "echo-key-html"])
def test_the_users_own_key_is_taken_out_of_the_servers_words(server, scenario):
    out = attempt(server, scenario)
    assert out.error is not None and KEY not in out.message and KEY[:14] not in out.message
    assert "[API key]" in out.message, out.message
    assert server.requests[-1].headers["authorization"] == f"Bearer {KEY}"  # it was sent, as it must be


def test_markup_from_the_server_is_quoted_as_it_is(server):
    out = attempt(server, "html-error")
    assert f"{IMG} went wrong" in out.message  # the window shows it as plain text (test_ui_hostile_server)


# ----- addresses -------------------------------------------------------------------------------
@pytest.mark.parametrize("url", [
    "http://134744072", "http://0x08080808:8000", "http://010.010.010.010", "http://8.8.2056",
    "http://0x8.0x8.0x8.0x8", "http://[::ffff:8.8.8.8]", "http://8.8.8.8.", "http://93.184.215.14:8000",
])
def test_every_spelling_of_a_public_address_gets_the_plain_http_warning(url):
    HOSTILE_TALLY["cases tried"] += 1
    assert "unencrypted" in (plain_http_warning(url) or ""), url
    assert "unencrypted" in (RemoteBackend(url).warning or "")


@pytest.mark.parametrize("url", ["http://127.1", "http://2130706433", "http://0x7f000001", "http://0177.0.0.1",
                                 "http://10.1", "http://[::ffff:192.168.1.2]", "http://gpu-box:8000"])
def test_local_addresses_in_any_spelling_get_no_warning(url):
    HOSTILE_TALLY["cases tried"] += 1
    assert plain_http_warning(url) is None, url


# ----- the CLI ---------------------------------------------------------------------------------
def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aigc_desktop", "continue", *args], input="",
                          capture_output=True, text=True, encoding="utf-8", timeout=60,
                          env={**os.environ, "AIGC_HOSTILE_KEY": KEY})


def test_the_cli_asks_for_no_logprobs_it_would_not_show(server):
    result = cli("--server", server.url("cr-only"), "--remote-model", "m", "Hello")
    assert result.returncode == 0 and result.stdout == " carriage return\n", result.stderr
    assert "logprobs" not in server.completions()[-1]


@pytest.mark.parametrize("scenario", ["bomb-error", "keepalive", "deep-event", "endless-line", "echo-key-error"])
def test_the_cli_says_one_line_for_a_hostile_server(server, scenario):
    HOSTILE_TALLY["cases tried"] += 1
    result = cli("--server", server.url(scenario), "--remote-model", "m", "--api-key-env", "AIGC_HOSTILE_KEY",
                 "Hello")
    if "Traceback" in result.stderr:
        HOSTILE_TALLY["tracebacks"] += 1
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("aigc-desktop: error: ") and result.stderr.count("\n") == 1, result.stderr
    assert KEY[:8] not in result.stderr


# ----- the window ------------------------------------------------------------------------------
def test_a_servers_model_name_and_error_show_as_literal_text(qtbot, make_window, server):
    """`<img src='file:///dev/zero'>` as rich text would make Qt read /dev/zero for ever; here it is characters."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QTextCursor

    from aigc_desktop.ui.suggestion.worker import engine_loader

    HOSTILE_TALLY["cases tried"] += 2
    window = make_window(engine_loader, use_server=True, server_url=server.url("html-model"))
    assert window.session.model_info is not None and window.session.model_info.name == IMG
    label = window.status.model_label
    assert label.textFormat() == Qt.TextFormat.PlainText and label.text().startswith(IMG)
    assert label.sizeHint().width() >= label.fontMetrics().horizontalAdvance(IMG)  # laid out as text
    failing = make_window(engine_loader, use_server=True, server_url=server.url("html-error"))
    failing.editor.load_text("Once upon a time")
    failing.editor.moveCursor(QTextCursor.MoveOperation.End)
    failing.controller.continue_text()
    qtbot.waitUntil(lambda: failing.banner.isVisible(), timeout=10000)
    assert f"{IMG} went wrong" in failing.banner.text()
    assert failing.banner.label.textFormat() == Qt.TextFormat.PlainText
    assert failing.editor.user_text() == "Once upon a time"


class _TallyReport:
    """Prints HOSTILE_TALLY at the end of the run, beside conftest's reliability counts."""

    def pytest_terminal_summary(self, terminalreporter):
        if HOSTILE_TALLY["cases tried"]:
            terminalreporter.write_line("hostile server: " + ", ".join(f"{k} {v}" for k, v in HOSTILE_TALLY.items()))


@pytest.fixture(scope="module", autouse=True)
def _report_the_tally(request):
    if not request.config.pluginmanager.has_plugin("hostile-tally"):
        request.config.pluginmanager.register(_TallyReport(), "hostile-tally")
