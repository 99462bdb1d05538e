"""The OpenAI-compatible completions wire format: server-sent-event framing, and chunks with their logprobs.

`sse_data` turns a streaming HTTP response into the data of each event; `parse_chunk` and
`parse_choice` check one chunk's JSON and take out each choice's index, text, tokens
(with probabilities, from either logprobs shape) and finish reason; `completion_body` is
the request.

How a request maps onto the API:

=====================  ==================================================================
prompt                 request.context (sent whole: the server's own limit applies)
max_tokens             request.max_new_tokens
temperature, top_p     as they are (temperature 0 is greedy on every server)
top_k                  an extra field vLLM, llama.cpp and TGI accept; 0 ("off") is sent as -1
seed                   request.seed, or a fresh random one (reported as run.seed)
stop                   request.stop_sequences (also applied here, with stop_at)
n                      request.alternatives, when more than 1: choice 0 streams as events,
                       the others are collected into run.alternatives
repetition_penalty     when not 1.0, as both ``repetition_penalty`` (vLLM, TGI) and
                       ``repeat_penalty`` (llama.cpp)
no_repeat_ngram_size   no server offers it: a request that sets it is refused (ValueError)
logprobs               5, so events carry probabilities and the top-5 alternatives
stream_options         {"include_usage": true}, so the run learns the prompt's length
=====================  ==================================================================

A server that rejects one of the user's settings (400 or 422 naming it) fails the run
with a RemoteError saying which setting; nothing the user chose is dropped silently.
Only our own optional extras (``logprobs``, ``stream_options``) are dropped when a
server refuses them, and the backend remembers not to send them again.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import AsyncGenerator, AsyncIterator

import httpx

from ..text.context import estimated_tail
from ..text.request import ContinuationRequest
from . import http_body
from .http_body import EVENT_LIMIT, BodyError
from .remote_errors import ServerErrors

TOP_ALTERNATIVES = 5


@dataclass
class Token:
    text: str
    prob: float | None
    alternatives: tuple[tuple[str, float], ...]


# ----- the request --------------------------------------------------------------------------------
def completion_body(request: ContinuationRequest, seed: int, model: str | None, window: int,
                    resume_text: str = "", resume_tokens: int = 0, *, probabilities: bool = True,
                    usage: bool = True) -> dict:
    """The JSON of POST /v1/completions; resume_* continue a run from the text it has so far."""
    # Only the tail that fits the window is sent: a long document neither overflows the
    # server's context nor travels over the network in full.
    max_tokens = max(1, request.max_new_tokens - resume_tokens)
    body: dict = {
        "prompt": estimated_tail(request.context + resume_text, max(1, window - max_tokens)),
        "max_tokens": max_tokens,
        "temperature": request.temperature,
        "top_p": request.top_p,
        "top_k": request.top_k if request.top_k > 0 else -1,
        "seed": seed,
        "stream": True,
    }
    if model:
        body["model"] = model
    if request.stop_sequences:
        body["stop"] = list(request.stop_sequences)
    if request.alternatives > 1:
        body["n"] = request.alternatives
    if request.repetition_penalty != 1.0:
        body["repetition_penalty"] = body["repeat_penalty"] = request.repetition_penalty
    if probabilities:
        body["logprobs"] = TOP_ALTERNATIVES
    if usage:
        body["stream_options"] = {"include_usage": True}
    return body


def model_entries(data) -> list[dict]:
    """The entries of a GET /v1/models answer, each a dict with a string "id"; [] for any other answer."""
    entries = data.get("data") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        entries = data.get("models") if isinstance(data, dict) else None  # a few servers list them so
    if not isinstance(entries, list):
        return []
    out = []
    for entry in entries:
        if isinstance(entry, dict):
            model_id = entry.get("id") or entry.get("name") or entry.get("model")
            if isinstance(model_id, str) and model_id:
                out.append({**entry, "id": model_id})
    return out


# ----- framing -----------------------------------------------------------------------------------
async def sse_data(response) -> AsyncGenerator[str, None]:
    """The data of each server-sent event ("[DONE]" included); an `error:` field comes as an error payload.

    Lines end at CR, LF or CR LF only (http_body.lines), so a U+2028 inside a JSON string
    stays in its event. BodyError for an event of more than EVENT_LIMIT characters.
    """
    data: list[str] = []
    size = 0
    error = False
    async for line in response.lines():
        if not line:
            if data:
                payload = "\n".join(data)
                yield json.dumps({"error": _error_payload(payload)}) if error else payload
            data, size, error = [], 0, False
            continue
        if line.startswith(":"):
            continue  # a comment, e.g. a keep-alive
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name in ("data", "error"):  # llama.cpp's server streams failures as `error: {json}`
            size += len(value) + 1
            if size > EVENT_LIMIT:
                raise BodyError(f"an event longer than {EVENT_LIMIT // 1024} KiB")
            data.append(value)
            error = error or name == "error"
        elif name == "event" and value == "error":
            error = True
    if data:
        payload = "\n".join(data)
        yield json.dumps({"error": _error_payload(payload)}) if error else payload


class StreamedResponse:
    """An event-stream answer, read as lines within bounds."""

    def __init__(self, response: httpx.Response) -> None:
        self._response = response

    def lines(self) -> AsyncIterator[str]:
        return http_body.lines(self._response)

    async def aclose(self) -> None:
        await self._response.aclose()


class WholeResponse(StreamedResponse):
    """A complete JSON answer (the server ignored "stream": true), read as one event and the end marker."""

    async def lines(self) -> AsyncIterator[str]:
        body = (await http_body.read_whole(self._response)).decode("utf-8", "replace")
        # Only CR and LF end lines here: JSON allows them between values, never inside a string.
        for line in (f"data: {body.replace(chr(13), ' ').replace(chr(10), ' ')}", "", "data: [DONE]", ""):
            yield line


def answer(response: httpx.Response) -> StreamedResponse:
    """The accepted answer to a completion request, streamed or whole."""
    content_type = response.headers.get("content-type", "")
    if "json" in content_type and "event-stream" not in content_type:
        return WholeResponse(response)  # a server that answered without streaming
    return StreamedResponse(response)


def _error_payload(payload: str):
    try:
        return json.loads(payload)
    except (ValueError, RecursionError):
        return payload


# ----- chunks ------------------------------------------------------------------------------------
def parse_chunk(data: str, errors: ServerErrors) -> dict:
    """One event's JSON: a dict with a list of choices; a RemoteError for anything else."""
    try:
        chunk = json.loads(data)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than Python's stack
        raise errors.malformed(data) from None
    if not isinstance(chunk, dict):
        raise errors.malformed(data)
    if "error" in chunk:
        raise errors.failed_mid_stream(chunk)
    if not isinstance(chunk.get("choices"), list):
        raise errors.malformed(data)
    return chunk


def parse_choice(choice, count: int, errors: ServerErrors) -> tuple[int, str, list[Token], str | None]:
    """(index, text, tokens, finish reason or None) of one choice of `count` asked for."""
    if not isinstance(choice, dict):
        raise errors.malformed(_shown(choice))
    index = choice.get("index", 0)
    text = choice.get("text")
    if text is None:
        text = ""
    if not isinstance(index, int) or not 0 <= index < count or not isinstance(text, str):
        raise errors.malformed(_shown(choice))
    finish = choice.get("finish_reason")
    finish = finish if isinstance(finish, str) and finish else None
    tokens = _tokens_from_logprobs(choice.get("logprobs"))
    if tokens is None:
        tokens = [Token(text, None, ())] if text else []
    return index, text, tokens, finish


def finish_reason(finish: str, choice: dict, request: ContinuationRequest) -> str:
    """The server's finish reason in the local engine's words (length, eos, stop_text)."""
    if finish == "length":
        return "length"
    if finish in ("stop_sequence",):
        return "stop_text"
    if finish == "stop":
        stop_reason = choice.get("stop_reason", ...)
        if isinstance(stop_reason, str) or (stop_reason is ... and request.stop_sequences
                                            and choice.get("stopping_word")):
            return "stop_text"
        return "eos"
    if finish in ("eos", "eos_token"):
        return "eos"
    return finish


def _tokens_from_logprobs(logprobs) -> list[Token] | None:
    """The tokens of a chunk from either logprobs shape; None when there are none."""
    if not isinstance(logprobs, dict):
        return None
    content = logprobs.get("content")
    if isinstance(content, list):  # llama.cpp: [{token, logprob | prob, top_logprobs | top_probs}]
        tokens = []
        for entry in content:
            if not isinstance(entry, dict) or not isinstance(entry.get("token"), str):
                return None
            top = entry.get("top_logprobs") or entry.get("top_probs") or []
            alternatives = [(alt.get("token"), _prob(alt)) for alt in top if isinstance(alt, dict)]
            tokens.append(Token(entry["token"], _prob(entry), _top(alternatives)))
        return tokens or None
    texts, logps = logprobs.get("tokens"), logprobs.get("token_logprobs")
    if isinstance(texts, list) and isinstance(logps, list) and len(texts) == len(logps):  # OpenAI legacy, vLLM
        tops = logprobs.get("top_logprobs")
        if not isinstance(tops, list) or len(tops) != len(texts):
            tops = [None] * len(texts)
        tokens = []
        for text, logp, top in zip(texts, logps, tops):
            if not isinstance(text, str):
                return None
            alternatives = list(top.items()) if isinstance(top, dict) else []
            tokens.append(Token(text, _exp(logp), _top([(t, _exp(lp)) for t, lp in alternatives])))
        return tokens or None
    return None


def _shown(value) -> str:
    """A part of a chunk as JSON text, for a message; never more than a glimpse."""
    try:
        return json.dumps(value, ensure_ascii=False)[:200]
    except (ValueError, TypeError, RecursionError):
        return "…"


def _prob(entry: dict) -> float | None:
    prob = entry.get("prob")
    if isinstance(prob, (int, float)) and not isinstance(prob, bool):
        return min(max(float(prob), 0.0), 1.0) if not math.isnan(prob) else None
    return _exp(entry.get("logprob"))


def _exp(logprob) -> float | None:
    if not isinstance(logprob, (int, float)) or isinstance(logprob, bool) or math.isnan(logprob):
        return None
    return math.exp(min(float(logprob), 0.0))


def _top(pairs) -> tuple[tuple[str, float], ...]:
    good = [(t, p) for t, p in pairs if isinstance(t, str) and p is not None]
    good.sort(key=lambda pair: -pair[1])
    return tuple(good[:TOP_ALTERNATIVES])
