"""The decoding core: what the local loop (generator) and the server loop (remote) share.

Both decode a run's candidates the same way, so the two cannot drift apart:

- each candidate's text passes through its stop texts (text_stops) until one is met or
  the candidate ends (`Candidate`);
- candidate 0 streams: its tokens wait until a piece of its text carries them out in an
  event, and the tokens of a stop text ride with the last event (`StreamedCandidate`);
  the others are collected and become the run's `alternatives`;
- the run's summary, with the same fields and the same clock for both (`RunSummary`), and
  its decode speed, defined once (`decode_speed`; the benchmark's rows use it too).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Generic, Iterable, TypeVar

from .request import ContinuationRequest
from .text_stops import StopMatcher

Token = TypeVar("Token")  # what a loop knows of one generated token
Event = TypeVar("Event")  # the event a loop makes of a piece of text and its tokens


@dataclass
class Candidate:
    """One candidate's text so far, after its stop texts, and why it ended."""

    stops: StopMatcher
    text: str = ""
    done: bool = False  # no more text wanted
    reason: str = ""  # why it ended: stop_text here; the loops add theirs (eos, length, ...)

    def feed(self, text: str) -> str:
        """Take new text; the part that can be shown now ('' while a stop text may be starting)."""
        return self._keep(self.stops.feed(text))

    def flush(self) -> str:
        """At the end: what the stop texts held back is complete now."""
        return self._keep(self.stops.flush())

    def _keep(self, piece: str) -> str:
        self.text += piece
        if self.stops.stopped:
            self.done, self.reason = True, "stop_text"
        return piece


def flush_unfinished(candidates: Iterable[Candidate]) -> None:
    """At the end of a run: the candidates still going keep what their stop texts held back."""
    for candidate in candidates:
        if not candidate.done:
            candidate.flush()


class StreamedCandidate(Generic[Token, Event]):
    """Candidate 0 as it streams: its tokens wait in `pending` until a piece of text carries them out.

    A token that ends half-way through a character, or that may begin a stop text, gives no
    event of its own; the event that completes the text carries it.
    """

    def __init__(self, candidate: Candidate, make_event: Callable[[str, list[Token]], Event]) -> None:
        self.candidate = candidate
        self.pending: list[Token] = []
        self._make_event = make_event

    def carry(self, piece: str) -> Event | None:
        """The event for a piece just fed: one when there is text, or when a stop text was met."""
        if piece or self.candidate.stops.stopped:
            return self._event(piece)
        return None

    def finish(self, rest: str) -> Event | None:
        """The event at the candidate's end: its last text and the tokens still waiting, if any."""
        if rest or self.pending:
            return self._event(rest)
        return None

    def _event(self, piece: str) -> Event:
        tokens, self.pending = self.pending, []
        return self._make_event(piece, tokens)


def decode_speed(tokens: int, first_token_seconds: float | None, elapsed_seconds: float) -> float:
    """Tokens per second after the first token (the prompt phase excluded); 0 with fewer than two."""
    if tokens < 2 or first_token_seconds is None:
        return 0.0
    return (tokens - 1) / max(elapsed_seconds - first_token_seconds, 1e-9)


@dataclass
class RunSummary:
    """A run's summary (backend.RunLike's fields), read after its iteration; the run keeps its clock."""

    request: ContinuationRequest
    seed: int
    context_tokens: int = 0
    window: int = 0
    reused_tokens: int = 0  # context tokens whose keys/values came from the previous run
    new_token_ids: list[int] = field(default_factory=list)
    text: str = ""  # what the events carried
    finish_reason: str = ""  # length | eos | stop_text | stopped
    first_token_seconds: float | None = None
    elapsed_seconds: float = 0.0
    alternatives: list[str] = field(default_factory=list)  # the other candidates' texts, once made
    _clock_started: float = field(default=0.0, repr=False)

    def start_clock(self) -> None:
        self._clock_started = time.perf_counter()

    def clock_token(self) -> None:
        """A token arrived: the first one's time is the time to first token."""
        if self.first_token_seconds is None:
            self.first_token_seconds = time.perf_counter() - self._clock_started

    def stop_clock(self) -> None:
        self.elapsed_seconds = time.perf_counter() - self._clock_started

    @property
    def tokens_per_second(self) -> float:
        """Decode speed after the first token (the prompt phase excluded)."""
        return decode_speed(self._tokens_decoded(), self.first_token_seconds, self.elapsed_seconds)

    def _tokens_decoded(self) -> int:
        return len(self.new_token_ids)
