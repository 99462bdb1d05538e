"""The GGUF copy's number type, measured: what rounding the dequantised weights to fp16 or bf16 changes.

    python -m aigc_desktop.bench.gguf_cache --model SmolLM2-135M-Instruct.Q4_1.gguf [--tokens 64]

Loads the file dequantised to fp32 (the reference), rounds every matrix to fp16 and to bf16 as a
copy would keep them, and compares with the reference: perplexity of the prose passage
(teacher-forced), top-1 agreement on it, and greedy continuations of the short openers (identical,
and the shared prefix). A quantised file's values (4 bits and a scale per block of 32) are not all
exactly representable in fp16: this says whether that matters.
"""

from __future__ import annotations

import argparse
import copy
import math
from pathlib import Path

from .prompts import PASSAGE
from .repetition import OPENERS


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aigc_desktop.bench.gguf_cache")
    parser.add_argument("--model", required=True, help="a .gguf file")
    parser.add_argument("--tokens", type=int, default=64, help="greedy tokens per opener")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)


    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.set_num_threads(args.threads)
    path = Path(args.model).resolve()
    common = dict(trust_remote_code=False, local_files_only=True, gguf_file=path.name)
    # transformers' own dequantisation to fp32, not the engine's copy (which is what is being measured)
    tokenizer = AutoTokenizer.from_pretrained(str(path.parent), **common)
    reference = AutoModelForCausalLM.from_pretrained(str(path.parent), dtype=torch.float32, **common).eval()
    ids = tokenizer(PASSAGE, return_tensors="pt").input_ids

    def perplexity(model):
        with torch.no_grad():
            logits = model(ids).logits[0, :-1]
        return math.exp(torch.nn.functional.cross_entropy(logits, ids[0, 1:]).item()), logits.argmax(-1)

    def greedy(model, text):
        prompt = tokenizer(text, return_tensors="pt").input_ids
        with torch.no_grad():
            out = model.generate(prompt, max_new_tokens=args.tokens, do_sample=False,
                                 pad_token_id=tokenizer.eos_token_id)
        return out[0, prompt.shape[1]:].tolist()

    base, base_top = perplexity(reference)
    base_greedy = [greedy(reference, text) for text in OPENERS]
    print(f"{args.model}: {ids.shape[1]} tokens of prose; fp32 perplexity {base:.3f}")
    for dtype in (torch.float16, torch.bfloat16):
        model = copy.deepcopy(reference)
        with torch.no_grad():
            for parameter in model.parameters():
                if parameter.dim() >= 2:
                    parameter.copy_(parameter.to(dtype).float())
        value, top = perplexity(model)
        runs = [greedy(model, text) for text in OPENERS]
        same = sum(a == b for a, b in zip(runs, base_greedy))
        shared = [next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
                  for a, b in zip(runs, base_greedy)]
        print(f"{str(dtype).removeprefix('torch.')}: perplexity {value:.3f} ({100 * (value / base - 1):+.3f}%), "
              f"top-1 agreement {100 * (top == base_top).float().mean().item():.2f}%, greedy identical "
              f"{same}/{len(OPENERS)}, the others share their first {sorted(n for n in shared if n < args.tokens)} "
              f"of {args.tokens} tokens")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
