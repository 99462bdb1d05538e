"""The decoding loop: stream a continuation token by token, stoppable at any token.

A hand-written loop with the key/value cache is as fast as `model.generate`
(measured) and lets us check the stop flag before each step, keep the cache
of the last context for the next request, and report each token's probability.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from typing import Iterator

import torch

from .context import encode_tail
from .detokenizer import IncrementalDetokenizer
from .errors import GenerationError, first_line
from .loading import LoadedModel
from .request import ContinuationRequest
from .sampling import build_processors, choose_next
from .stop_flag import StopFlag
from .text_stops import StopMatcher

TOP_ALTERNATIVES = 5


@dataclass(frozen=True)
class TokenEvent:
    """Newly generated text and the tokens it came from.

    A token that ends half-way through a character yields no event of its own;
    its id is carried by the event that completes the character.
    """

    text: str
    token_ids: tuple[int, ...]
    probabilities: tuple[float, ...]  # the model's probability of each chosen token
    alternatives: tuple[tuple[tuple[int, float], ...], ...]  # top-5 (id, probability) per token


@dataclass
class GenerationRun:
    """One continuation: iterate it for TokenEvents; read the summary afterwards."""

    request: ContinuationRequest
    seed: int
    context_tokens: int = 0
    window: int = 0
    reused_tokens: int = 0  # context tokens whose keys/values came from the previous run
    new_token_ids: list[int] = field(default_factory=list)
    text: str = ""
    finish_reason: str = ""  # length | eos | stop_text | stopped
    first_token_seconds: float | None = None
    elapsed_seconds: float = 0.0
    alternatives: list[str] = field(default_factory=list)  # the other candidates' texts
    _events: Iterator[TokenEvent] | None = None

    def __iter__(self) -> Iterator[TokenEvent]:
        return self._events

    @property
    def tokens_per_second(self) -> float:
        """Decode speed after the first token (the prompt phase excluded)."""
        n = len(self.new_token_ids)
        if n < 2 or self.first_token_seconds is None:
            return 0.0
        return (n - 1) / max(self.elapsed_seconds - self.first_token_seconds, 1e-9)


@dataclass
class _Row:
    """Decoding state of one candidate."""

    detok: IncrementalDetokenizer
    stops: StopMatcher
    ids: list[int] = field(default_factory=list)
    text: str = ""
    done: bool = False
    reason: str = ""

    def finish(self, reason: str) -> None:
        self.done, self.reason = True, reason


class Generator:
    """Owns a loaded model's decoding state. Use from one thread at a time."""

    def __init__(self, loaded: LoadedModel) -> None:
        self.loaded = loaded
        self._cache = None  # keys/values for self._cache_ids
        self._cache_ids: list[int] = []

    def token_text(self, token_id: int) -> str:
        """One token on its own, as a reader would see it ('' for a piece of a character or a special token)."""
        text = self.loaded.tokenizer.decode([token_id], skip_special_tokens=True)
        return "" if "\ufffd" in text else text

    def warm_up(self) -> None:
        """One tiny forward pass, so the user's first Continue does not pay for lazy initialisation."""
        lm = self.loaded
        ids = torch.tensor([[lm.prefix_ids[0] if lm.prefix_ids else 0]], device=lm.device)
        with torch.inference_mode():
            lm.model(input_ids=ids, use_cache=True, logits_to_keep=1)

    def fall_back_to_cpu(self) -> None:
        """After running out of GPU memory: free it and carry on with the model on the CPU."""
        self.reset_cache()
        lm = self.loaded
        lm.model.to("cpu", dtype=torch.float32)
        lm.device = torch.device("cpu")
        if torch.cuda.is_available():
            torch.cuda.empty_cache()

    def reset_cache(self) -> None:
        self._cache, self._cache_ids = None, []

    def stream(self, request: ContinuationRequest, stop: StopFlag | None = None) -> GenerationRun:
        """Validate the request now; return a run that generates as it is iterated."""
        request.validate()
        if request.max_new_tokens >= self.loaded.window:
            raise ValueError(
                f"max new tokens must be less than the model's context window ({self.loaded.window} tokens)."
            )
        seed = request.seed if request.seed is not None else int.from_bytes(os.urandom(8), "little") >> 1
        run = GenerationRun(request=request, seed=seed, window=self.loaded.window)
        run._events = self._generate(run, stop or StopFlag())
        return run

    def _take_cache(self, ids: list[int]):
        """The cache trimmed to the longest prefix shared with ids, and its length."""
        cache, cached = self._cache, self._cache_ids
        self.reset_cache()  # if this run fails part-way, no half-updated cache survives
        common = 0
        for a, b in zip(cached, ids):
            if a != b:
                break
            common += 1
        common = min(common, len(ids) - 1)  # at least one token must be fed to get logits
        if cache is None or common <= 0:
            return None, 0
        surplus = cache.get_seq_length() - common
        if surplus > 0:
            cache.crop(-surplus)  # transformers 5: a negative count of tokens to drop
        return cache, common

    def _generate(self, run: GenerationRun, stop: StopFlag) -> Iterator[TokenEvent]:
        started = time.perf_counter()
        lm, request = self.loaded, run.request
        ids = encode_tail(lm.tokenizer, request.context, lm.window - request.max_new_tokens, lm.prefix_ids)
        run.context_tokens = len(ids)
        n = request.alternatives
        processors = build_processors(request)
        # With greedy decoding every row would be the same: the other candidates sample.
        others = build_processors(replace(request, temperature=0.8)) if request.greedy and n > 1 else None
        rng = torch.Generator(device=lm.device).manual_seed(run.seed)
        rows = [_Row(IncrementalDetokenizer(lm.tokenizer, lm.cjk_spaces),
                     StopMatcher(request.stop_sequences, request.stop_at)) for _ in range(n)]
        first = rows[0]  # the one that streams; the others are read when the run ends
        pending_ids, pending_probs, pending_alts = [], [], []

        def event(text: str) -> TokenEvent:
            ev = TokenEvent(text, tuple(pending_ids), tuple(pending_probs), tuple(pending_alts))
            pending_ids.clear(), pending_probs.clear(), pending_alts.clear()
            run.text += text
            return ev

        cache, run.reused_tokens = self._take_cache(ids)
        all_ids = torch.tensor([ids], dtype=torch.long, device=lm.device)
        feed = all_ids[:, run.reused_tokens:]
        fed_ids = ids[: run.reused_tokens]  # row 0's tokens whose keys/values are in the cache
        run.finish_reason = "length"
        try:
            for step in range(request.max_new_tokens):
                if stop.is_set():
                    run.finish_reason = "stopped"
                    break
                # Per step, not around the loop: a suspended run must not leave its caller's
                # thread in inference mode (nor switch it off when an abandoned run is collected).
                with torch.inference_mode():
                    out = self._forward(feed, cache)
                    cache = out.cache
                    fed_ids = fed_ids + feed[0].tolist()
                    logits = out.logits[:, -1, :].float()
                    if step == 0 and n > 1:
                        # The context was read once; the candidates branch from here.
                        cache.batch_repeat_interleave(n)
                        logits, all_ids = logits.expand(n, -1), all_ids.expand(n, -1)
                    if n == 1:
                        self._cache, self._cache_ids = cache, fed_ids
                    if torch.isnan(logits).any():
                        self.reset_cache()
                        raise GenerationError("The model produced invalid numbers (NaN); its weights may be broken.")
                    next_ids = choose_next(processors(all_ids, logits), request.greedy, rng)
                    if others is not None:
                        next_ids[1:] = choose_next(others(all_ids[1:], logits[1:]), False, rng)
                    if run.first_token_seconds is None:
                        run.first_token_seconds = time.perf_counter() - started
                    tokens = next_ids[:, 0].tolist()
                    token = tokens[0]
                    if not first.done:
                        probs = torch.softmax(logits[0], dim=-1)
                        top = torch.topk(probs, min(TOP_ALTERNATIVES, probs.numel()))
                        run.new_token_ids.append(token)
                        pending_ids.append(token)
                        pending_probs.append(float(probs[token]))
                        pending_alts.append(tuple(zip(top.indices.tolist(), top.values.tolist())))
                    all_ids = torch.cat([all_ids, next_ids], dim=-1)
                    feed = next_ids
                for row, row_token in zip(rows, tokens):
                    if row.done:
                        continue
                    row.ids.append(row_token)
                    if row_token in lm.eos_ids:
                        row.finish("eos")
                        continue
                    piece = row.stops.feed(row.detok.push(row_token))
                    row.text += piece
                    if row is first and (piece or row.stops.stopped):
                        yield event(piece)  # a stop's own tokens still ride with the last event
                    if row.stops.stopped:
                        row.finish("stop_text")
                if all(row.done for row in rows):
                    break
            for row in rows:
                if not row.done and run.finish_reason != "stopped":
                    # What was held back is complete now, except a character cut in half.
                    rest = row.stops.feed(row.detok.flush())
                    rest = (rest + row.stops.flush()).rstrip("\ufffd")
                    row.text += rest
                    if row.stops.stopped:
                        row.finish("stop_text")
                    if row is first and (rest or pending_ids):
                        yield event(rest)
            if pending_ids:
                yield event("")  # e.g. the end-of-text token: no text, but part of the run
            if first.reason:
                run.finish_reason = first.reason
            run.alternatives = [row.text for row in rows[1:]]
            if n > 1:
                # Keep the first candidate's keys/values for the next request's prefix reuse.
                cache.batch_select_indices(torch.tensor([0], device=lm.device))
                self._cache, self._cache_ids = cache, fed_ids
        finally:
            run.elapsed_seconds = time.perf_counter() - started

    def _forward(self, feed: torch.Tensor, cache):
        try:
            return self.loaded.model(input_ids=feed, cache=cache, use_cache=True, logits_to_keep=1)
        except torch.OutOfMemoryError as exc:
            self.reset_cache()
            raise GenerationError(
                "Out of memory while generating. Try a shorter context, fewer new tokens, "
                "a smaller model, or the CPU.",
                out_of_memory=True,
            ) from exc
        except RuntimeError as exc:
            self.reset_cache()
            raise GenerationError(f"The model failed while generating: {first_line(exc)}") from exc
