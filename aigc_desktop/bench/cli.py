"""`aigc-desktop bench`: options, running the chosen sections, the table and the JSON file.

    aigc-desktop bench --gpt2-shaped small --tokenizer DIR --repeats 3 --json bench.json
    aigc-desktop bench --model DIR --only decode,prefix
    aigc-desktop bench --server http://127.0.0.1:8080      (the `server` section: an inference server)
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import json
import os
import platform
import sys
import time
import traceback

from ..arguments import Parser, non_negative_int, positive_int  # the same rules as `continue`
from ..engine.quiet_libraries import quiet_transformers
from . import report
from .context import BenchContext
from .models import SHAPES, gpt2_shaped_folder, parse_overrides

PROG = "aigc-desktop bench"

# Section name -> module; run in this order.
SECTIONS = {
    "decode": "decode",
    "responsiveness": "responsiveness",
    "stop": "stop",
    "startup": "startup",
    "quit": "quit",
    "memory": "memory",
    "speed": "speed",
    "large_document": "large_document",
    "peers": "peers",
    "prefix": "prefix",
    "bandwidth": "bandwidth",
    "server": "server",
}
SERVER_SECTIONS = ("server",)  # the sections that measure an inference server; the rest need a local model


def _int_list(text: str) -> list[int]:
    try:
        values = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a comma-separated list of whole numbers") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' must list numbers of 1 or more")
    return values




def _sections(text: str) -> list[str]:
    names = [x.strip() for x in text.split(",") if x.strip()]
    unknown = [n for n in names if n not in SECTIONS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown section(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(SECTIONS)}")
    return names


def bench_parser() -> argparse.ArgumentParser:
    parser = Parser(prog=PROG, description=(
        "Measure the editor's own paths on this machine: decode speed and time to first token (raw "
        "generate, engine, editor), GUI responsiveness, Stop latency, start-up, memory, fast CPU mode, a "
        "large document, prefix reuse and the memory-bandwidth bound. Each figure is the median of the "
        "repeats (min-max); comparisons are ratios of runs made in turn."))
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--model", metavar="ID_OR_DIR", help="a model folder or Hugging Face id (already downloaded)")
    source.add_argument("--gpt2-shaped", choices=tuple(SHAPES), metavar="|".join(SHAPES),
                        help="a randomly initialised GPT-2 of that published shape (needs --tokenizer)")
    source.add_argument("--server", metavar="URL",
                        help="an OpenAI-compatible inference server to measure instead (the `server` section)")
    parser.add_argument("--remote-model", metavar="NAME", help="with --server: the server's model (default: its first)")
    parser.add_argument("--api-key-env", metavar="VAR", help="with --server: the variable holding the API key")
    parser.add_argument("--tokenizer", metavar="DIR", help="the GPT-2 tokenizer folder for --gpt2-shaped")
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda", "mps"))
    parser.add_argument("--prompt-tokens", type=_int_list, default=[32, 512], metavar="N,N",
                        help="prompt lengths in tokens (default 32,512)")
    parser.add_argument("--new-tokens", type=positive_int, default=64, metavar="N")
    parser.add_argument("--repeats", type=positive_int, default=3, metavar="N")
    parser.add_argument("--json", metavar="FILE", help="also write every figure to this JSON file")
    parser.add_argument("--only", type=_sections, default=None, metavar="SECTION,...",
                        help=f"run only these sections: {', '.join(SECTIONS)} (default: all but server; "
                             "with --server: server)")
    hidden = argparse.SUPPRESS  # sizes for fast tests and special runs
    parser.add_argument("--warmup", type=non_negative_int, default=1, help=hidden)
    parser.add_argument("--heartbeat-tokens", type=positive_int, default=256, help=hidden)
    parser.add_argument("--large-doc-bytes", type=positive_int, default=5_000_000, help=hidden)
    parser.add_argument("--copy-mb", type=positive_int, default=512, help=hidden)
    parser.add_argument("--shape-override", default=None, help=hidden)
    parser.add_argument("--gguf", default=None, help=hidden)
    parser.add_argument("--quality-model", metavar="DIR_OR_GGUF",
                        help="a real model for the fast mode's quality gate (default: the measured model)")
    return parser


def machine_facts() -> dict:
    import torch

    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    import transformers

    return {
        "cpu": cpu,
        "cpu_flags": cpu_flags(),
        "cores": os.cpu_count(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "transformers": transformers.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
    }


def cpu_flags() -> str:
    """The vector extensions that decide which kernels win (AVX2 vs AVX-512 vs AMX change the answer)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            flags = next((line.split(":", 1)[1].split() for line in f if line.startswith("flags")), [])
    except OSError:
        return "unknown"
    wanted = ("avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "avx_vnni", "amx_tile", "amx_int8")
    return " ".join(flag for flag in wanted if flag in flags) or "none of avx2/avx512/amx"


def _load() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def main(argv: list[str] | None = None) -> int:
    args = bench_parser().parse_args(argv)
    err = sys.stderr
    if args.gpt2_shaped and not args.tokenizer:
        print(f"{PROG}: error: --gpt2-shaped needs --tokenizer DIR (the real GPT-2 tokenizer files)", file=err)
        return 2
    if (args.remote_model or args.api_key_env) and not args.server:
        print(f"{PROG}: error: --remote-model and --api-key-env need --server URL", file=err)
        return 2
    if args.only is None:
        args.only = list(SERVER_SECTIONS) if args.server else [n for n in SECTIONS if n not in SERVER_SECTIONS]
    local = [n for n in args.only if n not in SERVER_SECTIONS]
    if args.server and local:
        print(f"{PROG}: error: section(s) {', '.join(local)} measure a local model; with --server only "
              f"{', '.join(SERVER_SECTIONS)} runs", file=err)
        return 2
    if not args.server and not local:
        print(f"{PROG}: error: the server section needs --server URL", file=err)
        return 2
    try:
        overrides = parse_overrides(args.shape_override)
    except ValueError as exc:
        print(f"{PROG}: error: --shape-override: {exc}", file=err)
        return 2

    quiet_transformers()
    if args.server:
        source = args.server
    elif args.gpt2_shaped:
        print(f"Preparing a random gpt2-shaped {args.gpt2_shaped} model...", file=err, flush=True)
        try:
            source = str(gpt2_shaped_folder(args.gpt2_shaped, args.tokenizer, overrides))
        except (OSError, ValueError) as exc:
            print(f"{PROG}: error: {exc}", file=err)
            return 2
    else:
        from ..engine.local.loading import DEFAULT_MODEL

        source = args.model or DEFAULT_MODEL


    meta = {
        "command": " ".join(["aigc-desktop", "bench", *(argv if argv is not None else sys.argv[1:])]),
        "started": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "model": args.model or (f"gpt2-shaped {args.gpt2_shaped}" if args.gpt2_shaped else source),
        "server": args.server,
        "model_folder": source,
        "tokenizer": args.tokenizer,
        "device": args.device,
        "prompt_tokens": args.prompt_tokens,
        "new_tokens": args.new_tokens,
        "repeats": args.repeats,
        "warmup": args.warmup,
        "sections": args.only,
        "load_average_start": _load(),
        **machine_facts(),
    }
    ctx = BenchContext(args, source)
    results: dict[str, dict] = {}
    failed = False
    try:
        if args.server:
            meta["model"], meta["resolved_device"] = ctx.backend.name, ctx.backend.device_label
            meta["window"] = ctx.backend.window
        else:
            meta["resolved_device"] = str(ctx.loaded.device)
            meta["window"] = ctx.loaded.window
        for name in (n for n in SECTIONS if n in args.only):
            print(f"[{name}] ...", file=err, flush=True)
            started = time.perf_counter()
            try:
                module = importlib.import_module(f".{SECTIONS[name]}", __package__)
                results[name] = module.run(ctx)
            except Exception as exc:  # one broken section must not lose the others' figures
                failed = True
                traceback.print_exc(file=err)
                results[name] = {"error": f"{type(exc).__name__}: {exc}"}
            results[name]["section_seconds"] = time.perf_counter() - started
    except Exception as exc:
        print(f"{PROG}: error: {exc}", file=err)
        return 1
    finally:
        ctx.close()
    meta["load_average_end"] = _load()
    rows = report.table_rows(results)
    goals = report.goals(results)
    print(report.render(meta, rows, goals))
    if args.json:
        document = {"meta": meta, "results": results, "table": rows, "goals": goals}
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(document, f, indent=2, ensure_ascii=False)
            f.write("\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
