"""The backend interface: what the CLI and the editor's worker need from a text generator.

Two implementations satisfy it, both made by `open_backend` below:

* the local engine, `generator.Generator`, and
* `remote.RemoteBackend`, which streams from an inference server through the
  OpenAI-compatible text-completions API (vLLM, llama.cpp's server, TGI, Ollama).

The contract, shared by both:

``stream(request, stop) -> run``
    Validates the request at once (raising ValueError with a message a user can
    act on) and returns a run *without* generating anything yet. Iterating the run
    generates: it yields token events as text arrives and checks `stop` (a
    StopFlag, set from any thread) between events; once `stop` is set no further
    event comes and the run ends with ``finish_reason == "stopped"``. Failures are
    raised while iterating as EngineError subclasses (GenerationError for a run
    that failed part-way) whose str() is a complete sentence for the user.
    After the iteration the run carries its summary (`RunLike`).

``name``, ``device_label``, ``window``
    What the status bar shows: the model's name, where it runs ("CPU",
    "CUDA: NVIDIA H200", "server 10.0.0.5:8000"), and its context window in
    tokens (0 when a server does not say).

Token events (`TokenEventLike`) carry ``text`` plus, per generated token,
``token_ids``, ``probabilities`` (the model's probability of the chosen token) and
``alternatives`` (the top-5 ``(token_id, probability)`` pairs). The local engine's
ids index its tokenizer's vocabulary; a remote server reports token *texts*
instead, so `RemoteBackend` gives each distinct token text a stable negative id
(-1, -2, ...) that its `token_text(id)` turns back into the text, and its events
(`remote.RemoteTokenEvent`) also carry the texts directly in ``tokens`` and
``alternative_texts``. Code that only needs the text reads ``event.text``.

Nothing here imports torch: the CLI's ``--server`` path never loads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, Protocol, runtime_checkable

from .quiet_libraries import quiet_transformers
from .server.server_address import parse_server_source
from .text.request import ContinuationRequest
from .text.stop_flag import StopFlag

SERVER_PREFIXES = ("http://", "https://")

if TYPE_CHECKING:
    from .local.generator import Generator


@runtime_checkable
class TokenEventLike(Protocol):
    """One streamed piece of text and the tokens it came from (generator.TokenEvent's fields)."""

    # Read-only: the events are frozen dataclasses.
    @property
    def text(self) -> str: ...

    @property
    def token_ids(self) -> tuple[int, ...]: ...

    @property
    def probabilities(self) -> tuple[float, ...]: ...  # may be empty when a server sends no log-probabilities

    @property
    def alternatives(self) -> tuple[tuple[tuple[int, float], ...], ...]: ...


@runtime_checkable
class RunLike(Protocol):
    """A run: iterate it for events, read the summary after the iteration ended."""

    request: ContinuationRequest
    seed: int
    context_tokens: int  # 0 when a server does not report it
    window: int
    new_token_ids: list[int]
    text: str  # the streamed text so far: the concatenation of every event's text
    finish_reason: str  # length | eos | stop_text | stopped
    first_token_seconds: float | None
    elapsed_seconds: float
    alternatives: list[str]  # the other candidates' texts (request.alternatives - 1 of them)

    def __iter__(self) -> Iterator[TokenEventLike]: ...

    @property
    def tokens_per_second(self) -> float: ...


@runtime_checkable
class Backend(Protocol):
    """Anything that continues text: the local engine (Generator) or RemoteBackend."""

    @property
    def name(self) -> str: ...

    @property
    def device_label(self) -> str: ...

    @property
    def window(self) -> int: ...

    def stream(self, request: ContinuationRequest, stop: StopFlag | None = None) -> RunLike: ...


def is_server_source(source: str) -> bool:
    """A source naming an inference server (server_address.server_source) rather than a local model."""
    return source.startswith(SERVER_PREFIXES)


def open_local(source: str, device: str = "auto", *, allow_download: bool = False,
               fast: bool | None = None) -> "Generator":
    """The local engine on `source` (a hub id, a model folder or a .gguf file); imports torch.

    fast, on a CPU: True, the fast mode (int8 blocks); False, the exact fp32 graph; None, the
    transformers model only (a caller that changes the weights, such as a style, then calls
    loading.enable_fast_mode itself, so that the graph is built from the changed weights).
    """
    from .local.generator import Generator
    from .local.loading import enable_fast_mode, load_model

    quiet_transformers()
    loaded = load_model(source, device, allow_download=allow_download)
    if fast is not None:
        enable_fast_mode(loaded, int8=fast)
    return Generator(loaded)


def open_backend(source: str, device: str = "auto", *, allow_download: bool = False, fast: bool | None = None,
                 api_key: str | None = None, api_key_env: str | None = None, server: bool | None = None,
                 warm_up: bool = False) -> Backend:
    """The one way to a backend: the local engine, or an inference server.

    source: a local model (hub id, folder, .gguf file), or a server as server_address.server_source
    writes it ("URL#model=NAME&timeout=S"); server=None decides by the http(s):// prefix.
    fast: on a CPU, the fast mode (True), the exact fp32 graph (False) or the transformers model
    alone (None); see open_local.
    api_key, or the environment variable api_key_env that holds it, for a server.
    warm_up: make the backend ready before returning: a local model runs one token, a server is
    asked for its models (a wrong address, key or model fails here, not at the first run).
    """
    if server if server is not None else is_server_source(source):
        from .server.remote import RemoteBackend

        url, model, timeout = parse_server_source(source)
        remote = RemoteBackend(url, model=model, api_key=api_key, timeout=timeout, api_key_env=api_key_env)
        if warm_up:
            remote.connect()
        return remote
    generator = open_local(source, device, allow_download=allow_download, fast=fast)
    if warm_up:
        generator.warm_up()
    return generator
