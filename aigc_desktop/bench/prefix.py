"""Section `prefix`: time to first token when the engine can reuse its key/value cache.

On one context (512 tokens by default), in turn: a cold start (reset_cache),
Regenerate (the same context again) and continue-after-accept (the context plus
the text just generated). run.reused_tokens says how much of the cache was used.
"""

from __future__ import annotations

from .decode import engine_run
from .stats import fields, ratios

MEASURES = ("ttft_s", "reused_tokens", "context_tokens")


def run(ctx) -> dict:
    args = ctx.args
    backend = ctx.backend
    n = args.new_tokens
    size = max(ctx.prompt_sizes(n))
    # The accepted text must fit too: context + n generated + n new.
    size = min(size, ctx.prompt_budget(2 * n))
    prompt = ctx.prompt(size)
    cold, regen, accept = [], [], []
    for round_ in range(args.warmup + args.repeats):
        a = engine_run(backend, prompt.text, n, cold=True)
        b = engine_run(backend, prompt.text, n, cold=False)
        c = engine_run(backend, prompt.text + b["text"], n, cold=False)
        if round_ >= args.warmup:
            cold.append(a)
            regen.append(b)
            accept.append(c)
    return {
        "prompt_tokens": prompt.tokens,
        "cold": fields(cold, *MEASURES),
        "regenerate": fields(regen, *MEASURES),
        "continue_after_accept": fields(accept, *MEASURES),
        "regenerate_over_cold_ttft": ratios(regen, cold, "ttft_s"),
        "accept_over_cold_ttft": ratios(accept, cold, "ttft_s"),
    }
