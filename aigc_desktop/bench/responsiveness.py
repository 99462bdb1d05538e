"""Section `responsiveness`: is the GUI thread free while the model generates?

A 5 ms QTimer heartbeat runs on the GUI thread; the gaps between its ticks are
measured while the window is idle and during a long generation in the editor.
"""

from __future__ import annotations

from .stats import summary


def run(ctx) -> dict:
    args = ctx.args
    editor = ctx.editor
    n = max(2, min(args.heartbeat_tokens, ctx.loaded.window - 2 - len(ctx.loaded.prefix_ids) - 32))
    prompt = ctx.prompt(min(32, ctx.prompt_budget(n)))
    during, idle = [], []
    for _ in range(args.repeats):
        run_ = editor.continue_run(prompt.text, n, heartbeat=True, candidates=None)  # as a user runs it
        during.append(run_["heartbeat"] | {"seconds": run_["seconds"], "tokens": run_["tokens"]})
        editor.reject()
        idle.append(editor.idle_heartbeat(min(max(run_["seconds"], 0.5), 3.0)))
    keys = ("gap_p50_ms", "gap_p99_ms", "gap_max_ms")
    return {
        "new_tokens": n,
        "candidates": editor.default_candidates,
        "interval_ms": 5,
        "during_generation": {k: summary(r[k] for r in during) for k in keys + ("ticks", "tokens")},
        "idle": {k: summary(r[k] for r in idle) for k in keys + ("ticks",)},
    }
