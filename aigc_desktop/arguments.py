"""Command-line arguments: number types, a parser whose errors are one line, and the model options.

The editor, `continue`, `learn` and `bench` all read numbers by the same rules.
"""

from __future__ import annotations

import argparse

from . import __version__
from .engine.text.options import DEVICE_CHOICES
from .resources import APP_NAME

PROG = APP_NAME
SUBCOMMANDS = ("continue", "learn", "bench")


class Parser(argparse.ArgumentParser):
    """Errors as one clear line on stderr, not a usage dump."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message}\n")


def _whole_number(text: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"'{text}' must be {minimum} or more")
    return value


def positive_int(text: str) -> int:
    return _whole_number(text, 1)


def non_negative_int(text: str) -> int:
    return _whole_number(text, 0)


def finite_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"'{text}' is not a finite number")
    return value


def add_model_options(parser: argparse.ArgumentParser, model_default) -> None:
    parser.add_argument("--model", default=model_default, metavar="ID_OR_PATH",
                        help="Hugging Face model id, a local model folder, or a .gguf file "
                             "(such as SmolLM2-135M-Instruct.Q4_1.gguf)")
    parser.add_argument("--device", default=None, choices=DEVICE_CHOICES,
                        help="where to run the model (default: auto)")
    parser.add_argument("--max-new-tokens", type=positive_int, default=None, metavar="N")
    parser.add_argument("--temperature", type=finite_number, default=None, metavar="T",
                        help="0 means greedy (always the most likely token)")


def editor_parser() -> argparse.ArgumentParser:
    parser = Parser(prog=PROG, description="A desktop editor that continues your text with a local model. "
                     f"Sub-commands: {', '.join(SUBCOMMANDS)} (see '{PROG} continue --help').")
    parser.add_argument("file", nargs="?", metavar="FILE", help="a text file to open")
    add_model_options(parser, model_default=None)
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    return parser
