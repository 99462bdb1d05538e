"""Section `server`: an inference server through the Backend interface, as the CLI and the editor use it.

    aigc-desktop bench --server http://127.0.0.1:8080 [--remote-model NAME] [--api-key-env VAR]

For an English and a Chinese prompt: time to first token and decode speed over
`repeats` greedy runs of `stream(request)` (the CLI's call), without token
probabilities as the editor asks by default; English also with them (the
editor's probability view on). Stop is measured on
both of the editor's paths: on an event loop (the app's qasync loop), where Stop
sets the flag and cancels the task; and from another thread (the worker-thread
path, and the CLI's Ctrl+C), where the run notices the flag. Each time runs from
Stop until the run has ended and its connection is closed.
"""

from __future__ import annotations

import asyncio
import threading
import time

from ..engine.text.request import ContinuationRequest
from ..engine.text.stop_flag import StopFlag
from .prompts import PASSAGE
from .stats import alternate, fields, ratios, summary

PROMPTS = {
    "English": PASSAGE[:400].rsplit(" ", 1)[0],
    "Chinese": "今天天气真好，我想去公园散步。路上的行人不多，风吹过湖面，",
}
STOP_DELAYS = (0.0, 0.013, 0.031)  # after the first text: Stop lands at different moments of a token


def _request(text: str, new_tokens: int, probabilities: bool = False):
    return ContinuationRequest(context=text, max_new_tokens=new_tokens, temperature=0, seed=1,
                               probabilities=probabilities)


def decode_run(backend, text: str, new_tokens: int, probabilities: bool = False) -> dict:
    run = backend.stream(_request(text, new_tokens, probabilities))
    started = time.perf_counter()
    scored = False
    for event in run:
        scored = scored or bool(event.probabilities)
    # Where the server reports neither usage nor per-token probabilities, tokens are counted
    # as stream chunks: one per token, except where a chunk carries a character split across several.
    counted = "usage" if run.completion_tokens is not None else "logprobs" if scored else "chunks"
    return {"ttft_s": run.first_token_seconds, "decode_tps": run.tokens_per_second or None,
            "tokens": len(run.new_token_ids), "seconds": time.perf_counter() - started,
            "finish_reason": run.finish_reason, "tokens_counted_by": counted}


def stop_from_thread(backend, text: str, new_tokens: int, delay: float) -> dict:
    """Iterate in this thread; another thread sets Stop `delay` after the first text."""

    stop = StopFlag()
    run = backend.stream(_request(text, new_tokens), stop)
    pressed: list[float] = []

    def press() -> None:
        pressed.append(time.perf_counter())
        stop.request_stop()

    timer = None
    for event in run:
        if event.text and timer is None:
            timer = threading.Timer(delay, press)
            timer.start()
    ended = time.perf_counter()
    if timer is not None:
        timer.join()
    return _stopped(run, pressed, ended)


def stop_on_event_loop(backend, text: str, new_tokens: int, delay: float) -> dict:
    """As the editor does on qasync's loop: set the flag, cancel the task, wait for it to end."""

    async def measure() -> dict:
        stop = StopFlag()
        run = backend.stream(_request(text, new_tokens), stop)
        first = asyncio.Event()

        async def consume() -> None:
            async for event in backend.astream(run.request, stop, run=run):
                if event.text:
                    first.set()

        task = asyncio.ensure_future(consume())
        await asyncio.wait({task, asyncio.ensure_future(first.wait())}, return_when=asyncio.FIRST_COMPLETED)
        await asyncio.sleep(delay)
        pressed = [time.perf_counter()]
        stop.request_stop()
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        return _stopped(run, pressed, time.perf_counter())

    return asyncio.run(measure())


def _editor(ctx, n: int) -> dict:
    """The real window on the same server, as a user meets it: Continue -> first text painted,
    decode as painted and Stop, run in turn with the backend alone on the same prompt."""

    args, backend, editor = ctx.args, ctx.backend, ctx.editor
    text = PROMPTS["English"]
    runs = alternate({"backend": lambda: decode_run(backend, text, n),
                      "editor": lambda: editor.continue_run(text, n, candidates=1)},
                     args.repeats, warmup=args.warmup)
    stops = [editor.stop_run(text, max(n, 256), STOP_DELAYS[i % len(STOP_DELAYS)], candidates=1)
             for i in range(max(args.repeats, len(STOP_DELAYS)))]
    stopped = [r for r in stops if r.get("stopped_mid_run")]
    return {
        **fields(runs["editor"], "ttft_s", "decode_tps"),
        "editor_over_backend_ttft": ratios(runs["editor"], runs["backend"], "ttft_s"),
        "on_event_loop": all(r["on_event_loop"] for r in runs["editor"]),
        "stop_runs": len(stops),
        "stopped_mid_run": len(stopped),
        "stop_latency_s": summary(r["latency_s"] for r in stopped),
        "text_after_stop": any(r["text_after_stop"] for r in stopped),
    }


def _stopped(run, pressed: list[float], ended: float) -> dict:
    mid_run = bool(pressed) and pressed[0] <= ended and run.finish_reason == "stopped"
    return {"stopped_mid_run": mid_run, "latency_s": ended - pressed[0] if mid_run else None,
            "tokens": len(run.new_token_ids)}


def run(ctx) -> dict:
    args = ctx.args
    backend = ctx.backend
    n = args.new_tokens
    result = {"server": backend.device_label, "model": backend.name, "new_tokens": n, "prompts": {}}
    # The editor asks a server for token probabilities only while its probability view is on:
    # some servers pay for them per token. English is measured both ways.
    cases = [(f"{label} prompt", text, False) for label, text in PROMPTS.items()]
    cases.append(("English prompt, probability view on", PROMPTS["English"], True))
    for label, text, probabilities in cases:
        for _ in range(args.warmup):
            decode_run(backend, text, n, probabilities)  # the server's first request may load or compile
        runs = [decode_run(backend, text, n, probabilities) for _ in range(args.repeats)]
        result["prompts"][label] = {
            "ttft_s": summary(r["ttft_s"] for r in runs),
            "decode_tps": summary(r["decode_tps"] for r in runs),
            "tokens": summary(r["tokens"] for r in runs),
            "tokens_counted_by": runs[-1]["tokens_counted_by"],
        }
    if not args.api_key_env:  # the editor would look for a key in the keyring instead
        result["editor"] = _editor(ctx, n)
    text = PROMPTS["English"]
    stop_n = max(n, 256)  # long enough that every Stop lands mid-run
    repeats = max(args.repeats, len(STOP_DELAYS))
    for name, measure in (("stop_event_loop", stop_on_event_loop), ("stop_thread", stop_from_thread)):
        runs = [measure(backend, text, stop_n, STOP_DELAYS[i % len(STOP_DELAYS)]) for i in range(repeats)]
        stopped = [r for r in runs if r["stopped_mid_run"]]
        result[name] = {"runs": len(runs), "stopped_mid_run": len(stopped),
                        "latency_s": summary(r["latency_s"] for r in stopped)}
    return result
