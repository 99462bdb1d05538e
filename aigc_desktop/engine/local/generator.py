"""The decoding loop: stream a continuation token by token, stoppable at any token.

A hand-written loop over a step decoder (step_decoders.py: the transformers model,
or the fast ONNX Runtime graph) checks the stop flag before each step, keeps the
cache of the last context for the next request, and reports each token's
probability. The first candidate streams alone, at the speed of a single run;
the others are made afterwards, on request (`GenerationRun.make_alternatives`),
from the same context: batching them with the first would slow the stream the
writer watches (three rows cost 2.5x one on a CPU). The candidates, how their text
becomes events, and the run's summary are decoding_core's, shared with the server loop.
"""

from __future__ import annotations

import contextlib
import math
import os
from dataclasses import dataclass, replace
from typing import Callable, Iterator, cast

import torch

from ..errors import GenerationError, first_line
from ..text.context import encode_tail
from ..text.decoding_core import Candidate, RunSummary, StreamedCandidate, flush_unfinished
from ..text.detokenizer import IncrementalDetokenizer
from ..text.request import ContinuationRequest
from ..text.sampling import build_processors, choose_next
from ..text.stop_flag import StopFlag
from ..text.text_stops import StopMatcher
from .loading import LoadedModel
from .step_decoders import StepDecoder, TorchDecoder

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
class GenerationRun(RunSummary):
    """One continuation: iterate it for TokenEvents; read the summary (decoding_core.RunSummary) afterwards."""

    _events: Iterator[TokenEvent] | None = None
    _make_alternatives: Callable[[], list[str]] | None = None

    def __iter__(self) -> Iterator[TokenEvent]:
        if self._events is None:
            raise RuntimeError("A run is made by Generator.stream.")
        return self._events

    def make_alternatives(self) -> list[str]:
        """The other candidates (request.alternatives - 1), made now from the same context.

        Call it after the iteration; it checks the run's stop flag before every step, and a
        stopped run (or one of a single candidate) has none. Calling it again returns the same list.
        """
        if self._make_alternatives is not None:
            make, self._make_alternatives = self._make_alternatives, None
            self.alternatives = make()
        return self.alternatives


@dataclass(kw_only=True)
class _TokenCandidate(Candidate):
    """A candidate of the local model: its tokens become text through the detokenizer; end-of-text ends it."""

    detok: IncrementalDetokenizer
    eos_ids: frozenset[int]

    def push(self, token: int) -> str:
        """Take one generated token; the text it completes ('' while a character or a stop text is pending)."""
        if token in self.eos_ids:
            self.done, self.reason = True, "eos"
            return ""
        return self.feed(self.detok.push(token))

    def flush(self) -> str:
        """At the end: what was held back is complete now, except a character cut in half."""
        rest = self.stops.feed(self.detok.flush())
        return self._keep((rest + self.stops.flush()).rstrip("\ufffd"))


_Token = tuple[int, float, tuple[tuple[int, float], ...]]  # id, probability, top alternatives


def _token_event(piece: str, tokens: list[_Token]) -> TokenEvent:
    """The event of a piece of text and the tokens it came from."""
    ids, probabilities, alternatives = zip(*tokens) if tokens else ((), (), ())
    return TokenEvent(piece, ids, probabilities, alternatives)


class Generator:
    """Owns a loaded model's decoding state. Use from one thread at a time."""

    def __init__(self, loaded: LoadedModel) -> None:
        self.loaded = loaded
        self._decoder: StepDecoder | None = None  # holds the keys/values of self._cache_ids
        self._cache_ids: list[int] = []

    @property
    def name(self) -> str:
        return self.loaded.name

    @property
    def device_label(self) -> str:
        return self.loaded.device_label

    @property
    def window(self) -> int:
        return self.loaded.window

    def token_text(self, token_id: int) -> str:
        """One token on its own, as a reader would see it ('' for a piece of a character or a special token)."""
        text = self.loaded.tokenizer.decode([token_id], skip_special_tokens=True)
        return "" if "\ufffd" in text else text

    def warm_up(self) -> None:
        """One tiny forward pass, so the user's first Continue does not pay for lazy initialisation."""
        lm = self.loaded
        ids = torch.tensor([[lm.prefix_ids[0] if lm.prefix_ids else 0]], device=lm.device)
        with torch.inference_mode():
            self._new_decoder().forward(ids)

    def fall_back_to_cpu(self) -> None:
        """After running out of GPU memory: free it and carry on with the model on the CPU."""
        self.reset_cache()
        lm = self.loaded
        lm.model.to("cpu", dtype=torch.float32)
        lm.device = torch.device("cpu")
        if torch.cuda.is_available():
            torch.cuda.empty_cache()

    def reset_cache(self) -> None:
        self._decoder, self._cache_ids = None, []

    def _new_decoder(self) -> StepDecoder:
        if self.loaded.fast is not None:
            from .fast.decoder import FastDecoder

            return FastDecoder(self.loaded.fast)
        return TorchDecoder(self.loaded.model)

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

    def _new_candidate(self, request: ContinuationRequest) -> _TokenCandidate:
        lm = self.loaded
        return _TokenCandidate(StopMatcher(request.stop_sequences, request.stop_at),
                               detok=IncrementalDetokenizer(lm.tokenizer, lm.cjk_spaces), eos_ids=lm.eos_ids)

    def _take_cache(self, ids: list[int]) -> tuple[StepDecoder, int]:
        """A decoder holding the longest cached prefix shared with ids, and that prefix's length."""
        decoder, cached = self._decoder, self._cache_ids
        self.reset_cache()  # if this run fails part-way, no half-updated cache survives
        common = 0
        for a, b in zip(cached, ids):
            if a != b:
                break
            common += 1
        common = min(common, len(ids) - 1)  # at least one token must be fed to get logits
        if decoder is None or common <= 0:
            return self._new_decoder(), 0
        decoder.keep(common)
        return decoder, common

    def _generate(self, run: GenerationRun, stop: StopFlag) -> Iterator[TokenEvent]:
        run.start_clock()
        lm, request = self.loaded, run.request
        ids = encode_tail(lm.tokenizer, request.context, lm.window - request.max_new_tokens, lm.prefix_ids)
        run.context_tokens = len(ids)
        processors = build_processors(request)
        rng = torch.Generator(device=lm.device).manual_seed(run.seed)
        row = self._new_candidate(request)

        def event(piece: str, tokens: list[_Token]) -> TokenEvent:
            run.text += piece
            return _token_event(piece, tokens)

        streamed = StreamedCandidate(row, event)

        decoder, run.reused_tokens = self._take_cache(ids)
        seen = torch.tensor([ids], dtype=torch.long, device=lm.device)  # what the penalties look at
        feed = seen[:, run.reused_tokens:]
        fed_ids = ids[: run.reused_tokens]  # the tokens whose keys/values are in the decoder
        context_logits = None  # where the other candidates branch off
        run.finish_reason = "length"
        try:
            for step in range(request.max_new_tokens):
                if stop.is_set():
                    run.finish_reason = "stopped"
                    break
                # Per step, not around the loop: a suspended run must not leave its caller's
                # thread in inference mode (nor switch it off when an abandoned run is collected).
                with torch.inference_mode(), self._step_threads():
                    logits = self._forward(decoder, feed)
                    fed_ids = fed_ids + feed[0].tolist()
                    self._decoder, self._cache_ids = decoder, fed_ids
                    if step == 0 and request.alternatives > 1:
                        context_logits = logits.clone()
                    # The model's own probabilities from one normaliser: cheaper than a softmax over
                    # the vocabulary, and NaN anywhere in the logits makes it NaN.
                    log_norm = torch.logsumexp(logits[0], dim=-1)
                    if torch.isnan(log_norm):
                        self.reset_cache()
                        raise GenerationError("The model produced invalid numbers (NaN); its weights may be broken.")
                    next_id = choose_next(processors(seen, logits), request.greedy, rng)
                    run.clock_token()
                    token = int(next_id[0, 0])
                    top = torch.topk(logits[0], min(TOP_ALTERNATIVES, logits.shape[-1]))
                    run.new_token_ids.append(token)
                    streamed.pending.append((token, math.exp(float(logits[0, token] - log_norm)),
                                             tuple(zip(top.indices.tolist(), torch.exp(top.values - log_norm).tolist()))))
                    seen = torch.cat([seen, next_id], dim=-1)
                    feed = next_id
                if (ev := streamed.carry(row.push(token))) is not None:
                    yield ev
                if row.done:
                    break
            rest = row.flush() if not row.done and run.finish_reason != "stopped" else ""
            if (ev := streamed.finish(rest)) is not None:
                yield ev  # the last text, or tokens without text (e.g. the end-of-text token)
            if row.reason:
                run.finish_reason = row.reason
            if context_logits is not None and run.finish_reason != "stopped":
                run._make_alternatives = lambda: self._alternatives(run, stop, ids, context_logits)
        finally:
            run.stop_clock()

    def _alternatives(self, run: GenerationRun, stop: StopFlag, ids: list[int], logits: torch.Tensor) -> list[str]:
        """The other candidates of `run`, sampled in one batch from its context's keys/values."""
        lm, request = self.loaded, run.request
        n = request.alternatives - 1
        # With greedy decoding every row would be the first candidate again: the others sample.
        processors = build_processors(replace(request, temperature=0.8) if request.greedy else request)
        rng = torch.Generator(device=lm.device).manual_seed(run.seed + 1)
        rows = [self._new_candidate(request) for _ in range(n)]
        with torch.inference_mode():
            if self._decoder is not None and self._cache_ids[: len(ids)] == ids:
                decoder = self._decoder.fork(n, len(ids))
            else:  # another run has used the cache since: read the context again
                decoder = self._new_decoder().fork(n, 0)
                logits = self._forward(decoder, torch.tensor([ids] * n, device=lm.device))
        seen = torch.tensor([ids] * n, dtype=torch.long, device=lm.device)
        logits = logits.expand(n, -1)
        for _ in range(request.max_new_tokens):
            if stop.is_set():
                return []  # stopped: the caller has moved on
            with torch.inference_mode(), self._step_threads():
                next_ids = choose_next(processors(cast(torch.LongTensor, seen), logits), False, rng)
                for r, token in zip(rows, next_ids[:, 0].tolist()):
                    if not r.done:
                        r.push(token)
                if all(r.done for r in rows):
                    break
                seen = torch.cat([seen, next_ids], dim=-1)
                logits = self._forward(decoder, next_ids)
        flush_unfinished(rows)
        return [r.text for r in rows]

    @contextlib.contextmanager
    def _step_threads(self):
        """With the fast runtime, torch's small per-step work runs on this thread alone.

        ONNX Runtime's threads spin between steps; torch's own thread team then fights
        them for the same cores: on 2 cores the fast mode decoded at 43 tok/s with two
        torch threads and at 100 with one (bench/speed.py's model, same run).
        """
        if self.loaded.fast is None:
            yield
            return
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            yield
        finally:
            torch.set_num_threads(threads)

    def _forward(self, decoder: StepDecoder, feed: torch.Tensor) -> torch.Tensor:
        try:
            return decoder.forward(feed)
        except torch.OutOfMemoryError as exc:
            self.reset_cache()
            raise GenerationError(
                "Out of memory while generating. Try a shorter context, fewer new tokens, "
                "a smaller model, or the CPU.",
                out_of_memory=True,
            ) from exc
        except GenerationError:
            raise
        except Exception as exc:  # torch's RuntimeError, or ONNX Runtime's own exception types
            self.reset_cache()
            raise GenerationError(f"The model failed while generating: {first_line(exc)}") from exc
