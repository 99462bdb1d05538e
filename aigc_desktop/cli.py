"""Command line: `aigc-desktop [FILE]` opens the editor; sub-commands work without a window.

    aigc-desktop continue --model DIR "Once upon a time"
    echo "今天天气真好，" | aigc-desktop continue --model DIR -
    aigc-desktop continue --server http://127.0.0.1:8080 --api-key-env MY_KEY "Once upon a time"
    aigc-desktop learn --model DIR --name "My voice" drafts/     (learn_cli.py)
    aigc-desktop continue --model DIR --style "My voice" "Once upon a time"
"""

from __future__ import annotations

import argparse
import sys

from .arguments import PROG, Parser, add_model_options, editor_parser, finite_number, non_negative_int
from .engine import ContinuationRequest, EngineError, StopFlag
from .engine.backend import open_backend, open_local
from .engine.errors import HubUnreachableError
from .engine.server.server_address import server_source
from .engine.style.store import StyleStore
from .engine.text.options import (
    DEFAULT_MODEL,
    LENGTH_MODES,
    MAX_NEW_TOKENS,
    REPETITION_PENALTY,
    SUGGESTED_NO_REPEAT_NGRAM,
    TEMPERATURE,
    TOP_K,
    TOP_P,
)


def continue_parser() -> argparse.ArgumentParser:
    parser = Parser(prog=f"{PROG} continue", description="Continue TEXT and stream the result to stdout.")
    add_model_options(parser, model_default=None)
    parser.add_argument("--style", metavar="NAME", help="a style saved by 'learn' (for a local model)")
    parser.add_argument("--top-k", type=non_negative_int, default=TOP_K.default, metavar="K")
    parser.add_argument("--top-p", type=finite_number, default=TOP_P.default, metavar="P")
    # The defaults are the editor's default preset, Balanced (tests/test_cli.py holds them equal).
    parser.add_argument("--repetition-penalty", type=finite_number, default=REPETITION_PENALTY.default, metavar="R",
                        help="1 = off; higher values repeat less (default: 1)")
    parser.add_argument("--no-repeat-ngram-size", type=non_negative_int, default=None, metavar="N",
                        help=f"never repeat a run of N tokens; 0 = off (default: {SUGGESTED_NO_REPEAT_NGRAM}, "
                             "or 0 with --server, which cannot do it)")
    parser.add_argument("--seed", type=non_negative_int, default=None, metavar="S")
    parser.add_argument("--stop", action="append", default=[], metavar="TEXT",
                        help="stop when this text is generated (repeatable)")
    parser.add_argument("--stop-at", choices=LENGTH_MODES, default="length",
                        help="stop at the end of a sentence or paragraph")
    parser.add_argument("--exact", action="store_true",
                        help="decode with the fp32 weights (greedy tokens as transformers gives them) instead of "
                             "the fast mode's int8 blocks (the default, as in the editor)")
    server = parser.add_argument_group("inference server (instead of a local model)")
    server.add_argument("--server", metavar="URL",
                        help="an OpenAI-compatible server (vLLM, llama.cpp, TGI, Ollama), e.g. http://127.0.0.1:8080")
    server.add_argument("--api-key-env", metavar="VAR", help="the environment variable holding the server's API key")
    server.add_argument("--remote-model", metavar="NAME", help="the server's model (default: the first it lists)")
    parser.add_argument("text", metavar="TEXT", help="the text to continue, or - to read stdin")
    return parser


MAX_STDIN_BYTES = 64 << 20  # far more than any context window holds


def read_stdin(err) -> str | None:
    """stdin as text; invalid UTF-8 is replaced (and said so), too much input is one line and None."""
    data = sys.stdin.buffer.read(MAX_STDIN_BYTES + 1)
    if len(data) > MAX_STDIN_BYTES:
        print(f"{PROG}: error: the text on stdin is over {MAX_STDIN_BYTES >> 20} MB", file=err)
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        print(f"{PROG}: warning: stdin is not valid UTF-8 (at byte {exc.start}); invalid bytes were replaced "
              "with U+FFFD", file=err)
        return data.decode("utf-8", errors="replace")


def run_continue(argv: list[str]) -> int:
    args = continue_parser().parse_args(argv)
    err = sys.stderr
    text = read_stdin(err) if args.text == "-" else args.text
    if text is None:
        return 2

    request = ContinuationRequest(
        context=text,
        max_new_tokens=args.max_new_tokens or MAX_NEW_TOKENS.default,
        temperature=TEMPERATURE.default if args.temperature is None else args.temperature,
        top_k=args.top_k,
        top_p=args.top_p,
        repetition_penalty=args.repetition_penalty,
        no_repeat_ngram_size=(SUGGESTED_NO_REPEAT_NGRAM if args.no_repeat_ngram_size is None and not args.server
                              else args.no_repeat_ngram_size or 0),
        seed=args.seed,
        stop_sequences=tuple(args.stop),
        stop_at=args.stop_at,
        probabilities=False,  # never shown here; a server asked for them decodes slower (llama.cpp: half speed)
    )
    try:
        request.validate()
    except ValueError as exc:
        print(f"{PROG}: error: {exc}", file=err)
        return 2
    if args.server or args.api_key_env or args.remote_model:
        if args.style:
            print(f"{PROG}: error: --style needs a local model (--model), not --server", file=err)
            return 2
        return _continue_on_server(args, request)
    from .engine.local.loading import enable_fast_mode

    def local_backend():
        try:
            # exact fp32 first: a style merges into those weights before the fast graph is built
            generator = open_local(args.model or DEFAULT_MODEL, args.device or "auto", allow_download=True)
        except HubUnreachableError as exc:  # the editor's wording names its buttons; here, the option
            raise HubUnreachableError(
                f"model '{exc.source}' is not downloaded and the Hugging Face hub cannot be reached: "
                "connect to the internet, or give a local model with --model PATH (a model folder or a .gguf file).",
                exc.source) from None
        loaded = generator.loaded
        if args.style:
            from .engine.style.apply import apply_style

            apply_style(loaded, StyleStore().get(args.style))
        enable_fast_mode(loaded, int8=not args.exact)  # after the style, so the fast graph has it merged in
        if loaded.notice:
            print(f"{PROG}: {loaded.notice}", file=err)
        return generator

    stop = StopFlag()
    return _stream_to_stdout(lambda: local_backend().stream(request, stop), stop, (EngineError, ValueError))


def _stream_to_stdout(start_run, stop, errors) -> int:
    """Print the run's text as it comes and end with a newline; an error is one line on stderr.

    start_run() makes the run (loading the model, if any) inside the same error handling.
    """
    wrote = False
    try:
        for event in start_run():
            sys.stdout.write(event.text)
            sys.stdout.flush()
            wrote = wrote or bool(event.text)
    except errors as exc:
        if wrote:
            sys.stdout.write("\n")
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        stop.request_stop()
        sys.stdout.write("\n")
        return 130
    sys.stdout.write("\n")
    return 0


def _continue_on_server(args, request) -> int:
    """`continue --server URL`: stream from an inference server; errors as one line, like the local path."""

    err = sys.stderr
    if not args.server:
        print(f"{PROG}: error: --api-key-env and --remote-model need --server URL", file=err)
        return 2
    if args.model or args.device:
        print(f"{PROG}: error: --model and --device are for a local model; with --server use --remote-model",
              file=err)
        return 2
    try:
        backend = open_backend(server_source(args.server, args.remote_model or ""), api_key_env=args.api_key_env,
                               server=True)
        stop = StopFlag()
        run = backend.stream(request, stop)
    except (EngineError, ValueError) as exc:
        print(f"{PROG}: error: {exc}", file=err)
        return 2
    warning = getattr(backend, "warning", None)  # a server reached over plain HTTP
    if warning:
        print(f"{PROG}: warning: {warning}", file=err)
    return _stream_to_stdout(lambda: run, stop, EngineError)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "continue":
        return run_continue(argv[1:])
    if argv and argv[0] == "learn":
        from .learn_cli import run_learn

        return run_learn(argv[1:])
    if argv and argv[0] == "bench":
        from .bench.cli import main as run_bench

        return run_bench(argv[1:])
    args = editor_parser().parse_args(argv)
    from .app import run_editor

    return run_editor(args)
