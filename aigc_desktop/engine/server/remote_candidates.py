"""One server run's candidates as their chunks arrive: candidate 0 becomes events, the others are collected.

Stop texts are applied here as well as by the server (the candidates, their stop texts and
their events are decoding_core's, as in the local loop), and each event carries the tokens
(texts, probabilities, top alternatives) that arrived with its text.

Token ids. A server reports token *texts*, not ids. `RemoteTokenEvent` has
generator.TokenEvent's fields (so code written for the local engine keeps working)
plus the texts: ``tokens`` (each token's text) and ``alternative_texts`` (per token,
the top-5 ``(text, probability)`` pairs). Its ``token_ids`` and the ids in
``alternatives`` are negative: the backend gives each distinct token text a stable
id -1, -2, ... and `RemoteBackend.token_text(id)` turns it back into the text, just
as `Generator.token_text` does for vocabulary ids. Without log-probabilities (a
server that does not offer them) each chunk counts as one token and
``probabilities``/``alternatives`` are empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..text.decoding_core import Candidate, StreamedCandidate, flush_unfinished
from ..text.text_stops import StopMatcher
from .openai_wire import Token, finish_reason, parse_choice
from .remote_errors import ServerErrors

CHARS_PER_TOKEN = 256  # longer than any vocabulary's token (long runs of spaces in code models included)


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
class ServerCandidate(Candidate):
    """One candidate's state while its chunks arrive; done also when the server finished it."""

    server_done: bool = False  # the server sent its finish_reason
    seen: bool = False  # the server sent anything for this candidate
    raw: str = ""  # everything the server sent for it, before stop texts were applied
    tokens: int = 0  # tokens received for it: at max_new_tokens it is done, whatever the server does


class Decoding:
    """One run's candidates as chunks arrive: candidate 0 becomes events, the others are collected."""

    def __init__(self, run, intern: Callable[[str], int], errors: ServerErrors) -> None:
        request = run.request
        self.run = run  # a RemoteRun
        self.intern = intern  # token text -> its negative id
        self.errors = errors
        self.rows = [ServerCandidate(StopMatcher(request.stop_sequences, request.stop_at))
                     for _ in range(request.alternatives)]
        self.first = self.rows[0]
        self.streamed = StreamedCandidate(self.first, self._event)
        self.progress = 0  # choices that brought wanted text or tokens (the deadline counts from the last)

    @property
    def all_done(self) -> bool:
        return all(row.done for row in self.rows)

    @property
    def all_server_done(self) -> bool:
        return all(row.server_done for row in self.rows)

    @property
    def wants_more(self) -> bool:
        """False once every candidate met a stop here: the server need not go on."""
        return not self.all_done or self.all_server_done

    def take(self, chunk: dict) -> tuple[list[RemoteTokenEvent], bool]:
        """The events one chunk gives, and whether the server lost characters (see _drop_lossy_probabilities)."""
        self._take_usage(chunk.get("usage"))
        events: list[RemoteTokenEvent] = []
        lost = False
        for choice in chunk["choices"]:
            index, text, tokens, finish = parse_choice(choice, len(self.rows), self.errors)
            row = self.rows[index]
            row.seen = True
            if row.done:
                row.raw += text
                continue
            text, tokens, full = self._within_budget(row, text, tokens)
            self.progress += bool(text or tokens)
            row.raw += text
            row.tokens += len(tokens)
            if row is self.first:
                lost = lost or any(t.text == "" and t.prob is not None for t in tokens)
                self._count(text, tokens)
            piece = row.feed(text)
            if row is self.first and (event := self.streamed.carry(piece)) is not None:
                events.append(event)
            if row.done:  # a stop text here
                continue
            if finish:
                events.extend(self._finish_row(row, finish_reason(finish, choice, self.run.request), finish))
            elif full:
                events.extend(self._finish_row(row, "length"))
        return events, lost

    def _take_usage(self, usage) -> None:
        if not isinstance(usage, dict):
            return
        prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
        if _count_of_tokens(prompt):
            self.run.context_tokens = prompt
        if _count_of_tokens(completion) and self.run.request.alternatives == 1:
            self.run.completion_tokens = completion

    def _within_budget(self, row: ServerCandidate, text: str, tokens: list[Token]) -> tuple[str, list[Token], bool]:
        """The text and tokens that fit in max_new_tokens, and whether some did not (the candidate is full).

        The text is bounded too, at CHARS_PER_TOKEN a token: a server can call anything one token.
        """
        budget = self.run.request.max_new_tokens
        left, chars_left = budget - row.tokens, budget * CHARS_PER_TOKEN - len(row.raw)
        if len(tokens) <= left and len(text) <= chars_left:
            return text, tokens, False
        kept = tokens[:max(left, 0)]
        if len(kept) < len(tokens) and "".join(t.text for t in tokens) == text:
            text = "".join(t.text for t in kept)
        elif not kept:
            text = ""
        return text[:max(chars_left, 0)], kept, True

    def _count(self, text: str, tokens: list[Token]) -> None:
        if text or tokens:
            self.run.clock_token()
        self.run.new_token_ids.extend(self.intern(token.text) for token in tokens)
        self.streamed.pending.extend(tokens)

    def _finish_row(self, row: ServerCandidate, reason: str, server_said: str = "") -> list[RemoteTokenEvent]:
        """The candidate is complete (server_said: the server's finish_reason, when it said so)."""
        row.done, row.server_done, row.reason = True, bool(server_said), reason
        rest = row.flush()
        if row is not self.first:
            return []
        self.run.server_finish_reason = server_said
        event = self.streamed.finish(rest)
        return [event] if event is not None else []

    def flush(self) -> RemoteTokenEvent | None:
        """At the end marker without a finish_reason: what the stops held back is complete now."""
        rest = "" if self.first.done else self.first.flush()
        flush_unfinished(self.rows[1:])
        return self.streamed.finish(rest)

    def _event(self, piece: str, tokens: list[Token]) -> RemoteTokenEvent:
        intern = self.intern
        texts = tuple(t.text for t in tokens)
        ids = tuple(intern(t) for t in texts)
        if tokens and all(t.prob is not None for t in tokens):
            probs = tuple(t.prob for t in tokens if t.prob is not None)  # all of them
            alt_texts = tuple(t.alternatives for t in tokens)
            alts = tuple(tuple((intern(s), p) for s, p in a) for a in alt_texts)
        else:
            probs, alts, alt_texts = (), (), ()
        return RemoteTokenEvent(piece, ids, probs, alts, texts, alt_texts)

    def alternatives(self) -> list[str]:
        return [row.text for row in self.rows[1:]]


def _count_of_tokens(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**31
