"""Section `decode`: time to first token and decode speed of three paths on the same model.

- raw: `model.generate` (greedy, min_new_tokens = max_new_tokens, the KV cache on);
- engine: `Generator.stream` with temperature 0, its cache reset before each run (cold);
- editor: Continue pressed in the offscreen window until the text is painted, with one
  candidate per Continue (the same work as generate); when the product's default is
  several candidates (decoded together, the first one streaming), that is measured too.

Decode tokens/s counts the tokens after the first over the time after the first
(the prompt phase excluded), for all three alike.
"""

from __future__ import annotations

import time

from ..engine.text.decoding_core import decode_speed
from ..engine.text.request import ContinuationRequest
from .stats import alternate, fields, ratios


class _FirstTokenClock:
    """A generate() streamer that only takes the time of the first new token."""

    def __init__(self) -> None:
        self.calls = 0
        self.first: float | None = None

    def put(self, value) -> None:
        value.tolist()  # waits for the device, so the time is the token's, not the launch's
        self.calls += 1
        if self.calls == 2:  # the first call hands over the prompt
            self.first = time.perf_counter()

    def end(self) -> None:
        pass


def raw_generate(lm, ids: list[int], new_tokens: int) -> dict:
    import torch

    eos = next(iter(lm.eos_ids), None)
    input_ids = torch.tensor([ids], dtype=torch.long, device=lm.device)
    clock = _FirstTokenClock()
    started = time.perf_counter()
    with torch.inference_mode():
        out = lm.model.generate(
            input_ids=input_ids, attention_mask=torch.ones_like(input_ids), max_new_tokens=new_tokens,
            min_new_tokens=new_tokens if eos is not None else None, do_sample=False, num_beams=1,
            use_cache=True, streamer=clock, pad_token_id=eos if eos is not None else 0,
        )
    new_ids = out[0, len(ids):].tolist()
    ended = time.perf_counter()
    first = clock.first - started if clock.first else None
    return {
        "ttft_s": first,
        "decode_tps": decode_speed(len(new_ids), first, ended - started) or None,
        "tokens": len(new_ids),
        "seconds": ended - started,
        "ids": new_ids,
    }


def engine_run(backend, text: str, new_tokens: int, cold: bool = True) -> dict:
    """One greedy run through the Backend interface (the local engine: a Generator)."""

    if cold:
        backend.reset_cache()
    request = ContinuationRequest(context=text, max_new_tokens=new_tokens, temperature=0)
    started = time.perf_counter()
    run = backend.stream(request)
    for _ in run:
        pass
    return {
        "ttft_s": run.first_token_seconds,
        "decode_tps": run.tokens_per_second or None,  # from what ran, if EOS came early
        "tokens": len(run.new_token_ids),
        "context_tokens": run.context_tokens,
        "reused_tokens": run.reused_tokens,
        "finish_reason": run.finish_reason,
        "seconds": time.perf_counter() - started,
        "text": run.text,
        "ids": list(run.new_token_ids),
    }


def run(ctx) -> dict:
    args = ctx.args
    n = args.new_tokens
    backend = ctx.backend
    lm = ctx.loaded
    editor = ctx.editor
    result = {"new_tokens": n, "editor_torch_threads": editor.torch_threads,
              "editor_default_candidates": editor.default_candidates, "prompts": {}}
    for size in ctx.prompt_sizes(n):
        prompt = ctx.prompt(size)
        cold = ctx.cold_prompts(size)
        turn = iter(range(10**9))
        sides = {
            "raw": lambda p=prompt: raw_generate(lm, p.ids, n),
            "engine": lambda p=prompt: engine_run(backend, p.text, n),
            # Same length, other text, so the editor's engine finds no cached prefix (a cold start).
            "editor": lambda c=cold, t=turn: editor.continue_run(c[next(t) % 2].text, n),
        }
        if editor.default_candidates > 1:
            # What a user gets by default: several candidates per Continue, the first one streaming.
            sides["editor_default"] = lambda c=cold, t=turn: editor.continue_run(c[next(t) % 2].text, n,
                                                                                candidates=None)
        runs = alternate(sides, args.repeats, warmup=args.warmup)
        raw, engine = runs["raw"], runs["engine"]
        entry = {
            "prompt_tokens": prompt.tokens,
            "context_tokens": engine[-1]["context_tokens"],
            "same_greedy_tokens": all(a["ids"] == b["ids"] for a, b in zip(raw, engine)),
            "raw": fields(raw, "ttft_s", "decode_tps", "tokens"),
            "engine": fields(engine, "ttft_s", "decode_tps", "tokens"),
            "engine_over_raw_decode": ratios(engine, raw, "decode_tps"),
            "engine_over_raw_ttft": ratios(engine, raw, "ttft_s"),
        }
        ed = runs["editor"]
        entry["editor"] = fields(ed, "ttft_s", "ttft_inserted_s", "decode_tps", "tokens", "paint_batches")
        entry["editor_over_raw_decode"] = ratios(ed, raw, "decode_tps")
        entry["editor_over_raw_ttft"] = ratios(ed, raw, "ttft_s")
        if "editor_default" in runs:
            dflt = runs["editor_default"]
            entry["editor_default"] = fields(dflt, "ttft_s", "decode_tps")
            entry["editor_default_over_raw_decode"] = ratios(dflt, raw, "decode_tps")
        result["prompts"][str(prompt.tokens)] = entry
    return result
