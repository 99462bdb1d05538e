"""The backend interface: what the CLI and the editor's worker need from a text generator.

Two implementations satisfy it:

* the local engine, `generator.Generator`, wrapped by `LocalBackend` below (the
  Generator itself keeps the model's name, device and window on `.loaded`), and
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

from .request import ContinuationRequest
from .stop_flag import StopFlag

if TYPE_CHECKING:
    from .generator import GenerationRun, Generator


@runtime_checkable
class TokenEventLike(Protocol):
    """One streamed piece of text and the tokens it came from (generator.TokenEvent's fields)."""

    text: str
    token_ids: tuple[int, ...]
    probabilities: tuple[float, ...]  # may be empty when a server sends no log-probabilities
    alternatives: tuple[tuple[tuple[int, float], ...], ...]


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
    """Anything that continues text: the local engine (via LocalBackend) or RemoteBackend."""

    @property
    def name(self) -> str: ...

    @property
    def device_label(self) -> str: ...

    @property
    def window(self) -> int: ...

    def stream(self, request: ContinuationRequest, stop: StopFlag | None = None) -> RunLike: ...


class LocalBackend:
    """The local engine seen through the Backend interface (generator.py stays as it is).

    Every other attribute (``loaded``, ``token_text``, ``warm_up``, ``fall_back_to_cpu``,
    ``reset_cache``) is the wrapped Generator's, so code that reaches for them keeps working.
    """

    def __init__(self, generator: "Generator") -> None:
        self.generator = generator

    @property
    def name(self) -> str:
        return self.generator.loaded.name

    @property
    def device_label(self) -> str:
        return self.generator.loaded.device_label

    @property
    def window(self) -> int:
        return self.generator.loaded.window

    def stream(self, request: ContinuationRequest, stop: StopFlag | None = None) -> "GenerationRun":
        return self.generator.stream(request, stop)

    def __getattr__(self, attribute: str):
        return getattr(self.generator, attribute)


def as_backend(engine) -> Backend:
    """A Generator (anything with `.loaded` but no `device_label`) wrapped in LocalBackend; others as they are."""
    if hasattr(engine, "loaded") and not hasattr(engine, "device_label"):
        return LocalBackend(engine)
    return engine
