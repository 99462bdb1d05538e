"""Continue text with a model on an inference server, through the OpenAI-compatible completions API.

vLLM, llama.cpp's server, TGI and Ollama all speak it: ``POST {base}/v1/completions``
with ``"stream": true`` answers with server-sent events, one ``data: {json}`` line per
chunk of text and ``data: [DONE]`` at the end.

    backend = RemoteBackend("http://127.0.0.1:8080", model="gpt2")
    for event in backend.stream(ContinuationRequest("Once upon a time"), StopFlag()):
        print(event.text, end="")

`astream` is the same run as an async generator, for an asyncio (qasync) event loop
with no extra thread; `stream` runs it on a private event loop, for the CLI and the
editor's worker thread. Stop (a StopFlag) is checked between events and polled every
POLL_SECONDS while waiting for the server, and closes the connection at once.

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

Token ids. A server reports token *texts*, not ids. `RemoteTokenEvent` has
generator.TokenEvent's fields (so code written for the local engine keeps working)
plus the texts: ``tokens`` (each token's text) and ``alternative_texts`` (per token,
the top-5 ``(text, probability)`` pairs). Its ``token_ids`` and the ids in
``alternatives`` are negative: the backend gives each distinct token text a stable
id -1, -2, ... and `RemoteBackend.token_text(id)` turns it back into the text, just
as `Generator.token_text` does for vocabulary ids. Without log-probabilities (a
server that does not offer them) each chunk counts as one token and
``probabilities``/``alternatives`` are empty.

The API key comes from the ``api_key`` argument or the environment variable named by
``api_key_env``; it is sent only in the Authorization header and never appears in a
message, a repr or a log line. A plain-HTTP URL to a host outside this computer and
its private network sets `RemoteBackend.warning` (see `plain_http_warning`).
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import ipaddress
import json
import math
import os
import re
import secrets
import socket
import ssl
import time
import weakref
from dataclasses import dataclass, field
from typing import AsyncIterator, Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from .context import estimated_tail
from .errors import EngineError, GenerationError
from .request import ContinuationRequest
from .stop_flag import StopFlag
from .text_stops import StopMatcher

# Notices a run can carry (RemoteRun.notices), by kind; ui/worker.py has the same in the editor's languages.
NOTICES = {
    "ignores-n": "The server at {server} sent {sent} of the {asked} candidates asked for: it ignores the "
                 "Candidates setting (the n field). Set Candidates to 1 for this server.",
    "lossy-logprobs": "The server at {server} loses characters that span several tokens when it sends token "
                      "probabilities, so the probability view is off for it.",
}



def english_notice(kind: str, facts: dict) -> str:
    return NOTICES[kind].format(**facts)


def server_source(url: str, model: str = "", timeout: float = 30.0) -> str:
    """A server as one `source` string, "URL#model=NAME&timeout=S", as the editor's loader takes it."""
    return f"{url.rstrip('/')}#{urlencode({'model': model, 'timeout': timeout})}"


def parse_server_source(source: str) -> tuple[str, str | None, float]:
    """(URL, model or None, timeout) from a server_source string."""
    url, _, fragment = source.partition("#")
    options = {k: v[0] for k, v in parse_qs(fragment).items()}
    return url, options.get("model") or None, float(options.get("timeout") or 30.0)


ASSUMED_WINDOW = 2048  # tokens, for a server that does not say (llama.cpp's and Ollama's usual default)
POLL_SECONDS = 0.02  # how often Stop is checked while waiting for the server
TOP_ALTERNATIVES = 5
_MESSAGE_LIMIT = 300  # characters of a server's error message quoted to the user

# Our own additions to a request: a server that refuses one gets the request again without it.
_OPTIONAL_FIELDS = ("logprobs", "stream_options")

# Request fields by the names the editor's settings give them, for error messages.
_SETTING_NAMES = {
    "prompt": "the text to continue",
    "max_tokens": "max new tokens",
    "temperature": "temperature",
    "top_p": "top-p",
    "top_k": "top-k",
    "seed": "seed",
    "stop": "stop sequences",
    "n": "alternatives",
    "repetition_penalty": "repetition penalty",
    "repeat_penalty": "repetition penalty",
    "model": "model",
    "logprobs": "token probabilities",
    "stream_options": "usage reporting",
}

# Servers that refuse a setting without naming the field the usual way.
_PHRASES = (
    (re.compile(r"completion choice|\bbest_of\b|\bn must\b|number of (?:choices|completions|sequences)", re.I), "n"),
    (re.compile(r"\bmaximum context length\b|\bcontext length\b|too many tokens|\bprompt is too long\b", re.I),
     "max_tokens"),
)


class RemoteError(GenerationError):
    """A server run that failed; str() is the sentence to show.

    status: the HTTP status, if the server answered; retry_after: seconds to wait (429);
    param: the request field the server refused (400/422); models: what the server offers (404).
    """

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None,
                 param: str | None = None, models: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        self.param = param
        self.models = models


class RemoteStreamCut(RemoteError):
    """The stream ended part-way (connection lost, or no end marker). run.text keeps what came."""

    def __init__(self, message: str, partial_text: str) -> None:
        super().__init__(message)
        self.partial_text = partial_text


@dataclass(frozen=True)
class RemoteTokenEvent:
    """generator.TokenEvent's fields, plus the token texts a server reports instead of ids."""

    text: str
    token_ids: tuple[int, ...]  # negative ids: RemoteBackend.token_text(id) gives the token's text
    probabilities: tuple[float, ...]  # empty when the server sent no log-probabilities
    alternatives: tuple[tuple[tuple[int, float], ...], ...]  # top-5 (negative id, probability) per token
    tokens: tuple[str, ...] = ()  # each token's text
    alternative_texts: tuple[tuple[tuple[str, float], ...], ...] = ()  # top-5 (text, probability) per token


@dataclass
class RemoteRun:
    """One remote continuation: iterate it (for, or async for) for events; read the summary afterwards.

    The fields are generator.GenerationRun's, plus what a server tells: the model that
    answered, its own finish reason and token counts. finish_reason is length | eos |
    stop_text | stopped like the local engine's, or, after a RemoteError, "cut" when the
    stream broke off part-way (RemoteStreamCut) and "error" for any other failure. text is
    always what the events carried, also after a failure.
    """

    request: ContinuationRequest
    seed: int
    model: str | None = None
    context_tokens: int = 0  # the prompt's length in tokens, when the server reports usage
    window: int = 0  # the model's context window, when the server lists it (vLLM's max_model_len)
    reused_tokens: int = 0
    new_token_ids: list[int] = field(default_factory=list)  # negative ids, see RemoteTokenEvent
    text: str = ""
    finish_reason: str = ""
    server_finish_reason: str = ""  # as the server said it: length, stop, eos_token, ...
    completion_tokens: int | None = None  # the server's own count, when it reports usage (n == 1)
    first_token_seconds: float | None = None
    elapsed_seconds: float = 0.0
    alternatives: list[str] = field(default_factory=list)
    # What the user should know about a run that worked: kind -> its facts, in NOTICES' words.
    notices: dict[str, dict] = field(default_factory=dict)
    _resume_text: str = field(default="", repr=False)  # generated text the request now continues from
    _resume_tokens: int = field(default=0, repr=False)  # tokens of max_new_tokens already spent on it
    _backend: "RemoteBackend | None" = field(default=None, repr=False)
    _stop: StopFlag | None = field(default=None, repr=False)
    _started: bool = field(default=False, repr=False)

    def _claim(self) -> StopFlag:
        if self._started:
            raise RuntimeError("A run can be iterated only once.")
        self._started = True
        return self._stop or StopFlag()

    def __iter__(self) -> Iterator[RemoteTokenEvent]:
        return _iterate_on_private_loop(self._backend._events(self, self._claim()))

    def __aiter__(self) -> AsyncIterator[RemoteTokenEvent]:
        return self._backend._events(self, self._claim())

    @property
    def notice(self) -> str:
        """The notices as English sentences ("" when there are none); the editor translates the kinds."""
        return " ".join(english_notice(kind, facts) for kind, facts in self.notices.items())

    @property
    def tokens_per_second(self) -> float:
        """Decode speed after the first token (the prompt phase excluded)."""
        n = len(self.new_token_ids)
        if self.completion_tokens is not None and self.finish_reason not in ("stopped", "cut", "stop_text"):
            n = max(n, self.completion_tokens)
        if n < 2 or self.first_token_seconds is None:
            return 0.0
        return (n - 1) / max(self.elapsed_seconds - self.first_token_seconds, 1e-9)


class _Stopped(Exception):
    """Stop was requested while waiting for the server."""


@dataclass
class _Token:
    text: str
    prob: float | None
    alternatives: tuple[tuple[str, float], ...]


@dataclass
class _Choice:
    """One candidate's state while its chunks arrive."""

    stops: StopMatcher
    text: str = ""
    done: bool = False  # no more text wanted: the server finished it, or a stop was found here
    server_done: bool = False  # the server sent its finish_reason
    reason: str = ""
    seen: bool = False  # the server sent anything for this candidate
    raw: str = ""  # everything the server sent for it, before stop texts were applied


def plain_http_warning(base_url: str) -> str | None:
    """A warning when base_url sends text unencrypted beyond this computer and its private network.

    Addresses that are not global (loopback, private, link-local, unique-local, the shared
    100.64.0.0/10 of carrier NAT and Tailscale) are fine, and so are host names
    that only mean something on a local network ("localhost", a name without dots,
    *.local, *.lan, *.internal, *.home.arpa); the name is not looked up.
    """
    parts = urlsplit(base_url)
    if parts.scheme.lower() != "http":
        return None
    host = (parts.hostname or "").lower().rstrip(".")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        local = (host == "localhost" or "." not in host
                 or host.endswith((".localhost", ".local", ".lan", ".internal", ".home.arpa")))
    else:
        local = not address.is_global  # loopback, private, link-local, shared (CGNAT, Tailscale), reserved
    if local:
        return None
    return (f"The server {host} is reached over plain HTTP: your text leaves this computer unencrypted. "
            "Use an https:// address if the server offers one.")


class RemoteBackend:
    """Streams continuations from an OpenAI-compatible completions server. See the module's notes.

    Satisfies backend.Backend. Use one run at a time per thread; `stream` must not be called
    from a thread whose event loop is running (use `astream` or `async for` there).
    """

    def __init__(self, base_url: str, model: str | None = None, api_key: str | None = None,
                 timeout: float = 30.0, *, api_key_env: str | None = None, logprobs: bool = True) -> None:
        base = (base_url or "").strip().rstrip("/")
        parts = urlsplit(base)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise EngineError(f"The server address must start with http:// or https:// and name a host: '{base_url}'.")
        if base.endswith("/v1"):
            base = base[: -len("/v1")]  # people paste the API's address; requests add /v1 themselves
        try:
            parts.port
        except ValueError:
            raise EngineError(f"The server address has an invalid port: '{base_url}'.") from None
        if api_key is None and api_key_env:
            api_key = os.environ.get(api_key_env)
            if not api_key:
                raise EngineError(f"The environment variable {api_key_env} is not set: "
                                  "it should hold the server's API key.")
        if not timeout > 0:
            raise EngineError("The server timeout must be more than 0 seconds.")
        self.base_url = base
        self.model = model or None
        self.timeout = float(timeout)
        self.logprobs = logprobs
        self.__api_key = api_key or None  # never in a repr or a message
        self.warning = plain_http_warning(base)
        self._host = parts.hostname
        self._port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        self._loopback = _is_loopback(self._host)
        self._window = 0
        self._models_checked = False
        self._unsupported: set[str] = set()  # optional fields this server refused
        self._told: set[str] = set()  # notices already given for this server (each is said once)
        self._kept: tuple[asyncio.AbstractEventLoop, httpx.AsyncClient] | None = None  # see _session
        self._texts: list[str] = []  # token text of id -(i + 1)
        self._ids: dict[str, int] = {}
        self._ssl: ssl.SSLContext | None = None

    def __repr__(self) -> str:
        key = ", api key set" if self.__api_key else ""
        return f"RemoteBackend({self.display_url!r}, model={self.model!r}{key})"

    # ----- what the status bar shows -----------------------------------------------------------
    @property
    def name(self) -> str:
        return self.model or "server's default model"

    @property
    def device_label(self) -> str:
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"server {host}:{self._port}"

    device = device_label  # what ui.worker.describe_backend reads from backends without `.loaded`

    @property
    def window(self) -> int:
        """The model's context window in tokens, once learnt from the model list (vLLM's max_model_len); else 0."""
        return self._window

    @property
    def display_url(self) -> str:
        """The base URL without any user:password part, for messages."""
        parts = urlsplit(self.base_url)
        netloc = parts.netloc.rpartition("@")[2]
        return f"{parts.scheme}://{netloc}{parts.path}"

    @property
    def has_api_key(self) -> bool:
        return self.__api_key is not None

    def token_text(self, token_id: int) -> str:
        """The text of a negative token id from this backend's events ('' for any other id)."""
        index = -token_id - 1
        return self._texts[index] if 0 <= index < len(self._texts) else ""

    def _intern(self, text: str) -> int:
        token_id = self._ids.get(text)
        if token_id is None:
            self._texts.append(text)
            token_id = self._ids[text] = -len(self._texts)
        return token_id

    # ----- models ------------------------------------------------------------------------------
    def list_models(self) -> list[str]:
        """The model ids the server offers (GET /v1/models); [] when it does not offer the list.

        Raises RemoteError when the server cannot be reached or refuses the API key.
        """
        return _run_on_private_loop(self.alist_models())

    async def alist_models(self) -> list[str]:
        async with self._session() as client:
            return [entry["id"] for entry in await self._fetch_models(client, strict=True)]

    def connect(self) -> list[str]:
        """Check the server answers; pick its first model if none was named; learn the window.

        Returns the server's models. Raises RemoteError when it cannot be reached, refuses the
        API key, or does not offer the named model. The editor's loader calls this, so a wrong
        address shows when the "model" is chosen, not at the first Continue.
        """
        return _run_on_private_loop(self.aconnect())

    async def aconnect(self) -> list[str]:
        async with self._session() as client:
            entries = await self._fetch_models(client, strict=True)
        self._use_models(entries)
        return [entry["id"] for entry in entries]

    def _use_models(self, entries: list[dict]) -> None:
        """Pick the first model if none was named; refuse a named one the server does not list.

        Checked here, not left to the server: llama.cpp's server answers with its one model
        whatever name a request gives, so a mistyped name would pass unnoticed.
        """
        self._models_checked = True
        ids = [entry["id"] for entry in entries]
        if self.model is None and ids:
            self.model = ids[0]
        elif self.model and ids and self.model not in ids:
            raise RemoteError(self._no_such_model(ids), status=404, models=tuple(ids))
        for entry in entries:
            if entry["id"] == self.model:
                window = entry.get("max_model_len") or entry.get("context_length") or entry.get("context_window")
                if isinstance(window, int) and window > 0:
                    self._window = window

    async def _fetch_models(self, client: httpx.AsyncClient, strict: bool) -> list[dict]:
        """The server's model entries (each a dict with an "id").

        A connection failure raises RemoteError; so does a refused API key when strict. Any other
        answer but a list of models gives [].
        """
        try:
            response = await client.get(self._url("/v1/models"), headers=self._headers())
        except httpx.HTTPError as exc:
            raise self._transport_error(exc) from exc
        if response.status_code in (401, 403) and strict:
            raise self._status_error(response.status_code, response.headers, response.content, {})
        if response.status_code != 200:
            return []
        try:
            data = response.json()
        except ValueError:
            return []
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

    # ----- generating --------------------------------------------------------------------------
    def stream(self, request: ContinuationRequest, stop: StopFlag | None = None) -> RemoteRun:
        """Validate the request now; return a run that streams from the server as it is iterated.

        Iterate it with `for` (on a private event loop, in this thread) or `async for` (on the
        running loop). Raises ValueError for a request this backend cannot honour.
        """
        request.validate()
        if request.no_repeat_ngram_size:
            raise ValueError("No-repeat n-gram size is not available with a server: set it to 0.")
        if self._window and request.max_new_tokens >= self._window:
            raise ValueError(f"max new tokens must be less than the model's context window ({self._window} tokens).")
        seed = request.seed if request.seed is not None else secrets.randbelow(2**31)
        return RemoteRun(request=request, seed=seed, model=self.model, window=self._window,
                         _backend=self, _stop=stop or StopFlag())

    async def astream(self, request: ContinuationRequest, stop: StopFlag | None = None,
                      run: RemoteRun | None = None) -> AsyncIterator[RemoteTokenEvent]:
        """The run's events, on the running event loop. Pass `run` (from `stream`) to read its summary after."""
        run = run if run is not None else self.stream(request, stop)
        flag = run._claim()
        async for event in self._events(run, stop if stop is not None else flag):
            yield event

    async def _events(self, run: RemoteRun, stop: StopFlag) -> AsyncIterator[RemoteTokenEvent]:
        started = time.perf_counter()
        request = run.request
        rows = [_Choice(StopMatcher(request.stop_sequences, request.stop_at)) for _ in range(request.alternatives)]
        first = rows[0]
        pending: list[_Token] = []

        def event(piece: str) -> RemoteTokenEvent:
            tokens = tuple(pending)
            pending.clear()
            run.text += piece
            texts = tuple(t.text for t in tokens)
            ids = tuple(self._intern(t) for t in texts)
            if tokens and all(t.prob is not None for t in tokens):
                probs = tuple(t.prob for t in tokens)
                alt_texts = tuple(t.alternatives for t in tokens)
                alts = tuple(tuple((self._intern(s), p) for s, p in a) for a in alt_texts)
            else:
                probs, alts, alt_texts = (), (), ()
            return RemoteTokenEvent(piece, ids, probs, alts, texts, alt_texts)

        def check_stop() -> None:
            if stop.is_set():
                raise _Stopped

        try:
            async with self._session() as client:
                try:
                    if not self._models_checked:  # the model to use, and its window (for the tail sent)
                        self._use_models(await _until(self._fetch_models(client, strict=False), stop))
                        run.model, run.window = self.model, self._window
                    response = await self._open(client, run, stop)
                except _Stopped:
                    run.finish_reason = "stopped"
                    return
                lines = _sse_data(response)
                try:
                    saw_done = False
                    while True:
                        if all(row.done for row in rows) and not all(row.server_done for row in rows):
                            break  # every candidate met a stop here: the server need not go on
                        check_stop()
                        try:
                            data = await _until(anext(lines), stop)
                        except StopAsyncIteration:
                            break
                        except httpx.HTTPError as exc:
                            if all(row.server_done for row in rows):
                                break  # all finished; only the end marker or the usage went missing
                            raise self._cut(run, rows, _describe_read_error(exc, self.timeout)) from exc
                        if data == "[DONE]":
                            saw_done = True
                            break
                        chunk = self._parse_chunk(data)
                        usage = chunk.get("usage")
                        if isinstance(usage, dict):
                            if isinstance(usage.get("prompt_tokens"), int):
                                run.context_tokens = usage["prompt_tokens"]
                            if isinstance(usage.get("completion_tokens"), int) and request.alternatives == 1:
                                run.completion_tokens = usage["completion_tokens"]
                        lost = False
                        for choice in chunk["choices"]:
                            index, text, tokens, finish = self._parse_choice(choice, len(rows))
                            row = rows[index]
                            row.seen = True
                            row.raw += text
                            if row.done:
                                continue
                            if row is first:
                                lost = lost or any(t.text == "" and t.prob is not None for t in tokens)
                                if (text or tokens) and run.first_token_seconds is None:
                                    run.first_token_seconds = time.perf_counter() - started
                                for token in tokens:
                                    run.new_token_ids.append(self._intern(token.text))
                                pending.extend(tokens)
                            piece = row.stops.feed(text)
                            row.text += piece
                            if row is first and (piece or row.stops.stopped):
                                check_stop()
                                yield event(piece)  # a stop's own tokens still ride with the last event
                            if row.stops.stopped:
                                row.done, row.reason = True, "stop_text"
                            elif finish:
                                row.done = row.server_done = True
                                row.reason = _finish_reason(finish, choice, request)
                                rest = row.stops.flush()
                                row.text += rest
                                if row is first:
                                    run.server_finish_reason = finish
                                    if rest or pending:
                                        check_stop()
                                        yield event(rest)
                        if lost and not first.done and self._drop_lossy_probabilities(run, rows):
                            # Ask again without probabilities, continuing from the text received.
                            await lines.aclose()
                            await response.aclose()
                            pending.clear()  # tokens whose text the server lost: nothing to show for them
                            response = await self._open(client, run, stop)
                            lines = _sse_data(response)
                    if not saw_done and not all(row.done for row in rows):
                        raise self._cut(run, rows, "it ended before the server said it was complete")
                    # [DONE] without a finish_reason: what the stops held back is complete now.
                    rest = "" if first.done else first.stops.flush()
                    first.text += rest
                    for row in rows[1:]:
                        if not row.done:
                            row.text += row.stops.flush()
                    if rest or pending:
                        check_stop()
                        yield event(rest)
                except _Stopped:
                    run.finish_reason = "stopped"
                    run.alternatives = [row.text for row in rows[1:]]
                    return
                except GeneratorExit:  # the consumer stopped iterating
                    run.finish_reason = run.finish_reason or "stopped"
                    raise
                finally:
                    await lines.aclose()
                    await response.aclose()
                run.finish_reason = first.reason or "length"
                run.alternatives = [row.text for row in rows[1:]]
                sent = sum(1 for row in rows if row.seen)
                if sent < len(rows) and "ignores-n" not in self._told:
                    # llama.cpp's server, for one, ignores `n` without a word: say so (once) rather
                    # than quietly showing one candidate where several were asked for.
                    self._told.add("ignores-n")
                    run.notices["ignores-n"] = {"server": self.display_url, "sent": sent, "asked": len(rows)}
        finally:
            run.elapsed_seconds = time.perf_counter() - started
            # Cancelled after Stop (the editor cancels its task): stopped; otherwise a RemoteError is on its way up.
            run.finish_reason = run.finish_reason or ("stopped" if stop.is_set() else "error")

    def _drop_lossy_probabilities(self, run: RemoteRun, rows: list[_Choice]) -> bool:
        """A token came with a probability but no text: stop asking this server for probabilities.

        llama-cpp-python (0.3.x), asked for logprobs, decodes each token on its own and drops
        the bytes of a character split across tokens, as most Chinese characters are: the
        text itself loses them. True when the run can go on without probabilities from the
        text received so far (the server sent one candidate only, as that server does).
        """
        self._unsupported.add("logprobs")
        if "lossy-logprobs" not in self._told:
            self._told.add("lossy-logprobs")
            run.notices["lossy-logprobs"] = {"server": self.display_url}
        if any(row.seen for row in rows[1:]):
            return False
        first = rows[0]
        run._resume_text, run._resume_tokens = first.raw, len(run.new_token_ids)
        return run._resume_tokens < run.request.max_new_tokens

    async def _open(self, client: httpx.AsyncClient, run: RemoteRun, stop: StopFlag) -> httpx.Response:
        """Send the request; the streaming response once the server accepted it."""
        body = self._body(run)
        while True:
            request = client.build_request("POST", self._url("/v1/completions"), json=body, headers=self._headers())
            try:
                response = await _until(client.send(request, stream=True), stop)
            except httpx.HTTPError as exc:
                raise self._transport_error(exc) from exc
            if response.status_code < 300:
                if "json" in response.headers.get("content-type", "") and "event-stream" not in \
                        response.headers.get("content-type", ""):
                    return _WholeResponse(response)  # a server that answered without streaming
                return response
            try:
                raw = await _until(response.aread(), stop)
            except httpx.HTTPError:
                raw = b""
            finally:
                await response.aclose()
            models = None
            if response.status_code == 404:
                try:
                    models = [entry["id"] for entry in await _until(self._fetch_models(client, strict=False), stop)]
                except RemoteError:
                    models = []
            error = self._status_error(response.status_code, response.headers, raw, body, models)
            if error.param in _OPTIONAL_FIELDS and error.param in body:
                self._unsupported.add(error.param)  # ours, not the user's: ask again without it
                del body[error.param]
                continue
            raise error

    def _body(self, run: RemoteRun) -> dict:
        request = run.request
        # Only the tail that fits the window is sent: a long document neither overflows the
        # server's context nor travels over the network in full.
        window = self._window or ASSUMED_WINDOW
        max_tokens = max(1, request.max_new_tokens - run._resume_tokens)
        body: dict = {
            "prompt": estimated_tail(request.context + run._resume_text, max(1, window - max_tokens)),
            "max_tokens": max_tokens,
            "temperature": request.temperature,
            "top_p": request.top_p,
            "top_k": request.top_k if request.top_k > 0 else -1,
            "seed": run.seed,
            "stream": True,
        }
        if self.model:
            body["model"] = self.model
        if request.stop_sequences:
            body["stop"] = list(request.stop_sequences)
        if request.alternatives > 1:
            body["n"] = request.alternatives
        if request.repetition_penalty != 1.0:
            body["repetition_penalty"] = body["repeat_penalty"] = request.repetition_penalty
        if self.logprobs and request.probabilities and "logprobs" not in self._unsupported:
            body["logprobs"] = TOP_ALTERNATIVES
        if "stream_options" not in self._unsupported:
            body["stream_options"] = {"include_usage": True}
        return body

    # ----- reading chunks ----------------------------------------------------------------------
    def _parse_chunk(self, data: str) -> dict:
        try:
            chunk = json.loads(data)
        except ValueError:
            raise self._malformed(data) from None
        if not isinstance(chunk, dict):
            raise self._malformed(data)
        if "error" in chunk:  # vLLM and others report a failure mid-stream as an event
            detail = _quote(_error_text(chunk), _MESSAGE_LIMIT)
            raise RemoteError(_sentence(f"The server failed while generating: {detail}"))
        if not isinstance(chunk.get("choices"), list):
            raise self._malformed(data)
        return chunk

    def _parse_choice(self, choice, count: int) -> tuple[int, str, list[_Token], str | None]:
        if not isinstance(choice, dict):
            raise self._malformed(json.dumps(choice))
        index = choice.get("index", 0)
        text = choice.get("text")
        if text is None:
            text = ""
        if not isinstance(index, int) or not 0 <= index < count or not isinstance(text, str):
            raise self._malformed(json.dumps(choice, ensure_ascii=False))
        finish = choice.get("finish_reason")
        finish = finish if isinstance(finish, str) and finish else None
        tokens = _tokens_from_logprobs(choice.get("logprobs"))
        if tokens is None:
            tokens = [_Token(text, None, ())] if text else []
        return index, text, tokens, finish

    def _malformed(self, data: str) -> RemoteError:
        return RemoteError(f'The server at {self.display_url} sent a malformed event: "{_quote(data, 80)}".')

    def _cut(self, run: RemoteRun, rows: list[_Choice], why: str) -> RemoteStreamCut:
        run.finish_reason = "cut"
        run.alternatives = [row.text for row in rows[1:]]
        kept = f"; the {len(run.text)} characters received so far were kept" if run.text else ""
        return RemoteStreamCut(f"The server's stream was cut off part-way ({why}){kept}.", run.text)

    # ----- HTTP plumbing -----------------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def _session(self) -> AsyncIterator[httpx.AsyncClient]:
        """The HTTP client for one call.

        On a loop that outlives the call (the editor's qasync loop) one client is kept, so
        each Continue reuses the connection the last one left open: no new TCP and TLS
        handshake before the first token. A private loop, made for one blocking call, gets
        a client of its own, closed with the call.
        """
        loop = asyncio.get_running_loop()
        if loop in _PRIVATE_LOOPS:
            async with self._client() as client:
                yield client
            return
        kept = self._kept
        if kept is None or kept[0] is not loop or kept[1].is_closed:
            kept = self._kept = (loop, self._client())
        yield kept[1]

    def _client(self) -> httpx.AsyncClient:
        if self._ssl is None:
            self._ssl = httpx.create_ssl_context()  # once: loading the CA bundle takes a while
        # A proxy from the environment can never reach this computer's own server.
        return httpx.AsyncClient(timeout=self.timeout, verify=self._ssl, trust_env=not self._loopback)

    def _url(self, path: str) -> str:
        return self.base_url + path

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "text/event-stream"}
        if self.__api_key:
            headers["Authorization"] = f"Bearer {self.__api_key}"
        return headers

    def _transport_error(self, exc: BaseException) -> RemoteError:
        where, host = self.display_url, self._host
        chain = _chain(exc)
        text = " ".join(str(e) for e in chain)
        if isinstance(exc, httpx.ConnectTimeout):
            return RemoteError(f"Could not connect to the server at {where} within {self.timeout:g} s. "
                               "Check the address and that the server is running.")
        ssl_error = next((e for e in chain if isinstance(e, ssl.SSLError)), None)
        if ssl_error is not None or "SSL" in text or "CERTIFICATE" in text.upper():
            reason = getattr(ssl_error, "reason", None) or (str(ssl_error) if ssl_error else str(exc))
            message = f"The secure (TLS) connection to the server at {where} failed: {_quote(reason, 120)}."
            if isinstance(ssl_error, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY" in text.upper():
                message += " This computer does not trust the server's certificate."
            elif re.search(r"WRONG_VERSION_NUMBER|record layer|packet length|http request", text, re.I):
                message += " The server seems to speak plain HTTP: try http:// instead of https://."
            return RemoteError(message)
        if any(isinstance(e, socket.gaierror) for e in chain) or re.search(
                r"Name or service not known|nodename nor servname|getaddrinfo failed|"
                r"Temporary failure in name resolution|No address associated", text):
            return RemoteError(f"Could not find the server '{host}': its name does not resolve (DNS lookup failed). "
                               "Check the address and your network connection.")
        if any(isinstance(e, ConnectionRefusedError) for e in chain) or "refused" in text.lower():
            return RemoteError(f"Could not connect to the server at {where}: the connection was refused. "
                               f"Is the server running and listening on port {self._port}?")
        if isinstance(exc, httpx.TimeoutException):
            return RemoteError(f"The server at {where} did not answer within {self.timeout:g} s.")
        detail = _quote(str(chain[-1]) or type(chain[-1]).__name__, 160)
        if isinstance(exc, httpx.ConnectError):
            return RemoteError(f"Could not connect to the server at {where}: {detail}.")
        return RemoteError(f"The connection to the server at {where} failed: {detail}.")

    def _status_error(self, status: int, headers, raw: bytes, body: dict,
                      models: list[str] | None = None) -> RemoteError:
        where = self.display_url
        message, param = _server_error(raw)
        said = f' The server said: "{message}".' if message else ""
        phrase = f"{status} {_reason_phrase(status)}"
        if status == 401:
            why = ("the API key was not accepted; check it" if self.__api_key
                   else "it needs an API key, and none was given")
            return RemoteError(f"The server at {where} refused the request ({phrase}): {why}.", status=status)
        if status == 403:
            return RemoteError(f"The server at {where} refused access ({phrase}): the API key is wrong, missing "
                               f"or not allowed to use {self._model_phrase()}.{said}", status=status)
        if status == 404:
            models = models or []
            model_said = bool(re.search(r"\bmodel\b", message, re.I))
            if self.model and (model_said or (models and self.model not in models)):
                return RemoteError(self._no_such_model(models), status=status, models=tuple(models))
            if model_said:
                offer = f" It offers: {', '.join(models[:20])}." if models else ""
                return RemoteError(f"The server at {where} could not find the model ({phrase}).{said}{offer}",
                                   status=status, models=tuple(models))
            return RemoteError(f"The server at {where} has no completions endpoint ({phrase} at /v1/completions). "
                               "Check that the address is the server's base URL and that it speaks the "
                               "OpenAI-compatible API.", status=status, models=tuple(models))
        if status == 429:
            wait = _retry_after(headers.get("retry-after"))
            when = f"try again in {_duration(wait)}" if wait is not None else "try again in a little while"
            return RemoteError(f"The server at {where} is busy ({phrase}): {when}.{said}",
                               status=status, retry_after=wait)
        if status in (400, 413, 422):
            param = param if param in body else _param_named(message, body)
            if param is not None:
                setting = _SETTING_NAMES.get(param, param)
                value = body.get(param)
                shown = f" = {_quote(json.dumps(value, ensure_ascii=False), 40)}" if param != "prompt" else ""
                return RemoteError(f"The server at {where} rejected the setting {setting} ({param}{shown}).{said}",
                                   status=status, param=param)
            return RemoteError(f"The server at {where} rejected the request ({phrase}).{said}", status=status)
        if status == 503:
            wait = _retry_after(headers.get("retry-after"))
            return RemoteError(f"The server at {where} is unavailable ({phrase}); it may still be loading the "
                               f"model, try again shortly.{said}", status=status, retry_after=wait)
        if status >= 500:
            return RemoteError(f"The server at {where} failed ({phrase}).{said}", status=status)
        return RemoteError(f"The server at {where} answered {phrase}.{said}", status=status)

    def _model_phrase(self) -> str:
        return f"the model '{self.model}'" if self.model else "its model"

    def _no_such_model(self, models: list[str]) -> str:
        offer = (f" It offers: {', '.join(models[:20])}{' …' if len(models) > 20 else ''}." if models
                 else " It did not list the models it offers.")
        return f"The server at {self.display_url} has no model '{self.model}'.{offer}"


# ----- helpers -----------------------------------------------------------------------------------
async def _until(awaitable, stop: StopFlag):
    """Await something, checking Stop every POLL_SECONDS; _Stopped (and the work cancelled) if it is set."""
    task = asyncio.ensure_future(awaitable)
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=POLL_SECONDS)
            if done:
                return task.result()
            if stop.is_set():
                raise _Stopped
    finally:
        if not task.done():
            task.cancel()
            try:
                await task
            except BaseException:  # noqa: BLE001 - its cancellation, or what it failed with meanwhile
                pass


async def _sse_data(response: httpx.Response) -> AsyncIterator[str]:
    """The data of each server-sent event ("[DONE]" included); an `error:` field comes as an error payload."""
    data: list[str] = []
    error = False
    async for line in response.aiter_lines():
        if not line:
            if data:
                payload = "\n".join(data)
                yield json.dumps({"error": _error_payload(payload)}) if error else payload
            data, error = [], False
            continue
        if line.startswith(":"):
            continue  # a comment, e.g. a keep-alive
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "data":
            data.append(value)
        elif name == "error":  # llama.cpp's server streams failures as `error: {json}`
            data.append(value)
            error = True
        elif name == "event" and value == "error":
            error = True
    if data:
        payload = "\n".join(data)
        yield json.dumps({"error": _error_payload(payload)}) if error else payload


class _WholeResponse:
    """A complete JSON answer (the server ignored "stream": true), read as one event and the end marker."""

    def __init__(self, response: httpx.Response) -> None:
        self._response = response
        self.headers = response.headers

    async def aiter_lines(self) -> AsyncIterator[str]:
        body = (await self._response.aread()).decode("utf-8", "replace")
        for line in (f"data: {' '.join(body.split(chr(10)))}", "", "data: [DONE]", ""):
            yield line

    async def aclose(self) -> None:
        await self._response.aclose()


def _error_payload(payload: str):
    try:
        return json.loads(payload)
    except ValueError:
        return payload


def _tokens_from_logprobs(logprobs) -> list[_Token] | None:
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
            tokens.append(_Token(entry["token"], _prob(entry), _top(alternatives)))
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
            tokens.append(_Token(text, _exp(logp), _top([(t, _exp(lp)) for t, lp in alternatives])))
        return tokens or None
    return None


def _prob(entry: dict) -> float | None:
    if isinstance(entry.get("prob"), (int, float)):
        return float(entry["prob"])
    return _exp(entry.get("logprob"))


def _exp(logprob) -> float | None:
    if not isinstance(logprob, (int, float)) or math.isnan(logprob):
        return None
    return math.exp(min(float(logprob), 0.0))


def _top(pairs) -> tuple[tuple[str, float], ...]:
    good = [(t, p) for t, p in pairs if isinstance(t, str) and p is not None]
    good.sort(key=lambda pair: -pair[1])
    return tuple(good[:TOP_ALTERNATIVES])


def _finish_reason(finish: str, choice: dict, request: ContinuationRequest) -> str:
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


def _server_error(raw: bytes) -> tuple[str, str | None]:
    """The message (one line, shortened) and the refused field from an error body in any server's shape."""
    text = raw.decode("utf-8", "replace").strip() if raw else ""
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if data is None:
        if text.lstrip().startswith("<"):  # an HTML error page: its words are not worth quoting
            text = re.sub(r"<[^>]+>", " ", text)
        return _quote(text, _MESSAGE_LIMIT), None
    param = None
    for candidate in (data, data.get("error") if isinstance(data, dict) else None):
        if isinstance(candidate, dict) and isinstance(candidate.get("param"), str):
            param = candidate["param"]
    return _quote(_error_text(data), _MESSAGE_LIMIT), param


def _error_text(data) -> str:
    if isinstance(data, dict):
        for key in ("error", "message", "detail", "msg"):
            if key in data and data[key] not in (None, "", {}):
                return _error_text(data[key])
        return json.dumps(data, ensure_ascii=False)
    if isinstance(data, list):
        return "; ".join(_error_text(item) for item in data[:3])
    return str(data)


def _param_named(message: str, body: dict) -> str | None:
    """The request field a server's error message names, if any."""
    for name in sorted(body, key=len, reverse=True):
        if name in ("stream",):
            continue
        quoted = re.search(rf"[`'\"]{re.escape(name)}[`'\"]", message)
        if quoted or (len(name) > 4 and re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", message)):
            return name
    for pattern, name in _PHRASES:
        if name in body and pattern.search(message):
            return name
    return None


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def _duration(seconds: float) -> str:
    seconds = math.ceil(seconds)
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minutes"


def _reason_phrase(status: int) -> str:
    try:
        from http import HTTPStatus

        return HTTPStatus(status).phrase
    except ValueError:
        return "error"


def _describe_read_error(exc: httpx.HTTPError, timeout: float) -> str:
    if isinstance(exc, httpx.ReadTimeout):
        return f"nothing came for {timeout:g} s"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the server closed the connection"
    return f"the connection failed: {_quote(str(exc) or type(exc).__name__, 100)}"


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def _quote(text: str, limit: int) -> str:
    """One line, at most limit characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _chain(exc: BaseException) -> list[BaseException]:
    chain, seen = [], set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    return chain


def _is_loopback(host: str) -> bool:
    if host.lower() in ("localhost",) or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# Loops made for one blocking call (below): their HTTP clients are not kept.
_PRIVATE_LOOPS: "weakref.WeakSet[asyncio.AbstractEventLoop]" = weakref.WeakSet()


def _private_loop() -> asyncio.AbstractEventLoop:
    loop = asyncio.new_event_loop()
    _PRIVATE_LOOPS.add(loop)
    return loop


def _run_on_private_loop(coroutine):
    _refuse_running_loop()
    loop = _private_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.close()


def _refuse_running_loop() -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise RuntimeError("RemoteBackend's blocking calls cannot run on an event loop's thread: "
                       "use astream/alist_models/aconnect (or `async for`) there.")


def _iterate_on_private_loop(events: AsyncIterator[RemoteTokenEvent]) -> Iterator[RemoteTokenEvent]:
    """Drive an async generator from synchronous code, on an event loop of its own."""
    _refuse_running_loop()
    loop = _private_loop()
    step = None
    try:
        while True:
            step = asyncio.ensure_future(anext(events), loop=loop)
            try:
                event = loop.run_until_complete(step)
            except StopAsyncIteration:
                return
            yield event
    finally:
        if step is not None and step.done() and not step.cancelled():
            step.exception()  # retrieved: Ctrl+C inside a step must not be logged as "never retrieved"
        try:
            # Interrupted (Ctrl+C, or the consumer stopped iterating): cancel what is in flight,
            # then close the generator, which closes the connection.
            tasks = asyncio.all_tasks(loop)
            for task in tasks:
                task.cancel()
            if tasks:
                loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            loop.run_until_complete(events.aclose())
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()
