"""One thread or all of them? Prompt phase and decode speed of a gpt2-shaped model by torch thread count.

    python -m aigc_desktop.bench.threads [--prompt-tokens 512] [--new-tokens 32] [--repeats 3]

Runs alternate between thread counts, so drift on a shared machine hits both alike.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time


def measure(model, threads: int, prompt_tokens: int, new_tokens: int) -> tuple[float, float]:
    import torch

    torch.set_num_threads(threads)
    ids = torch.randint(0, model.config.vocab_size, (1, prompt_tokens))
    with torch.inference_mode():
        started = time.perf_counter()
        out = model(input_ids=ids, use_cache=True, logits_to_keep=1)
        prompt_seconds = time.perf_counter() - started
        cache, token = out.cache, out.logits[:, -1:].argmax(-1)
        started = time.perf_counter()
        for _ in range(new_tokens):
            out = model(input_ids=token, cache=cache, use_cache=True, logits_to_keep=1)
            cache, token = out.cache, out.logits[:, -1:].argmax(-1)
        return prompt_seconds, new_tokens / (time.perf_counter() - started)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aigc_desktop.bench.threads")
    parser.add_argument("--prompt-tokens", type=int, default=512)
    parser.add_argument("--new-tokens", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(0)
    model = GPT2LMHeadModel(GPT2Config()).eval()
    counts = sorted({1, max(1, (os.cpu_count() or 1) - 1), os.cpu_count() or 1})
    measure(model, counts[-1], 32, 4)  # warm-up
    results = {n: [] for n in counts}
    for _ in range(args.repeats):
        for n in counts:
            results[n].append(measure(model, n, args.prompt_tokens, args.new_tokens))
    print(f"gpt2-shaped, {args.prompt_tokens}-token prompt, {args.new_tokens} new tokens, "
          f"median of {args.repeats}; load average {os.getloadavg()[0]:.1f}")
    for n, runs in results.items():
        prompt_ms = 1000 * statistics.median(r[0] for r in runs)
        speed = statistics.median(r[1] for r in runs)
        print(f"{n} thread(s): prompt {prompt_ms:.0f} ms, decode {speed:.1f} tok/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
