"""The editor while a style trains: GUI heartbeat, and Continue beside the training.

    python -m aigc_desktop.bench.style_while_training --model SmolLM2-135M-Instruct.Q4_1.gguf \\
        --corpus botchan.txt --json while-training.json

As the product runs it: one offscreen MainWindow with its real worker thread
(bench/editor.py's EditorSession), the writer's text in the document, and
Generate → Learn a Style… started from the real dialog, which loads its own copy
of the model and trains in a child process. Measured in one run, in
this order, so drift shows up as a difference between the two idle phases:

    idle       heartbeat with nothing running, then Continue on each prompt
    training   the same heartbeat and the same Continues while the style trains
    idle again after Cancel, the same once more

Heartbeat: a 5 ms timer on the GUI thread; its gaps' p99 is the goal (≤ 20 ms).
Styles go to a temporary data folder: the user's own are neither read nor changed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from .editor import EditorSession, Heartbeat
from .stats import summary
from .style_learning import _cpu_flags, _first_words, _gutenberg_body, print_result


def _prompts(text: str, count: int, words: int) -> list[str]:
    """count different prompts of `words` words from text (different, so no prefix is reused between them)."""
    tokens = text.split()
    return [" ".join(tokens[i * words:(i + 1) * words]) for i in range(count)]


def _load_average() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def _phase(session, prompts: list[str], new_tokens: int, heartbeat_seconds: float) -> dict:
    """Heartbeat alone for heartbeat_seconds, then one Continue per prompt after the first (a warm-up)."""
    load_before = _load_average()
    idle = session.idle_heartbeat(heartbeat_seconds)
    session.continue_run(prompts[0], new_tokens)  # warm-up, not counted
    runs = [session.continue_run(prompt, new_tokens, heartbeat=True) for prompt in prompts[1:]]
    session.reject()
    during = [r["heartbeat"] for r in runs]
    return {
        "heartbeat": idle,
        "heartbeat_during_continue_p99_ms": summary(h["gap_p99_ms"] for h in during),
        "heartbeat_during_continue_max_ms": max((h["gap_max_ms"] or 0) for h in during) if during else None,
        "ttft_s": summary(r["ttft_s"] for r in runs),
        "decode_tps": summary(r["decode_tps"] for r in runs),
        "tokens": [r["tokens"] for r in runs],
        "load_average": [load_before, _load_average()],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aigc_desktop.bench.style_while_training")
    parser.add_argument("--model", required=True)
    parser.add_argument("--corpus", required=True, help="the writer's text (UTF-8): put in the document")
    parser.add_argument("--words", type=int, default=20000,
                        help="words of the corpus the style learns from (enough to train past the measurements)")
    parser.add_argument("--prompts", type=int, default=3, help="Continues per phase (each a different prompt)")
    parser.add_argument("--prompt-words", type=int, default=150)
    parser.add_argument("--new-tokens", type=int, default=32)
    parser.add_argument("--heartbeat-seconds", type=float, default=8.0)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--normal-priority", action="store_true",
                        help="train at the window's priority (for comparison: the product lowers it)")
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)

    data = tempfile.TemporaryDirectory(prefix="aigc-bench-styles-")
    os.environ["AIGC_DESKTOP_DATA_DIR"] = data.name  # before the window makes its style store
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    text = _first_words(_gutenberg_body(Path(args.corpus).read_text(encoding="utf-8-sig")), args.words)
    prompts = _prompts(text, args.prompts + 1, args.prompt_words)  # the first warms up, in each phase
    session = EditorSession(args.model, args.device)
    progress: list[tuple[float, int]] = []  # (time, step) of each progress signal, on the GUI thread
    try:
        result: dict = {"model": Path(args.model).name, "ready_s": round(session.ready_seconds, 2)}
        result["idle"] = _phase(session, prompts, args.new_tokens, args.heartbeat_seconds)

        # Learn a Style… on "this document", as a person would start it.
        session.load_document(text)

        controls = session.window.style_controls
        counting = Heartbeat()
        counting.start()
        opened = time.perf_counter()
        controls.learn()
        dialog = controls.dialog
        if dialog is None:
            raise RuntimeError("Learn a Style… did not open its dialog")
        dialog.lower_priority = not args.normal_priority
        dialog.relay.progress.connect(lambda p: progress.append((time.perf_counter(), p.step)))
        from PySide6.QtCore import QTimer

        poker = QTimer()  # the waits below re-check their conditions 20 times a second
        poker.timeout.connect(session.waiter.poke)
        dialog.document_radio.setChecked(True)
        dialog.name_edit.setText("bench")
        poker.start(50)
        if not session.waiter.wait(dialog.learn_button.isEnabled, 120):  # the words are counted in the background
            raise RuntimeError(f"the dialog does not offer Learn: {dialog.summary.text()}")
        result["dialog_counting"] = {"seconds": round(time.perf_counter() - opened, 3), "heartbeat": counting.stop()}
        beat = Heartbeat()
        beat.start()
        clicked = time.perf_counter()
        dialog.learn_button.click()
        if not session.waiter.wait(lambda: bool(progress) or not (dialog.training or dialog.starting), 600):
            raise RuntimeError("training did not start in 10 minutes")
        if not dialog.training:
            raise RuntimeError(f"training stopped: {dialog.status.text()}")
        poker.stop()
        result["training_load"] = {"seconds": round(time.perf_counter() - clicked, 2), "heartbeat": beat.stop()}
        # Wait for the first step to end, so the phase below measures steps, not the start.
        poker.start(50)
        session.waiter.wait(lambda: any(step >= 1 for _, step in progress) or not dialog.training, 600)
        poker.stop()
        first_step_at = next((t for t, step in progress if step >= 1), None)
        result["training"] = _phase(session, prompts, args.new_tokens, args.heartbeat_seconds)
        steps = [step for _, step in progress]
        result["training"]["steps_during_phase"] = (max(steps) - 1) if steps else 0
        result["training"]["first_step_s"] = round(first_step_at - clicked, 2) if first_step_at else None
        if not dialog.training:
            raise RuntimeError(f"training ended during the measurement: {dialog.status.text()}")

        stopped = time.perf_counter()
        dialog.cancel_button.click()
        poker.start(50)
        session.waiter.wait(lambda: not dialog.training, 900)
        poker.stop()
        result["cancel_s"] = round(time.perf_counter() - stopped, 2)
        result["stopped_status"] = dialog.status.text()
        result["progress_signals"] = len(progress)
        result["step_seconds"] = [round(b[0] - a[0], 1) for a, b in zip(progress, progress[1:])]
        result["training_priority"] = "normal" if args.normal_priority else "lowered"
        dialog.close()
        result["idle_again"] = _phase(session, prompts, args.new_tokens, args.heartbeat_seconds)

        import torch

        result["machine"] = {"cpus": os.cpu_count(), "torch_threads": torch.get_num_threads(), "flags": _cpu_flags(),
                             "torch": torch.__version__}
        result["settings"] = {"words": len(text.split()), "prompt_words": args.prompt_words,
                              "new_tokens": args.new_tokens, "prompts": args.prompts,
                              "heartbeat_seconds": args.heartbeat_seconds}
    finally:
        session.close()
        data.cleanup()
    print_result(result, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
