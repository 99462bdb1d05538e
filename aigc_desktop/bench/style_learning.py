"""Measure style learning on a real model: training time, held-out and generic perplexity.

    python -m aigc_desktop.bench.style_learning --model SmolLM2-135M-Instruct.Q4_1.gguf \\
        --corpus botchan.txt --words 20000 --generic lee_background.cor --json style.json

The corpus is cut to --words words (after a Project Gutenberg header, if any);
generic English is a different text the style never saw: its perplexity before
and after says whether the style damaged the model.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import tempfile
import time
from pathlib import Path

from ..engine.quiet_libraries import quiet_transformers
from ..engine.style.corpus import Corpus, Document
from ..engine.style.store import StyleStore


def _gutenberg_body(text: str) -> str:
    start = re.search(r"\*\*\* ?START OF TH(IS|E) PROJECT GUTENBERG[^\n]*\n", text)
    end = re.search(r"\*\*\* ?END OF TH(IS|E) PROJECT GUTENBERG", text)
    return text[start.end() if start else 0: end.start() if end else len(text)]


def _first_words(text: str, words: int) -> str:
    matches = list(re.finditer(r"\S+", text))
    return text if len(matches) <= words else text[: matches[words - 1].end()]


def _cpu_flags() -> str:
    try:
        flags = next(line for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("flags"))
    except (OSError, StopIteration):
        return platform.processor()
    wanted = ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile")
    return " ".join(f for f in wanted if f" {f}" in flags)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aigc_desktop.bench.style_learning")
    parser.add_argument("--model", required=True)
    parser.add_argument("--corpus", required=True, help="a distinctive text (UTF-8)")
    parser.add_argument("--words", type=int, default=20000)
    parser.add_argument("--generic", required=True, help="generic English prose the style never sees")
    parser.add_argument("--generic-words", type=int, default=3000)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)

    import torch

    from ..engine.local.loading import load_model
    from ..engine.style.apply import apply_style
    from ..engine.style.evaluate import perplexity
    from ..engine.style.learn import learn_style
    from ..engine.style.training import TrainingSettings, token_blocks

    quiet_transformers()
    text = _first_words(_gutenberg_body(Path(args.corpus).read_text(encoding="utf-8-sig")), args.words)
    generic = _first_words(Path(args.generic).read_text(encoding="utf-8"), args.generic_words)
    corpus = Corpus((Document.from_text(Path(args.corpus).name, text),))
    settings = TrainingSettings(minutes=args.minutes)
    store = StyleStore(Path(tempfile.mkdtemp(prefix="style-bench-")))

    def generic_perplexity(loaded) -> float:
        blocks = token_blocks(loaded.tokenizer, [generic], settings.block_tokens, tuple(loaded.prefix_ids),
                              getattr(loaded.tokenizer, "eos_token_id", None))
        return perplexity(loaded.model, blocks)

    base = load_model(args.model, args.device)
    generic_before = generic_perplexity(base)
    last = [0.0]

    def progress(p):
        if p.elapsed_seconds - last[0] >= 30 or p.step == p.total_steps:
            last[0] = p.elapsed_seconds
            loss = "-" if p.loss is None else f"{p.loss:.3f}"
            print(f"step {p.step}/{p.total_steps} loss {loss} {p.elapsed_seconds:.0f}s "
                  f"(left {p.seconds_left:.0f}s) {p.note}", file=sys.stderr, flush=True)

    started = time.perf_counter()
    outcome = learn_style(base, corpus, "bench", store, settings, progress=progress)
    learn_seconds = time.perf_counter() - started
    ev = outcome.evaluation
    if outcome.style is None or ev is None:  # cancelled: the bench never cancels
        raise RuntimeError("style learning ended without a style")
    styled = load_model(args.model, args.device)
    apply_style(styled, outcome.style)
    generic_after = generic_perplexity(styled)
    result = {
        "model": Path(args.model).name, "corpus": Path(args.corpus).name, "words": corpus.words,
        "train_tokens": outcome.style.data["train_tokens"], "held_out_tokens": ev.held_out_tokens,
        "settings": settings.to_dict(), "steps": outcome.training.steps, "total_steps": outcome.training.total_steps,
        "training_minutes": round(outcome.training.seconds / 60, 2),
        "learn_minutes_with_evaluation": round(learn_seconds / 60, 2),
        "held_out_perplexity": [round(ev.perplexity_before, 2), round(ev.perplexity_after, 2),
                                f"{ev.change:+.1%}"],
        "generic_perplexity": [round(generic_before, 2), round(generic_after, 2),
                               f"{generic_after / generic_before - 1:+.1%}"],
        "first_loss": outcome.training.losses[0], "last_loss": outcome.training.losses[-1],
        "samples": [vars(s) for s in ev.samples],
        "machine": {"cpus": os.cpu_count(), "torch_threads": torch.get_num_threads(), "flags": _cpu_flags(),
                    "torch": torch.__version__},
    }
    print_result(result, args.json)
    return 0


def print_result(result: dict, json_path: str | None) -> None:
    """The run's figures on stdout, and in the --json file when one is asked for."""
    text = json.dumps(result, indent=1, ensure_ascii=False)
    print(text)
    if json_path:
        Path(json_path).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
