"""Section `speed`: every decoding path side by side, llama.cpp beside them, and the fast mode's quality gate.

Rows, alternating in one process (A, B, C, ... per round), greedy, the same prompt ids:
  generate      transformers `model.generate`, fp32 (the reference)
  exact         the engine on the transformers model, fp32, one candidate
  fast_fp32     the engine on the fast runtime's graph with fp32 weights
  fast          the engine on the fast runtime, int8 weights and activations in blocks of 16
  default       what the editor does by default: fast mode, 3 candidates; the first streams
                alone (its decode rate), the others are made after it (their time is given)
  llama_f32, llama_q8_0   llama.cpp through llama-cpp-python, when installed (bench/peers.py)

The quality gate runs on a real model (--quality-model, e.g. the SmolLM2 GGUF): perplexity of
the fast mode over fp32 on 512 tokens of prose, and teacher-forced top-1 agreement with fp32,
beside llama.cpp q8_0's agreement on the same model when llama.cpp is here.
"""

from __future__ import annotations

import dataclasses
import math
import time
from typing import Any

from ..engine.text.request import ContinuationRequest
from . import gguf_export, peers
from .decode import engine_run, raw_generate
from .prompts import rotated_passage
from .stats import alternate, fields, ratios

QUALITY_TOKENS = 512
PPL_LIMIT = 0.01  # the fast mode's perplexity may be at most 1% above fp32's


def _default_run(generator, text: str, new_tokens: int) -> dict:
    """The editor's default: the first of 3 candidates streams; then the other two are made."""

    generator.reset_cache()
    run = generator.stream(ContinuationRequest(context=text, max_new_tokens=new_tokens, temperature=0, alternatives=3))
    for _ in run:
        pass
    started = time.perf_counter()
    others = run.make_alternatives()
    return {"ttft_s": run.first_token_seconds, "decode_tps": run.tokens_per_second or None,
            "tokens": len(run.new_token_ids), "others_s": time.perf_counter() - started,
            "others": len(others), "ids": list(run.new_token_ids)}


def llama_pair(source: str, threads: int) -> dict:
    """llama.cpp handles for f32 and q8_0 GGUF files of the same weights as `source`.

    A GGUF source is requantised by llama.cpp's own quantizer; a GPT-2 folder is exported.
    """

    if not peers.llama_available():
        raise RuntimeError("llama-cpp-python is not installed (pip install llama-cpp-python)")
    if source.lower().endswith(".gguf"):
        files = {q: gguf_export.requantize_gguf(source, q, threads) for q in ("f32", "q8_0")}
    else:
        files = {q: gguf_export.export_gpt2(source, q) for q in ("f32", "q8_0")}
    return {q: peers.open_llama(str(path), threads) for q, path in files.items()}


def _llama_sides(ctx, lm) -> tuple[dict, dict]:
    """llama.cpp handles (f32 and q8_0 GGUF of the same weights), or why there are none."""
    try:
        handles = llama_pair(ctx.source, threads=_threads())
    except Exception as exc:  # not installed, or the export failed: the row says why
        return {}, {"llama_cpp": f"{type(exc).__name__}: {exc}"}
    return handles, {"llama_cpp": "measured", **{f"gguf_{k}": v.path for k, v in handles.items()}}


def _threads() -> int:
    import torch

    return torch.get_num_threads()


def run(ctx) -> dict:
    from ..engine.local.fast.runtime import open_fast_session
    from ..engine.local.generator import Generator

    args = ctx.args
    lm = ctx.loaded
    if lm.device.type != "cpu":
        return {"available": False, "reason": "the fast runtime and llama.cpp rows are measured on the CPU"}
    n = args.new_tokens
    started = time.perf_counter()
    fast_session = open_fast_session(lm.model, bits=8)
    fast_prepare_s = time.perf_counter() - started
    fast32_session = open_fast_session(lm.model, bits=None, use_disk=False)
    engines = {
        "exact": Generator(lm),
        "fast_fp32": Generator(dataclasses.replace(lm, fast=fast32_session)),
        "fast": Generator(dataclasses.replace(lm, fast=fast_session)),
    }
    for engine in engines.values():
        engine.warm_up()
    llama, llama_info = _llama_sides(ctx, lm)
    result: dict[str, Any] = {"available": True, "new_tokens": n, "threads": _threads(), "fast_prepare_s": fast_prepare_s,
              **llama_info, "prompts": {}}
    for size in ctx.prompt_sizes(n):
        prompt = ctx.prompt(size)
        sides = {
            "generate": lambda p=prompt: raw_generate(lm, p.ids, n),
            **{name: (lambda e=e, p=prompt: engine_run(e, p.text, n)) for name, e in engines.items()},
            "default": lambda p=prompt: _default_run(engines["fast"], p.text, n),
        }
        for kind, handle in llama.items():
            sides[f"llama_{kind}"] = lambda h=handle, p=prompt: _llama_run(h, p.ids, n)
        runs = alternate(sides, args.repeats, warmup=args.warmup)
        entry: dict[str, Any] = {name: fields(r, "ttft_s", "decode_tps") for name, r in runs.items()}
        entry["default"]["others_s"] = fields(runs["default"], "others_s")["others_s"]
        reference = runs["generate"][-1]["ids"]
        entry["exact_same_tokens_as_generate"] = all(r["ids"] == reference for r in runs["exact"])
        entry["fast_fp32_same_tokens_as_generate"] = all(r["ids"] == reference for r in runs["fast_fp32"])
        entry["fast_free_running_shared_prefix"] = _shared_prefix(reference, runs["fast"][-1]["ids"])
        base = "llama_q8_0" if "llama_q8_0" in runs else None
        for name in ("exact", "fast_fp32", "fast", "default"):
            entry[f"{name}_over_generate_decode"] = ratios(runs[name], runs["generate"], "decode_tps")
        if base:
            for name in ("fast", "default"):
                entry[f"{name}_over_llama_q8_0_decode"] = ratios(runs[name], runs[base], "decode_tps")
                entry[f"{name}_over_llama_q8_0_ttft"] = ratios(runs[name], runs[base], "ttft_s")
        if "llama_f32" in runs:
            for name in ("exact", "fast_fp32"):
                entry[f"{name}_over_llama_f32_decode"] = ratios(runs[name], runs["llama_f32"], "decode_tps")
                entry[f"{name}_over_llama_f32_ttft"] = ratios(runs[name], runs["llama_f32"], "ttft_s")
        entry["default_over_fast_decode"] = ratios(runs["default"], runs["fast"], "decode_tps")
        result["prompts"][str(prompt.tokens)] = entry
    result["quality"] = quality_gate(args.quality_model or ctx.source, llama if not args.quality_model else None)
    return result


def _llama_run(handle, ids: list[int], n: int) -> dict:
    measured = peers.llama_timed_run(handle, ids, n)
    return {"ttft_s": measured["ttft_s"], "decode_tps": measured["decode_tps"], "ids": measured.get("tokens", [])}


def _shared_prefix(a: list[int], b: list[int]) -> float | None:
    if not a:
        return None
    same = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return same / len(a)


def quality_text(tokenizer, tokens: int = QUALITY_TOKENS) -> list[int]:
    """`tokens` tokens of English prose (the bench's passage, its paragraphs in several orders)."""
    text = "\n\n".join(rotated_passage(k) for k in range(8))
    ids = tokenizer.encode(text, add_special_tokens=False)
    return ids[:tokens]


def teacher_forced_logits(step, ids: list[int]):
    """Logits [len(ids), vocab] from feeding ids one at a time to step(token) (a decoding step)."""
    import numpy as np

    return np.stack([np.array(step(token), dtype=np.float32) for token in ids])


def perplexity_and_top1(logits, ids: list[int]) -> tuple[float, list[int]]:
    import numpy as np

    shifted = logits[:-1].astype(np.float64)
    peak = shifted.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(shifted - peak).sum(axis=1)) + peak[:, 0]
    nll = log_norm - shifted[np.arange(len(ids) - 1), ids[1:]]
    return float(math.exp(nll.mean())), shifted.argmax(axis=1).tolist()


def quality_gate(source: str, llama: dict | None) -> dict:
    """Perplexity and teacher-forced top-1 agreement: fast (int8 blocks) vs fp32, and llama.cpp q8_0 vs fp32."""
    import numpy as np
    import torch

    from ..engine.local.fast.runtime import open_fast_session
    from ..engine.local.loading import load_model

    lm = load_model(source, "cpu", allow_download=False)
    ids = quality_text(lm.tokenizer, min(QUALITY_TOKENS, lm.window))
    with torch.inference_mode():
        fp32 = lm.model(torch.tensor([ids])).logits[0].float().numpy()
    fast = open_fast_session(lm.model, bits=8).cache()
    fast_logits = teacher_forced_logits(lambda t: fast.forward(np.array([[t]]))[0], ids)
    ppl_fp32, top_fp32 = perplexity_and_top1(fp32, ids)
    ppl_fast, top_fast = perplexity_and_top1(fast_logits, ids)
    result = {
        "model": lm.name, "tokens": len(ids),
        "perplexity_fp32": ppl_fp32, "perplexity_fast": ppl_fast,
        "perplexity_fast_over_fp32": ppl_fast / ppl_fp32 - 1,
        "top1_fast_vs_fp32": float(np.mean(np.array(top_fast) == np.array(top_fp32))),
    }
    try:
        from . import peers

        if llama is None:
            llama = llama_pair(source, threads=_threads())
        q8 = llama.get("q8_0") if llama else None
        if q8 is not None:
            q8_logits = peers.llama_teacher_forced(q8, ids)
            ppl_q8, top_q8 = perplexity_and_top1(q8_logits, ids)
            result.update({"perplexity_llama_q8_0": ppl_q8,
                           "top1_llama_q8_0_vs_fp32": float(np.mean(np.array(top_q8) == np.array(top_fp32)))})
    except Exception as exc:  # llama.cpp missing: the gate falls back to the fixed bar
        result["llama_cpp"] = f"{type(exc).__name__}: {exc}"
    return result
