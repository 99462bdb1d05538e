"""Section `stop`: Stop pressed (controller.stop()) -> the worker's `finished` for that request.

The time is compared with one decode step of the same run, and the document is
checked for text inserted after Stop (there must be none).
"""

from __future__ import annotations

from .stats import summary


def run(ctx) -> dict:
    args = ctx.args
    editor = ctx.editor
    n = max(2, min(args.heartbeat_tokens, ctx.loaded.window - 2 - len(ctx.loaded.prefix_ids) - 32))
    prompt = ctx.prompt(min(32, ctx.prompt_budget(n)))
    runs = []
    # Stop at different moments of a decode step: a few delays after the first text appeared.
    delays = [0.0, 0.011, 0.023, 0.037, 0.049]
    for i in range(max(args.repeats, 3)):
        runs.append(editor.stop_run(prompt.text, n, delays[i % len(delays)]))
    stopped = [r for r in runs if r.get("stopped_mid_run")]
    return {
        "candidates": editor.default_candidates,  # the product's default
        "runs": len(runs),
        "stopped_mid_run": len(stopped),
        "latency_s": summary(r["latency_s"] for r in stopped),
        "gui_notified_s": summary(r["gui_notified_s"] for r in stopped),
        "decode_step_s": summary(r["decode_step_s"] for r in stopped),
        "latency_over_step": summary(r["latency_over_step"] for r in stopped),
        "text_after_stop": any(r["text_after_stop"] for r in stopped),
    }
