"""Section `peers`: a llama.cpp row, when llama-cpp-python is installed and a GGUF file is given.

The bench never installs anything: without llama_cpp the row says so.
"""

from __future__ import annotations

import importlib.util
import time

from .stats import summary


def run(ctx) -> dict:
    if importlib.util.find_spec("llama_cpp") is None:
        return {"llama_cpp": "not installed"}
    gguf = ctx.args.gguf
    if not gguf:
        return {"llama_cpp": "installed; no GGUF file given (--gguf FILE)"}
    from llama_cpp import Llama

    llm = Llama(model_path=gguf, n_ctx=2048, verbose=False)
    n = ctx.args.new_tokens
    prompts = {}
    for size in ctx.prompt_sizes(n):
        prompt = ctx.prompt(size)
        runs = []
        for round_ in range(ctx.args.warmup + ctx.args.repeats):
            llm.reset()
            started = time.perf_counter()
            first = None
            count = 0
            for _ in llm.create_completion(prompt.text, max_tokens=n, temperature=0, stream=True):
                count += 1
                if first is None:
                    first = time.perf_counter()
            ended = time.perf_counter()
            if round_ >= ctx.args.warmup:
                runs.append({"ttft_s": first - started if first else None,
                             "decode_tps": (count - 1) / (ended - first) if first and count > 1 else None})
        prompts[str(prompt.tokens)] = {"ttft_s": summary(r["ttft_s"] for r in runs),
                                       "decode_tps": summary(r["decode_tps"] for r in runs)}
    return {"llama_cpp": "measured", "gguf": gguf, "prompts": prompts}
