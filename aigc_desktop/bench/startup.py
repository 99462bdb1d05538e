"""Section `startup`: process start -> main window shown -> model ready, for the real app.

Each repeat is a fresh Python process (startup_probe.py runs app.run_editor with
the bench's model), with its own throwaway settings folder. Times count from
just before the process is spawned, so the interpreter's own start-up is in.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

from .stats import summary

_MARK = "AIGC_BENCH_STARTUP "


def probe_once(source: str, device: str, timeout_s: float = 600) -> dict:
    with tempfile.TemporaryDirectory(prefix="aigc-bench-startup-") as home:
        env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("AIGC_BENCH_QPA", "offscreen"),
               "XDG_CONFIG_HOME": home, "HF_HUB_OFFLINE": "1"}
        command = [sys.executable, "-m", "aigc_desktop.bench.startup_probe", "--model", source, "--device", device]
        spawned = time.time()
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout_s)
        ended = time.time()
    line = next((x for x in done.stdout.splitlines() if x.startswith(_MARK)), None)
    if line is None:
        raise RuntimeError(f"the start-up probe failed (exit {done.returncode}): {done.stderr.strip()[-800:]}")
    marks = json.loads(line[len(_MARK):])
    if "error" in marks:
        raise RuntimeError(f"the start-up probe could not load the model: {marks['error']}")
    return {
        "python_ready_s": marks["probe_module_loaded"] - spawned,
        "window_shown_s": marks["shown"] - spawned,
        "model_ready_s": marks["model_ready"] - spawned,
        "model_load_s": marks["model_load_seconds"],
        "torch_imported_when_shown": marks["torch_imported_when_shown"],
        "process_s": ended - spawned,
    }


def run(ctx) -> dict:
    args = ctx.args
    for _ in range(args.warmup):
        probe_once(ctx.source, ctx.device)  # the first start reads files from disk; later ones from cache
    runs = [probe_once(ctx.source, ctx.device) for _ in range(args.repeats)]
    return {
        "window_shown_s": summary(r["window_shown_s"] for r in runs),
        "model_ready_s": summary(r["model_ready_s"] for r in runs),
        "python_ready_s": summary(r["python_ready_s"] for r in runs),
        "model_load_s": summary(r["model_load_s"] for r in runs),
        "torch_imported_before_shown": any(r["torch_imported_when_shown"] for r in runs),
    }
