"""Section `quit`: Quit while a continuation streams -> the process has exited, with the CPUs busy.

README promises under 2 s. Each repeat is a fresh app process (quit_probe.py); meanwhile one
busy-looping process per CPU core competes for the machine, as other programs would.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time

from .stats import summary

_MARK = "AIGC_BENCH_QUIT"
PROMISE_S = 2.0


def _spin(stop_at: float) -> None:
    while time.time() < stop_at:
        pass


def quit_once(source: str, device: str, load: bool, timeout_s: float = 600) -> dict:
    spinners = []
    if load:
        stop_at = time.time() + timeout_s
        spinners = [multiprocessing.Process(target=_spin, args=(stop_at,), daemon=True)
                    for _ in range(os.cpu_count() or 1)]
        for spinner in spinners:
            spinner.start()
    try:
        with tempfile.TemporaryDirectory(prefix="aigc-bench-quit-") as home:
            env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("AIGC_BENCH_QPA", "offscreen"),
                   "XDG_CONFIG_HOME": home, "HF_HUB_OFFLINE": "1"}
            command = [sys.executable, "-m", "aigc_desktop.bench.quit_probe", "--model", source, "--device", device]
            done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout_s)
            exited = time.time()
    finally:
        for spinner in spinners:
            spinner.terminate()
    lines = {x.split(" ", 1)[0]: json.loads(x.split(" ", 1)[1]) for x in done.stdout.splitlines()
             if x.startswith(_MARK)}
    marks = lines.get("AIGC_BENCH_QUIT")
    if marks is None:
        end = lines.get("AIGC_BENCH_QUIT_END", {})
        raise RuntimeError(f"the quit probe did not stream (exit {done.returncode}): "
                           f"{end.get('error') or done.stderr.strip()[-800:]}")
    return {"quit_s": exited - marks["quit_asked"], "streaming": marks["streaming"], "exit_code": done.returncode}


def run(ctx) -> dict:
    args = ctx.args
    idle = [quit_once(ctx.source, ctx.device, load=False) for _ in range(args.repeats)]
    loaded = [quit_once(ctx.source, ctx.device, load=True) for _ in range(args.repeats)]
    return {
        "quit_idle_s": summary(r["quit_s"] for r in idle),
        "quit_under_load_s": summary(r["quit_s"] for r in loaded),
        "busy_processes": os.cpu_count() or 1,
        "all_quit_while_streaming": all(r["streaming"] for r in idle + loaded),
        "clean_exit": all(r["exit_code"] == 0 for r in idle + loaded),
        "promise_s": PROMISE_S,
    }
