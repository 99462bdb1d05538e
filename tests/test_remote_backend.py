"""RemoteBackend against a local server that replays recorded OpenAI-compatible streams (tests/sse_server.py).

Everything runs on 127.0.0.1; nothing here loads torch or a model.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import subprocess
import sys
import threading
import time

import pytest
from sse_server import API_KEY, SLOW_DELAY, SLOW_TOKENS, SSEServer, closed_port

from aigc_desktop.engine import ContinuationRequest, EngineError, GenerationError, StopFlag
from aigc_desktop.engine.backend import Backend, RunLike, TokenEventLike, open_backend
from aigc_desktop.engine.server.remote import RemoteBackend, RemoteRun, RemoteTokenEvent
from aigc_desktop.engine.server.remote_errors import RemoteError, RemoteStreamCut
from aigc_desktop.engine.server.server_address import plain_http_warning, server_source

STORY = " there was a little girl who lived in a village near the forest."
PARIS = " Paris, and the capital of Germany is Berlin."
PARK = "我们一起去公园散步吧。回来的时候买冰淇淋。"


@pytest.fixture(scope="module")
def server():
    with SSEServer() as running:
        yield running


def request(text: str = "Once upon a time", **fields) -> ContinuationRequest:
    return ContinuationRequest(text, **fields)


def collect(backend: RemoteBackend, req: ContinuationRequest | None = None, stop: StopFlag | None = None):
    run = backend.stream(req or request(), stop or StopFlag())
    return run, list(run)


def failure(backend: RemoteBackend, req: ContinuationRequest | None = None):
    run = backend.stream(req or request(), StopFlag())
    events = []
    with pytest.raises(RemoteError) as info:
        for event in run:
            events.append(event)
    message = str(info.value)
    assert "\n" not in message and message.endswith((".", "?", '"')), message
    return info.value, run, events


# ----- the interface ---------------------------------------------------------------------------
def test_remote_backend_and_its_runs_satisfy_the_backend_protocol(server):
    backend = RemoteBackend(server.url("llamacpp"))
    assert isinstance(backend, Backend)
    run, events = collect(backend)
    assert isinstance(run, RunLike)
    assert all(isinstance(event, TokenEventLike) for event in events)
    assert backend.name == "gpt2-q8_0.gguf"  # none named: the first the server lists
    assert backend.device_label == f"server 127.0.0.1:{server.port}"
    assert backend.window == 0  # llama.cpp does not list its context size


def test_open_backend_makes_a_checked_server_backend_from_a_server_source(server):
    backend = open_backend(server_source(server.url("models")), warm_up=True)
    assert isinstance(backend, RemoteBackend) and isinstance(backend, Backend)
    assert backend.name == "gpt2" and backend.window == 1024  # warm_up asked the server for its models
    with pytest.raises(RemoteError, match="has no model 'gpt-4'"):
        open_backend(server_source(server.url("models"), "gpt-4"), warm_up=True)
    remote = open_backend(server_source(server.url("auth"), "m", 5.0), api_key=API_KEY)
    assert remote.has_api_key and remote.timeout == 5.0 and remote.model == "m"


def test_the_remote_path_does_not_import_torch():
    code = ("import sys; import aigc_desktop.cli, aigc_desktop.engine.server.remote, aigc_desktop.engine.backend; "
            "print('torch' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "False", result.stderr


# ----- streaming -------------------------------------------------------------------------------
def test_llamacpp_stream_text_equals_the_events(server):
    backend = RemoteBackend(server.url("llamacpp"))
    run, events = collect(backend)
    assert "".join(event.text for event in events) == run.text == STORY
    assert all(isinstance(event, RemoteTokenEvent) for event in events)
    assert run.finish_reason == "length" and run.server_finish_reason == "length"
    assert len(run.new_token_ids) == 14 and run.completion_tokens == 14
    assert run.context_tokens == 4  # from the usage in the last chunk
    assert run.first_token_seconds is not None and run.elapsed_seconds >= run.first_token_seconds
    assert run.tokens_per_second > 0
    assert all(event.probabilities == () and event.alternatives == () for event in events)  # no logprobs sent
    assert [backend.token_text(i) for i in run.new_token_ids] == [e.tokens[0] for e in events if e.tokens]


def test_the_request_maps_onto_the_completions_api(server):
    backend = RemoteBackend(server.url("llamacpp"), model="gpt2-q8_0.gguf")
    collect(backend, request("It was", max_new_tokens=14, temperature=0.7, top_k=0, top_p=0.9, seed=1234,
                             repetition_penalty=1.3, stop_sequences=("\n\n", "THE END")))
    body = server.completions()[-1]
    assert body == {
        "prompt": "It was", "model": "gpt2-q8_0.gguf", "max_tokens": 14, "temperature": 0.7, "top_p": 0.9,
        "top_k": -1,  # 0 ("off") is -1 on the wire: llama.cpp and vLLM both read it as off
        "seed": 1234, "stream": True, "stop": ["\n\n", "THE END"],
        "repetition_penalty": 1.3, "repeat_penalty": 1.3,  # vLLM's and llama.cpp's names
        "logprobs": 5, "stream_options": {"include_usage": True},
    }
    run, _ = collect(backend, request("It was", top_k=40))
    body = server.completions()[-1]
    assert body["top_k"] == 40 and "n" not in body and "stop" not in body and "repetition_penalty" not in body
    assert isinstance(body["seed"], int) and body["seed"] == run.seed  # a fresh seed, reported


def test_settings_no_server_offers_are_refused_not_dropped(server):
    backend = RemoteBackend(server.url("llamacpp"))
    with pytest.raises(ValueError, match="n-gram"):
        backend.stream(request(no_repeat_ngram_size=3))
    with pytest.raises(ValueError, match="context is empty"):
        backend.stream(request("  "))


def test_only_the_tail_that_fits_the_window_is_sent(server):
    from aigc_desktop.engine.text.context import estimated_tail
    from aigc_desktop.engine.server.remote import ASSUMED_WINDOW

    document = "\n".join(f"Paragraph {i} of a very long draft, written word by word." for i in range(20000))
    collect(RemoteBackend(server.url("models"), model="gpt2"), request(document, max_new_tokens=24))
    sent = server.completions()[-1]["prompt"]
    assert document.endswith(sent) and 0 < len(sent) <= 3 * (1024 - 24)  # vLLM said 1024 tokens
    assert sent.startswith("word") or sent[0].isupper() or document[-len(sent) - 1].isspace()  # a whole word
    collect(RemoteBackend(server.url("llamacpp")), request(document, max_new_tokens=24))
    assert len(server.completions()[-1]["prompt"]) > len(sent)  # no window given: ASSUMED_WINDOW
    assert len(server.completions()[-1]["prompt"]) <= 3 * ASSUMED_WINDOW
    chinese = "今天天气真好，我想去公园散步。" * 1000
    assert estimated_tail(chinese, 300) == chinese[-100:]  # 3 tokens a character, surely enough
    assert estimated_tail("short text", 100) == "short text"


def test_a_recorded_llama_cpp_python_stream_and_its_ignored_n(server):
    """A real server's bytes: llama-cpp-python 0.3.36 answered n=2 with one choice and said nothing."""
    import json

    from sse_server import recorded_events

    chunks = [json.loads(e) for e in recorded_events("llama-cpp-python-0.3.36.sse") if e != "[DONE]"]
    expected = "".join(c["choices"][0]["text"] for c in chunks)
    backend = RemoteBackend(server.url("llama-cpp-python"))
    run, events = collect(backend, request(alternatives=2, max_new_tokens=6))
    assert run.text == expected and run.model == "smollm2" and run.finish_reason == "length"
    assert backend.window == 0  # it does not list one
    scored = [e for e in events if e.probabilities]
    assert len(scored) == 6 and all(0 < p <= 1 for e in scored for p in e.probabilities)
    assert all(len(e.alternative_texts[0]) >= 5 for e in scored)
    assert "1 of the 2 candidates" in run.notice and "Candidates setting (the n field)" in run.notice
    run, _ = collect(backend, request(max_new_tokens=6))
    assert run.notice == ""  # one asked for, one sent


def test_probabilities_that_lose_characters_are_dropped_and_the_text_kept(server):
    backend = RemoteBackend(server.url("lossy-logprobs"))
    before = len(server.completions())
    run, events = collect(backend, request("今天天气真好，", max_new_tokens=10))
    first, again = server.completions()[before:]
    assert first["logprobs"] == 5 and "logprobs" not in again
    # The second request continues from what had arrived, with the tokens spent taken off.
    assert again["prompt"] == "今天天气真好，我" and again["max_tokens"] == 10 - 2
    assert run.text == "".join(e.text for e in events) == "我们去公园。"
    assert events[0].probabilities and not any(e.probabilities for e in events[1:])
    assert "loses characters" in run.notice and run.finish_reason == "length"
    run, _ = collect(backend, request("今天天气真好，", max_new_tokens=10))
    assert "logprobs" not in server.completions()[-1] and run.notice == ""  # said once; not asked again


def test_vllm_logprobs_become_probabilities_and_alternatives(server):
    backend = RemoteBackend(server.url("vllm-logprobs"))
    run, events = collect(backend, request("The capital of France is", max_new_tokens=10))
    assert run.text == PARIS and run.model == "gpt2" and run.context_tokens == 5
    assert backend.window == run.window == 1024  # vLLM lists max_model_len
    first = events[0]
    assert first.text == " Paris" and first.tokens == (" Paris",)
    assert first.probabilities == pytest.approx((math.exp(-0.8316),))
    assert [t for t, _ in first.alternative_texts[0]] == [" Paris", " the", " a", " located", " not"]
    assert [p for _, p in first.alternative_texts[0]] == pytest.approx(
        [math.exp(x) for x in (-0.8316, -2.1203, -2.9871, -3.441, -3.9925)])
    # The TokenEvent fields hold ids that the backend turns back into the texts.
    assert [(backend.token_text(i), p) for i, p in first.alternatives[0]] == list(first.alternative_texts[0])
    assert backend.token_text(first.token_ids[0]) == " Paris"
    assert all(len(e.probabilities) == len(e.token_ids) == len(e.alternatives) for e in events)
    with pytest.raises(ValueError, match="context window"):
        backend.stream(request(max_new_tokens=1024))


def test_llamacpp_logprobs_in_chinese_with_stable_ids(server):
    backend = RemoteBackend(server.url("llamacpp-logprobs"))
    run, events = collect(backend, request("今天天气真好，"))
    assert run.text == PARK and run.finish_reason == "eos" and run.server_finish_reason == "stop"
    periods = [event.token_ids[0] for event in events if event.text == "。"]
    assert len(periods) == 2 and periods[0] == periods[1] and backend.token_text(periods[0]) == "。"
    sampled = next(e for e in events if e.text == "回来")  # sampled, though "\n" was likelier
    assert sampled.probabilities == pytest.approx((math.exp(-1.8971),))
    assert sampled.alternative_texts[0][0] == ("\n", pytest.approx(math.exp(-0.6325)))


def test_the_editor_worker_reads_remote_alternatives_through_token_text(server):
    pytest.importorskip("PySide6")
    from aigc_desktop.ui.suggestion.worker import chunk_info, describe_backend

    backend = RemoteBackend(server.url("vllm-logprobs"))
    _, events = collect(backend)
    info = chunk_info(events[0], backend)
    assert info is not None and [t for t, _ in info.alternatives][:2] == [" Paris", " the"]
    described = describe_backend(backend, backend.base_url, 0.1)
    assert (described.name, described.device, described.window) == ("gpt2", backend.device_label, 1024)


def test_stop_at_sentence_and_stop_sequences_apply_here_too(server):
    backend = RemoteBackend(server.url("llamacpp-logprobs"))
    run, events = collect(backend, request("今天天气真好，", stop_at="sentence"))
    assert run.text == "我们一起去公园散步吧。" and run.finish_reason == "stop_text"
    assert "".join(e.text for e in events) == run.text
    run, _ = collect(RemoteBackend(server.url("llamacpp")), request(stop_sequences=(" village",)))
    assert run.text == " there was a little girl who lived in a" and run.finish_reason == "stop_text"
    assert server.completions()[-1]["stop"] == [" village"]  # the server is told as well


def test_text_held_back_for_a_stop_comes_out_at_the_end(server):
    for scenario in ("llamacpp", "no-finish"):  # with a finish_reason, and with only [DONE]
        run, events = collect(RemoteBackend(server.url(scenario)), request(stop_at="sentence"))
        assert run.text == STORY == "".join(e.text for e in events), scenario
        assert events[-1].text == "." and run.finish_reason == "length"
        assert sum(len(e.token_ids) for e in events) == len(run.new_token_ids) == 14


def test_n2_streams_the_first_choice_and_collects_the_other(server):
    backend = RemoteBackend(server.url("vllm-n2"))
    run, events = collect(backend, request(alternatives=2))
    assert server.completions()[-1]["n"] == 2
    assert "".join(e.text for e in events) == run.text == " there was a little girl named Alice."
    assert run.alternatives == [" the world was young and full of magic"]
    assert run.finish_reason == "length" and len(run.new_token_ids) == 8
    assert run.completion_tokens is None  # the usage counts both candidates


def test_a_server_that_does_not_stream_still_works(server):
    run, events = collect(RemoteBackend(server.url("whole")))
    assert run.text == STORY == "".join(e.text for e in events) and run.finish_reason == "length"


def test_refused_logprobs_are_dropped_once_and_remembered(server):
    backend = RemoteBackend(server.url("no-logprobs"))
    before = len(server.completions())
    run, events = collect(backend)
    run2, _ = collect(backend)
    bodies = server.completions()[before:]
    assert [("logprobs" in body) for body in bodies] == [True, False, False]
    assert run.text == run2.text == STORY and all(e.probabilities == () for e in events)


# ----- Stop --------------------------------------------------------------------------------------
def test_stop_between_events_ends_the_run_with_no_further_event(server):
    stop = StopFlag()
    run = RemoteBackend(server.url("slow")).stream(request(), stop)
    events = []
    for event in run:
        events.append(event)
        if len(events) == 3:
            stop.request_stop()
    assert len(events) == 3 and run.finish_reason == "stopped"
    assert run.text == "".join(SLOW_TOKENS[:3])


def test_stop_while_waiting_ends_within_100_ms_and_closes_the_connection(server):
    stop = StopFlag()
    run = RemoteBackend(server.url("slow")).stream(request(), stop)
    stopped_at: list[float] = []

    def press_stop() -> None:
        stop.request_stop()
        stopped_at.append(time.perf_counter())

    arrivals = []
    for event in run:
        arrivals.append(time.perf_counter())
        if len(arrivals) == 3:
            threading.Timer(SLOW_DELAY / 3, press_stop).start()  # while the next token is on its way
    ended = time.perf_counter()
    assert stopped_at, "the run ended before Stop was pressed"
    assert ended - stopped_at[0] < 0.1
    assert len(arrivals) == 3 and all(t < stopped_at[0] for t in arrivals)
    assert run.finish_reason == "stopped" and run.text == "".join(SLOW_TOKENS[:3])
    deadline = time.monotonic() + 2
    while not any(d.scenario == "slow" for d in server.disconnects) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert any(d.scenario == "slow" and d.sent < len(SLOW_TOKENS) for d in server.disconnects)


def test_stop_while_the_server_has_not_answered_yet(server):
    stop = StopFlag()
    run = RemoteBackend(server.url("hang"), model="m").stream(request(), stop)
    threading.Timer(0.15, stop.request_stop).start()
    started = time.perf_counter()
    assert list(run) == []
    assert time.perf_counter() - started < 0.15 + 0.1
    assert run.finish_reason == "stopped"


def test_stop_at_any_moment_on_an_event_loop_never_hangs(server):
    """Stop (flag set, task cancelled, as the editor does) landing anywhere: before the first token, between
    tokens, just as one arrives. A cancel that asyncio.wait_for swallowed once left the run waiting for ever."""
    backend = RemoteBackend(server.url("slow"))

    async def cycle(delay: float) -> str:
        stop = StopFlag()
        run = backend.stream(request(), stop)

        async def consume() -> None:
            async for _ in backend.astream(run.request, stop, run=run):
                pass

        task = asyncio.ensure_future(consume())
        await asyncio.sleep(delay)
        stop.request_stop()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return run.finish_reason

    async def cycles() -> list[str]:
        return [await asyncio.wait_for(cycle(SLOW_DELAY * (i % 25) / 10), 10) for i in range(80)]

    assert set(asyncio.run(cycles())) == {"stopped"}


def test_a_silent_server_times_out_with_a_clear_message(server):
    error, _, _ = failure(RemoteBackend(server.url("hang"), model="m", timeout=0.3))
    assert "did not answer within 0.3 s" in str(error)


def test_abandoning_the_iteration_closes_the_stream(server):
    run = RemoteBackend(server.url("slow")).stream(request(), StopFlag())
    events = iter(run)
    next(events)
    events.close()
    assert run.finish_reason == "stopped"


# ----- async -----------------------------------------------------------------------------------
def test_astream_on_an_asyncio_loop(server):
    backend = RemoteBackend(server.url("vllm-logprobs"))

    async def main():
        run = backend.stream(request())
        texts = [event.text async for event in backend.astream(run.request, run=run)]
        models = await backend.alist_models()
        return run, texts, models

    run, texts, models = asyncio.run(main())
    assert "".join(texts) == run.text == PARIS and run.finish_reason == "length"
    assert models == ["gpt2", "gpt2-medium"]


def test_async_for_on_the_editors_qasync_loop_with_stop(server, qtbot, gui_event_loop):
    backend = RemoteBackend(server.url("slow"))
    stop = StopFlag()
    seen = []

    async def main():
        run = backend.stream(request(), stop)
        async for event in run:
            seen.append(event.text)
            if len(seen) == 2:
                asyncio.get_running_loop().call_later(0.01, stop.request_stop)
        return run

    task = asyncio.ensure_future(main())
    qtbot.waitUntil(task.done, timeout=10000)
    run = task.result()
    assert seen == SLOW_TOKENS[:2] and run.finish_reason == "stopped"


def test_the_blocking_api_refuses_to_run_on_an_event_loop(server):
    backend = RemoteBackend(server.url("llamacpp"))

    async def main():
        with pytest.raises(RuntimeError, match="astream"):
            list(backend.stream(request()))

    asyncio.run(main())


# ----- models ----------------------------------------------------------------------------------
def test_list_models_and_connect(server):
    assert RemoteBackend(server.url("models")).list_models() == ["gpt2", "gpt2-medium"]
    assert RemoteBackend(server.url("html-404")).list_models() == []  # not offered: no error
    backend = RemoteBackend(server.url("models"))
    assert backend.connect() == ["gpt2", "gpt2-medium"] and backend.model == "gpt2" and backend.window == 1024
    with pytest.raises(RemoteError, match="has no model 'gpt-4'. It offers: gpt2, gpt2-medium."):
        RemoteBackend(server.url("models"), model="gpt-4").connect()
    with pytest.raises(RemoteError, match="401"):
        RemoteBackend(server.url("auth")).connect()
    with pytest.raises(RemoteError, match="refused"):
        RemoteBackend(f"http://127.0.0.1:{closed_port()}").list_models()


# ----- errors ----------------------------------------------------------------------------------
def test_connection_refused():
    port = closed_port()
    error, run, events = failure(RemoteBackend(f"http://127.0.0.1:{port}", model="m"))
    assert str(error) == (f"Could not connect to the server at http://127.0.0.1:{port}: the connection was "
                          f"refused. Is the server running and listening on port {port}?")
    assert isinstance(error, GenerationError) and isinstance(error, EngineError) and events == []


def test_dns_failure():
    error, _, _ = failure(RemoteBackend("http://no-such-host.invalid:8000", model="m", timeout=5))
    assert "Could not find the server 'no-such-host.invalid'" in str(error) and "DNS" in str(error)


def test_tls_error_against_a_plain_http_server(server):
    error, _, _ = failure(RemoteBackend(server.url("llamacpp").replace("http://", "https://"), model="m"))
    assert str(error).startswith("The secure (TLS) connection to the server at https://127.0.0.1:")
    assert "try http:// instead of https://" in str(error)


def test_401_says_the_key_is_missing_or_wrong_and_never_shows_it(server, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    error, _, _ = failure(RemoteBackend(server.url("auth"), model="m"))
    assert "401 Unauthorized" in str(error) and "needs an API key, and none was given" in str(error)
    wrong = RemoteBackend(server.url("auth"), model="m", api_key="sk-wrong-999")
    error, _, _ = failure(wrong)
    assert "API key was not accepted" in str(error)
    monkeypatch.setenv("AIGC_TEST_KEY", API_KEY)
    backend = RemoteBackend(server.url("auth"), api_key_env="AIGC_TEST_KEY")
    run, _ = collect(backend)
    assert run.text == STORY
    assert server.requests[-1].headers["Authorization"] == f"Bearer {API_KEY}"
    for shown in (repr(backend), repr(wrong), str(error), repr(run), caplog.text):
        assert API_KEY not in shown and "sk-wrong-999" not in shown
    monkeypatch.delenv("AIGC_TEST_KEY")
    with pytest.raises(EngineError, match="AIGC_TEST_KEY is not set"):
        RemoteBackend(server.url("auth"), api_key_env="AIGC_TEST_KEY")


def test_403(server):
    error, _, _ = failure(RemoteBackend(server.url("forbidden"), model="gpt2-xl", api_key="k"))
    assert "refused access (403 Forbidden): the API key is wrong, missing or not allowed to use the model " \
           "'gpt2-xl'." in str(error)
    assert error.status == 403


def test_404_model_names_it_and_lists_the_servers_models(server):
    error, _, _ = failure(RemoteBackend(server.url("models"), model="gpt-4"))
    assert str(error) == (f"The server at {server.url('models')} has no model 'gpt-4'. "
                          "It offers: gpt2, gpt2-medium.")
    assert error.models == ("gpt2", "gpt2-medium")


def test_404_from_something_that_is_not_an_inference_server(server):
    error, _, _ = failure(RemoteBackend(server.url("html-404") + "/v1"))  # a pasted /v1 is fine
    assert "has no completions endpoint (404 Not Found at /v1/completions)" in str(error)


def test_429_says_when_to_retry(server):
    error, _, _ = failure(RemoteBackend(server.url("busy"), model="m"))
    assert error.retry_after == 17
    assert "is busy (429 Too Many Requests): try again in 17 seconds." in str(error)


def test_5xx(server):
    error, _, _ = failure(RemoteBackend(server.url("broken"), model="m"))
    assert str(error).endswith('failed (500 Internal Server Error). The server said: '
                               '"llama_decode failed: could not find a KV slot".')
    error, _, _ = failure(RemoteBackend(server.url("unavailable"), model="m"))
    assert "503 Service Unavailable" in str(error) and "loading the model" in str(error)


def test_a_stream_cut_mid_way_keeps_the_text(server):
    for scenario in ("cut", "truncated"):
        error, run, events = failure(RemoteBackend(server.url(scenario), model="m"))
        assert isinstance(error, RemoteStreamCut)
        assert "stream was cut off part-way" in str(error) and "were kept" in str(error)
        assert run.text == error.partial_text == " there was a little" == "".join(e.text for e in events)
        assert run.finish_reason == "cut"


def test_a_malformed_event(server):
    error, run, events = failure(RemoteBackend(server.url("malformed"), model="m"))
    assert "sent a malformed event: \"{\"choices\":[{\"text\":\" girl\"" in str(error)
    assert run.text == " there was" and len(events) == 2


def test_an_error_event_mid_stream(server):
    error, run, _ = failure(RemoteBackend(server.url("mid-error"), model="m"))
    assert str(error) == "The server failed while generating: CUDA error: an illegal memory access was encountered."
    assert run.text == " Paris, and"


def test_a_rejected_parameter_is_named_not_dropped(server):
    before = len(server.completions())
    error, _, _ = failure(RemoteBackend(server.url("reject-top-k"), model="m"))
    assert error.param == "top_k" and error.status == 400
    assert "rejected the setting top-k (top_k = 50)." in str(error)
    assert "Unrecognized request argument supplied: top_k" in str(error)
    assert len(server.completions()) == before + 1  # not retried without it


def test_bad_addresses():
    with pytest.raises(EngineError, match="must start with http:// or https://"):
        RemoteBackend("127.0.0.1:8080")
    with pytest.raises(EngineError, match="invalid port"):
        RemoteBackend("http://127.0.0.1:99999")


def test_plain_http_beyond_the_local_network_is_warned_about():
    for url in ("http://127.0.0.1:8080", "http://localhost:11434", "http://10.0.0.5:8000", "http://192.168.1.20",
                "http://[::1]:8000", "http://100.101.102.103:8000", "http://gpu-box:8000", "http://llm.lan",
                "https://api.example.com"):
        assert plain_http_warning(url) is None, url
    for url in ("http://93.184.215.14:8000", "http://[2606:4700::1111]/", "http://api.example.com"):
        assert "unencrypted" in plain_http_warning(url), url
    assert RemoteBackend("http://93.184.215.14:8000").warning is not None
    assert RemoteBackend("http://127.0.0.1:8000").warning is None


def test_run_is_iterated_once(server):
    run = RemoteBackend(server.url("llamacpp")).stream(request())
    list(run)
    with pytest.raises(RuntimeError):
        list(run)
    assert isinstance(run, RemoteRun)


# ----- the CLI ---------------------------------------------------------------------------------
def cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aigc_desktop", "continue", *args], input="",
                          capture_output=True, text=True, encoding="utf-8", timeout=60,
                          env={**os.environ, **env})


def one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert result.stderr.endswith("\n") and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("aigc-desktop: error: ")
    return result.stderr.rstrip("\n")


def test_cli_streams_from_the_server(server):
    result = cli("--server", server.url("auth"), "--api-key-env", "AIGC_CLI_KEY", "--temperature", "0",
                 "--max-new-tokens", "14", "Once upon a time", AIGC_CLI_KEY=API_KEY)
    assert result.returncode == 0, result.stderr
    assert result.stdout == STORY + "\n" and result.stderr == ""
    body = server.completions()[-1]
    assert body["temperature"] == 0 and body["max_tokens"] == 14 and body["prompt"] == "Once upon a time"


def test_cli_errors_are_one_line(server):
    result = cli("--server", server.url("models"), "--remote-model", "gpt-4", "Hello")
    assert result.returncode == 1 and result.stdout == ""
    assert one_line_error(result).endswith("has no model 'gpt-4'. It offers: gpt2, gpt2-medium.")
    port = closed_port()
    result = cli("--server", f"http://127.0.0.1:{port}", "Hello")
    assert "the connection was refused" in one_line_error(result)


def test_cli_keeps_the_text_of_a_cut_stream_and_says_so(server):
    result = cli("--server", server.url("cut"), "--remote-model", "m", "Once upon a time")
    assert result.returncode == 1
    assert result.stdout == " there was a little\n"
    assert "cut off part-way" in one_line_error(result)


def test_cli_usage_errors(server):
    result = cli("--remote-model", "gpt2", "Hello")
    assert result.returncode == 2 and "need --server URL" in one_line_error(result)
    result = cli("--server", server.url("llamacpp"), "--model", "gpt2", "Hello")
    assert result.returncode == 2 and "with --server use --remote-model" in one_line_error(result)
    result = cli("--server", server.url("llamacpp"), "--api-key-env", "AIGC_NOT_SET_ANYWHERE", "Hello")
    assert result.returncode == 2 and "AIGC_NOT_SET_ANYWHERE is not set" in one_line_error(result)


def test_the_editors_loop_reuses_the_connection(server, qtbot, gui_event_loop):
    """On the app's long-lived loop each Continue reuses the open connection (no new handshake)."""
    backend = RemoteBackend(server.url("whole"))

    async def two_runs():
        for _ in range(2):
            async for _ in backend.astream(request()):
                pass

    task = asyncio.ensure_future(two_runs())
    qtbot.waitUntil(task.done, timeout=10000)
    task.result()
    posts = [r for r in server.requests if r.path.endswith("/v1/completions")]
    assert posts[-1].port == posts[-2].port  # one connection, kept alive between the runs


def test_blocking_calls_keep_no_connection(server):
    blocking = RemoteBackend(server.url("whole"))
    for _ in range(2):
        list(blocking.stream(request()))
    posts = [r for r in server.requests if r.path.endswith("/v1/completions")]
    assert posts[-1].port != posts[-2].port  # each blocking call's private loop had its own client
