"""Section `memory`: resident memory after loading the model and at its peak while generating.

"After load" can be low because safetensors weights are mapped from the file
and only read in on first use; "ready" is after the one-token warm-up pass the
editor's loader makes, and the peak while generating is what the machine must have.

Measured in a fresh process (`python -m aigc_desktop.bench.memory ...`), so the
bench's other models do not count: VmRSS and VmHWM (peak) from /proc/self/status,
or ru_maxrss where /proc is missing. exact fp32 and, on the CPU, the fast mode (int8 blocks, engine/local/fast/).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from typing import Any

from ..engine.backend import open_local
from ..engine.quiet_libraries import quiet_transformers
from ..engine.text.request import ContinuationRequest
from .prompts import exact_prompt

_MARK = "AIGC_BENCH_MEMORY "


def _status_mib() -> dict:
    figures = {}
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    figures[key] = int(value.split()[0]) / 1024  # kB -> MiB
    except OSError:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        peak_mib = peak / 1024 / (1024 if sys.platform == "darwin" else 1)
        figures = {"VmRSS": None, "VmHWM": peak_mib}
    return figures


def probe(source: str, device: str, int8: bool, prompt_tokens: int, new_tokens: int) -> dict:
    before = _status_mib()

    quiet_transformers()
    imported = _status_mib()
    backend = open_local(source, device, allow_download=False, fast=True if int8 else None)  # fp32: transformers
    lm = backend.loaded
    loaded = _status_mib()
    backend.warm_up()  # as the editor's loader does: the model is "ready" after this
    ready = _status_mib()
    prompt_tokens = max(1, min(prompt_tokens, lm.window - len(lm.prefix_ids) - new_tokens - 1))
    prompt = exact_prompt(lm.tokenizer, prompt_tokens, lm.prefix_ids)
    run = backend.stream(ContinuationRequest(prompt.text, max_new_tokens=new_tokens, temperature=0))
    for _ in run:
        pass
    generated = _status_mib()
    return {
        "fast": lm.int8,
        "start_rss_mib": before["VmRSS"],
        "imports_rss_mib": imported["VmRSS"],
        "after_load_rss_mib": loaded["VmRSS"],
        "after_load_peak_mib": loaded["VmHWM"],
        "ready_rss_mib": ready["VmRSS"],
        "generating_peak_mib": generated["VmHWM"],
        "after_generation_rss_mib": generated["VmRSS"],
        "context_tokens": run.context_tokens,
        "new_tokens": len(run.new_token_ids),
    }


def measure(source: str, device: str, int8: bool, prompt_tokens: int, new_tokens: int) -> dict:
    command = [sys.executable, "-m", "aigc_desktop.bench.memory", "--model", source, "--device", device,
               "--prompt-tokens", str(prompt_tokens), "--new-tokens", str(new_tokens)]
    if int8:
        command.append("--fast")
    done = subprocess.run(command, capture_output=True, text=True, timeout=900,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"})
    line = next((x for x in done.stdout.splitlines() if x.startswith(_MARK)), None)
    if line is None:
        raise RuntimeError(f"the memory probe failed (exit {done.returncode}): {done.stderr.strip()[-800:]}")
    return json.loads(line[len(_MARK):])


def run(ctx) -> dict:
    args = ctx.args
    prompt_tokens, new_tokens = max(args.prompt_tokens), args.new_tokens
    result: dict[str, Any] = {"fp32": measure(ctx.source, ctx.device, False, prompt_tokens, new_tokens)}
    fast = measure(ctx.source, ctx.device, True, prompt_tokens, new_tokens)
    result["fast"] = fast if fast["fast"] else None  # the fast mode exists on the CPU only
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aigc_desktop.bench.memory")
    parser.add_argument("--model", required=True)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--fast", action="store_true")
    parser.add_argument("--prompt-tokens", type=int, default=512)
    parser.add_argument("--new-tokens", type=int, default=64)
    args = parser.parse_args(argv)
    figures = probe(args.model, args.device, args.fast, args.prompt_tokens, args.new_tokens)
    print(_MARK + json.dumps(figures), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
