"""`aigc-desktop learn`: learn a writer's style from their files, printing progress and the evaluation.

    aigc-desktop learn --model DIR_OR_GGUF --name "My voice" drafts/ notes.md [--minutes 10]

Ctrl+C stops at the next step and keeps a checkpoint: the same command resumes.
"""

from __future__ import annotations

import signal
import sys

from .arguments import PROG, Parser, finite_number
from .engine import EngineError, StopFlag
from .engine.quiet_libraries import quiet_transformers
from .engine.style.corpus import read_corpus
from .engine.style.store import StyleStore, check_name


def learn_parser() -> Parser:
    parser = Parser(prog=f"{PROG} learn", description="Learn a writer's style (a LoRA adapter) from .txt/.md files.")
    parser.add_argument("--model", required=True, metavar="ID_OR_DIR", help="the local model to adapt")
    parser.add_argument("--name", required=True, help="the style's name")
    parser.add_argument("--minutes", type=finite_number, default=10.0, metavar="N", help="time limit (default 10)")
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda", "mps"))
    parser.add_argument("--replace", action="store_true", help="replace a style of the same name")
    parser.add_argument("files", nargs="+", metavar="FILE", help=".txt or .md files, or folders of them")
    return parser


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s"


def print_progress(p, out=sys.stderr) -> None:
    loss = "  -  " if p.loss is None else f"{p.loss:.3f}"
    note = f"  ({p.note})" if p.note else ""
    print(f"step {p.step}/{p.total_steps}  loss {loss}  {_clock(p.elapsed_seconds)} elapsed  "
          f"{_clock(p.seconds_left)} left{note}", file=out, flush=True)


def print_evaluation(style, evaluation, out=sys.stdout) -> None:
    print(f"Style '{style.name}' saved: {style.data['words']:,} words from {len(style.data['files'])} file(s), "
          f"{style.training['steps']} steps in {_clock(style.training['seconds'])}.", file=out)
    print(evaluation.summary(), file=out)
    for index, sample in enumerate(evaluation.samples, 1):
        print(f"\n[{index}] {sample.prompt}", file=out)
        print(f"  without the style: {sample.without_style.strip()}", file=out)
        print(f"  with the style:    {sample.with_style.strip()}", file=out)


def run_learn(argv: list[str]) -> int:
    args = learn_parser().parse_args(argv)
    err = sys.stderr
    if args.minutes <= 0:
        print(f"{PROG}: error: --minutes must be more than 0", file=err)
        return 2

    try:
        name = check_name(args.name)
        store = StyleStore()
        if store.exists(name) and not args.replace:
            raise EngineError(f"A style called '{name}' already exists; choose another name or add --replace.")
        corpus = read_corpus(args.files)
        corpus.check_enough()
    except EngineError as exc:
        print(f"{PROG}: error: {exc}", file=err)
        return 1
    print(f"Learning '{name}' from {corpus.words:,} words in {len(corpus.documents)} file(s); "
          f"at most {args.minutes:g} minutes. Ctrl+C stops and keeps a checkpoint.", file=err, flush=True)
    quiet_transformers()
    from .engine.local.loading import load_model
    from .engine.style.learn import learn_style
    from .engine.style.training import TrainingSettings

    stop = StopFlag()
    previous = signal.signal(signal.SIGINT, lambda *_: stop.request_stop())
    try:
        loaded = load_model(args.model, args.device)
        outcome = learn_style(loaded, corpus, name, store, TrainingSettings(minutes=args.minutes), stop,
                              print_progress, replace=args.replace)
    except EngineError as exc:
        print(f"{PROG}: error: {exc}", file=err)
        return 1
    finally:
        signal.signal(signal.SIGINT, previous)
    if outcome.style is None:
        print(f"Stopped at step {outcome.training.steps}; the checkpoint is kept: run the same command again "
              "to resume.", file=err)
        return 130
    print_evaluation(outcome.style, outcome.evaluation)
    return 0
