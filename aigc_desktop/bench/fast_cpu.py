"""Section `int8`: fast CPU mode (load_model(..., int8=True)) against fp32, both through the engine.

Speed: decode tokens/s and time to first token, runs alternating fp32, int8, ...
Agreement: int8's greedy choice at each position of fp32's greedy continuation,
teacher-forced (int8 reads fp32's tokens, so one early difference does not
spoil the rest), and the free-running prefix the two greedy runs share.
"""

from __future__ import annotations

from .decode import engine_run
from .stats import alternate, fields, ratios


def teacher_forced_agreement(lm_int8, prompt_ids: list[int], reference: list[int]) -> float | None:
    """Fraction of positions where int8's argmax equals fp32's greedy token, given fp32's prefix."""
    import torch

    if not reference:
        return None
    ids = torch.tensor([prompt_ids + reference[:-1]], dtype=torch.long, device=lm_int8.device)
    with torch.inference_mode():
        logits = lm_int8.model(input_ids=ids, use_cache=False).logits[0]
    chosen = logits[len(prompt_ids) - 1:].argmax(dim=-1).tolist()
    return sum(a == b for a, b in zip(chosen, reference)) / len(reference)


def prefix_agreement(a: list[int], b: list[int]) -> float | None:
    if not a:
        return None
    same = 0
    for x, y in zip(a, b):
        if x != y:
            break
        same += 1
    return same / len(a)


def run(ctx) -> dict:
    from ..engine.backend import as_backend
    from ..engine.generator import Generator
    from ..engine.loading import load_model

    args = ctx.args
    fp32 = ctx.backend
    if fp32.loaded.device.type != "cpu":
        return {"available": False, "reason": "fast CPU mode (int8) exists on the CPU only"}
    lm_int8 = load_model(ctx.source, ctx.device, allow_download=False, int8=True)
    int8 = as_backend(Generator(lm_int8))
    int8.warm_up()
    n = args.new_tokens
    result = {"available": True, "new_tokens": n, "prompts": {},
              "agreement_method": "teacher-forced on fp32's greedy tokens; free-running shared prefix also given"}
    for size in ctx.prompt_sizes(n):
        prompt = ctx.prompt(size)
        runs = alternate({"fp32": lambda: engine_run(fp32, prompt.text, n),
                          "int8": lambda: engine_run(int8, prompt.text, n)}, args.repeats, warmup=args.warmup)
        reference = runs["fp32"][-1]["ids"]
        result["prompts"][str(prompt.tokens)] = {
            "fp32": fields(runs["fp32"], "ttft_s", "decode_tps"),
            "int8": fields(runs["int8"], "ttft_s", "decode_tps"),
            "int8_over_fp32_decode": ratios(runs["int8"], runs["fp32"], "decode_tps"),
            "int8_over_fp32_ttft": ratios(runs["int8"], runs["fp32"], "ttft_s"),
            "agreement_teacher_forced": teacher_forced_agreement(lm_int8, prompt.ids, reference),
            "agreement_free_running_prefix": prefix_agreement(reference, runs["int8"][-1]["ids"]),
        }
    return result
