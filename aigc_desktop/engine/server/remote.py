"""Continue text with a model on an inference server, through the OpenAI-compatible completions API.

vLLM, llama.cpp's server, TGI and Ollama all speak it: ``POST {base}/v1/completions``
with ``"stream": true`` answers with server-sent events, one ``data: {json}`` line per
chunk of text and ``data: [DONE]`` at the end.

    backend = RemoteBackend("http://127.0.0.1:8080", model="gpt2")
    for event in backend.stream(ContinuationRequest("Once upon a time"), StopFlag()):
        print(event.text, end="")

`astream` is the same run as an async generator, for an asyncio (qasync) event loop
with no extra thread; `stream` runs it on a private event loop, for the CLI and the
editor's worker thread (async_bridge). Each run reads the server in a task of its own;
Stop (a StopFlag) cancels that task the moment it is set, which closes the connection.

The API key comes from the ``api_key`` argument or the environment variable named by
``api_key_env``; it is sent only in the Authorization header and never appears in a
message, a repr or a log line. A plain-HTTP URL to a host outside this computer and
its private network sets `RemoteBackend.warning` (see server_address.plain_http_warning).

The wire format (and how a request maps onto it) is openai_wire's, the token ids
remote_candidates' (over decoding_core, the local loop's too), the sentences for
failures remote_errors'.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import ssl
from dataclasses import dataclass, field
from typing import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterator
from urllib.parse import urlsplit

import httpx

from ..errors import EngineError
from ..text.decoding_core import RunSummary
from ..text.options import SERVER_TIMEOUT
from ..text.request import ContinuationRequest
from ..text.stop_flag import StopFlag
from . import http_body
from .async_bridge import cancel_on_stop, finish_task, is_private_loop, iterate_on_private_loop, run_on_private_loop
from .http_body import BodyError, Deadline
from .openai_wire import StreamedResponse, answer, completion_body, model_entries, parse_chunk, sse_data
from .remote_candidates import Decoding, RemoteTokenEvent, ServerCandidate
from .remote_errors import RemoteError, RemoteStreamCut, ServerErrors, english_notice
from .server_address import is_loopback, plain_http_warning

ASSUMED_WINDOW = 2048  # tokens, for a server that does not say (llama.cpp's and Ollama's usual default)

# Our own additions to a request: a server that refuses one gets the request again without it.
_OPTIONAL_FIELDS = ("logprobs", "stream_options")


@dataclass
class RemoteRun(RunSummary):
    """One remote continuation: iterate it (for, or async for) for events; read the summary afterwards.

    The fields are decoding_core.RunSummary's, plus what a server tells: the model that
    answered, its own finish reason and token counts. context_tokens is the prompt's length
    when the server reports usage; window the model's context window when the server lists
    it (vLLM's max_model_len); new_token_ids are negative ids (see RemoteTokenEvent).
    finish_reason is length | eos | stop_text | stopped like the local engine's, or, after a
    RemoteError, "cut" when the stream broke off part-way (RemoteStreamCut) and "error" for
    any other failure. text is always what the events carried, also after a failure.
    """

    model: str | None = None
    server_finish_reason: str = ""  # as the server said it: length, stop, eos_token, ...
    completion_tokens: int | None = None  # the server's own count, when it reports usage (n == 1)
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
        return iterate_on_private_loop(self._owner()._events(self, self._claim()))

    def __aiter__(self) -> AsyncIterator[RemoteTokenEvent]:
        return self._owner()._events(self, self._claim())

    def _owner(self) -> "RemoteBackend":
        if self._backend is None:
            raise RuntimeError("A run is made by RemoteBackend.stream.")
        return self._backend

    @property
    def notice(self) -> str:
        """The notices as English sentences ("" when there are none); the editor translates the kinds."""
        return " ".join(english_notice(kind, facts) for kind, facts in self.notices.items())

    def _tokens_decoded(self) -> int:
        """The server's own count, when it gives one: without log-probabilities each chunk counts as one token."""
        n = len(self.new_token_ids)
        if self.completion_tokens is not None and self.finish_reason not in ("stopped", "cut", "stop_text"):
            n = max(n, self.completion_tokens)
        return n


_END = object()  # the run's task is over (see RemoteBackend._events)


class RemoteBackend:
    """Streams continuations from an OpenAI-compatible completions server. See the module's notes.

    Satisfies backend.Backend. Use one run at a time per thread; `stream` must not be called
    from a thread whose event loop is running (use `astream` or `async for` there).
    """

    def __init__(self, base_url: str, model: str | None = None, api_key: str | None = None,
                 timeout: float = SERVER_TIMEOUT.default, *, api_key_env: str | None = None, logprobs: bool = True) -> None:
        base = (base_url or "").strip().rstrip("/")
        parts = urlsplit(base)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise EngineError(f"The server address must start with http:// or https:// and name a host: '{base_url}'.")
        if base.endswith("/v1"):
            base = base[: -len("/v1")]  # people paste the API's address; requests add /v1 themselves
        try:
            _ = parts.port  # reading it checks it
        except ValueError:
            raise EngineError(f"The server address has an invalid port: '{base_url}'.") from None
        if api_key is None and api_key_env:
            api_key = os.environ.get(api_key_env)
            if not api_key:
                raise EngineError(f"The environment variable {api_key_env} is not set: "
                                  "it should hold the server's API key.")
        if not SERVER_TIMEOUT.allows(timeout):
            raise EngineError("The server timeout must be more than 0 seconds.")
        self.base_url = base
        self.model = model or None
        self.timeout = float(timeout)
        self.logprobs = logprobs
        self.__api_key = api_key or None  # never in a repr or a message
        self.warning = plain_http_warning(base)
        self._host = parts.hostname
        self._port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        self._loopback = is_loopback(self._host)
        self._errors = ServerErrors(self.display_url, self._host, self._port, self.timeout, self.__api_key)
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
        return run_on_private_loop(self.alist_models())

    async def alist_models(self) -> list[str]:
        async with self._session() as client:
            return [entry["id"] for entry in await self._fetch_models(client, strict=True)]

    def connect(self) -> list[str]:
        """Check the server answers; pick its first model if none was named; learn the window.

        Returns the server's models. Raises RemoteError when it cannot be reached, refuses the
        API key, or does not offer the named model. The editor's loader calls this, so a wrong
        address shows when the "model" is chosen, not at the first Continue.
        """
        return run_on_private_loop(self.aconnect())

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
            raise RemoteError(self._errors.no_such_model(self.model, ids), status=404, models=tuple(ids))
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
        try:  # the whole answer within the timeout, however slowly it trickles
            response = await Deadline(self.timeout).wait(self._models_answer(client, strict))
            return model_entries(json.loads(response))
        except (ValueError, RecursionError):  # http_body.BodyError included
            return []
        except TimeoutError:
            raise self._errors.no_answer() from None
        except httpx.HTTPError as exc:
            raise self._errors.transport(exc) from exc

    async def _models_answer(self, client: httpx.AsyncClient, strict: bool) -> bytes:
        request = client.build_request("GET", self.base_url + "/v1/models", headers=self._headers())
        response = await client.send(request, stream=True)
        try:
            if response.status_code in (401, 403) and strict:
                raw = await http_body.read_at_most(response, http_body.ERROR_BODY_LIMIT)
                raise self._errors.status(response.status_code, response.headers, raw, {}, self.model)
            return await http_body.read_whole(response) if response.status_code == 200 else b"[]"
        finally:
            await response.aclose()

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

    async def _events(self, run: RemoteRun, stop: StopFlag) -> AsyncGenerator[RemoteTokenEvent, None]:
        """The events of the run, read by a task of its own that Stop cancels.

        The task hands over one event at a time and reads on only when the next is asked
        for, so the server is read no further ahead than the consumer.
        """
        run.start_clock()
        handoff: asyncio.Queue = asyncio.Queue()
        task = asyncio.get_running_loop().create_task(self._read(run, handoff))
        task.add_done_callback(lambda _: handoff.put_nowait(_END))
        forget = cancel_on_stop(task, stop)
        try:
            while (event := await handoff.get()) is not _END:
                if stop.is_set():
                    run.finish_reason = "stopped"
                    return
                run.text += event.text
                yield event
                handoff.task_done()
            failure = None if stop.is_set() or task.cancelled() else task.exception()
            if failure is not None:
                raise failure
        except GeneratorExit:  # the consumer stopped iterating
            run.finish_reason = run.finish_reason or "stopped"
            raise
        finally:
            forget()
            await finish_task(task)
            run.stop_clock()
            # Cancelled after Stop (the editor cancels its task): stopped; otherwise a RemoteError is on its way up.
            run.finish_reason = run.finish_reason or ("stopped" if stop.is_set() else "error")

    async def _read(self, run: RemoteRun, handoff: asyncio.Queue) -> None:
        """The run's task: ask the server, and hand each event over as its chunks arrive."""
        decoding = Decoding(run, self._intern, self._errors)

        async def hand(event: RemoteTokenEvent) -> None:
            await handoff.put(event)
            await handoff.join()  # taken, and the next one asked for

        try:
            async with self._session() as client:
                if not self._models_checked:  # the model to use, and its window (for the tail sent)
                    self._use_models(await self._fetch_models(client, strict=False))
                    run.model, run.window = self.model, self._window
                await self._stream_chunks(client, run, decoding, hand)
        except asyncio.CancelledError:
            run.finish_reason = "stopped"
            run.alternatives = decoding.alternatives()
            raise
        run.finish_reason = decoding.first.reason or "length"
        run.alternatives = decoding.alternatives()
        sent = sum(1 for row in decoding.rows if row.seen)
        if sent < len(decoding.rows) and "ignores-n" not in self._told:
            # llama.cpp's server, for one, ignores `n` without a word: say so (once) rather
            # than quietly showing one candidate where several were asked for.
            self._told.add("ignores-n")
            run.notices["ignores-n"] = {"server": self.display_url, "sent": sent, "asked": len(decoding.rows)}

    async def _stream_chunks(self, client: httpx.AsyncClient, run: RemoteRun, decoding: Decoding,
                             hand: Callable[[RemoteTokenEvent], Awaitable[None]]) -> None:
        deadline = Deadline(self.timeout)
        response = await self._open(client, run, deadline)
        lines = sse_data(response)
        try:
            saw_done = False
            while decoding.wants_more:
                try:
                    data = await deadline.wait(anext(lines))
                except StopAsyncIteration:
                    break
                except (httpx.HTTPError, TimeoutError) as exc:
                    if decoding.all_server_done:
                        break  # all finished; only the end marker or the usage went missing
                    raise self._cut(run, decoding, self._errors.read_failure(exc)) from exc
                except BodyError as exc:
                    raise self._errors.malformed_body(str(exc)) from None
                if data == "[DONE]":
                    saw_done = True
                    break
                progress = decoding.progress
                events, lost = decoding.take(parse_chunk(data, self._errors))
                for event in events:
                    await hand(event)
                if decoding.progress != progress:
                    deadline.renew()  # counted from the last new token, once the consumer has it
                if lost and not decoding.first.done and self._drop_lossy_probabilities(run, decoding.rows):
                    # Ask again without probabilities, continuing from the text received.
                    await lines.aclose()
                    await response.aclose()
                    decoding.streamed.pending.clear()  # tokens whose text the server lost: nothing to show for them
                    response = await self._open(client, run, deadline)
                    lines = sse_data(response)
            if not saw_done and not decoding.all_done:
                raise self._cut(run, decoding, "it ended before the server said it was complete")
            final = decoding.flush()
            if final is not None:
                await hand(final)
        finally:
            await lines.aclose()
            await response.aclose()

    def _drop_lossy_probabilities(self, run: RemoteRun, rows: list[ServerCandidate]) -> bool:
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

    async def _open(self, client: httpx.AsyncClient, run: RemoteRun, deadline: Deadline) -> StreamedResponse:
        """Send the request; the answer once the server accepted it, by the deadline."""
        try:
            return await deadline.wait(self._ask(client, run))
        except TimeoutError:
            raise self._errors.no_answer() from None

    async def _ask(self, client: httpx.AsyncClient, run: RemoteRun) -> StreamedResponse:
        window = self._window or ASSUMED_WINDOW
        probabilities = self.logprobs and run.request.probabilities and "logprobs" not in self._unsupported
        body = completion_body(run.request, run.seed, self.model, window, run._resume_text, run._resume_tokens,
                               probabilities=probabilities, usage="stream_options" not in self._unsupported)
        while True:
            request = client.build_request("POST", self.base_url + "/v1/completions", json=body, headers=self._headers())
            try:
                response = await client.send(request, stream=True)
            except httpx.HTTPError as exc:
                raise self._errors.transport(exc) from exc
            if response.status_code < 300:
                return answer(response)
            try:
                raw = await http_body.read_at_most(response, http_body.ERROR_BODY_LIMIT)
            except (httpx.HTTPError, BodyError):
                raw = b""
            finally:
                await response.aclose()
            models = None
            if response.status_code == 404:
                try:
                    models = [entry["id"] for entry in await self._fetch_models(client, strict=False)]
                except RemoteError:
                    models = []
            error = self._errors.status(response.status_code, response.headers, raw, body, self.model, models)
            if error.param in _OPTIONAL_FIELDS and error.param in body:
                self._unsupported.add(error.param)  # ours, not the user's: ask again without it
                del body[error.param]
                continue
            raise error

    def _cut(self, run: RemoteRun, decoding: Decoding, why: str) -> RemoteStreamCut:
        run.finish_reason = "cut"
        run.alternatives = decoding.alternatives()
        return self._errors.cut(why, run.text)

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
        if is_private_loop(loop):
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

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "text/event-stream", "Accept-Encoding": http_body.ACCEPT_ENCODING}
        if self.__api_key:
            headers["Authorization"] = f"Bearer {self.__api_key}"
        return headers

