"""Section `bandwidth`: how close fp32 decoding comes to the memory-bandwidth limit.

Each decode step reads every weight once (a tied embedding once, by the LM
head), so tokens/s can be at most (memory read rate) / (weight bytes). The rate
is measured here, in the same rounds as the decode runs: a tensor copy (best of
3; its traffic is the bytes read plus the bytes written) and a read-only pass
(a sum), taking the larger of the two as the machine's limit.
"""

from __future__ import annotations

import time

from .decode import engine_run
from .stats import summary


def weight_bytes(model) -> int:
    """Bytes of the model's parameters, each tensor once (tied weights share storage)."""
    seen, total = set(), 0
    for p in model.parameters():
        key = (p.untyped_storage().data_ptr(), p.storage_offset(), tuple(p.shape))
        if key not in seen:
            seen.add(key)
            total += p.numel() * p.element_size()
    return total


def kv_bytes_per_context_token(model) -> int | None:
    """Bytes of keys and values one context token adds to the cache (read at every step)."""
    config = model.config
    layers = getattr(config, "num_hidden_layers", None) or getattr(config, "n_layer", None)
    hidden = getattr(config, "hidden_size", None) or getattr(config, "n_embd", None)
    heads = getattr(config, "num_attention_heads", None) or getattr(config, "n_head", None)
    if not (layers and hidden and heads):
        return None
    kv_heads = getattr(config, "num_key_value_heads", None) or heads
    element = next(model.parameters()).element_size()
    return int(layers * 2 * (hidden // heads) * kv_heads * element)


def memory_rates(megabytes: int, device) -> dict:
    import torch

    n = megabytes * 2**20 // 4
    src = torch.ones(n, dtype=torch.float32, device=device)
    dst = torch.empty_like(src)

    def best(fn) -> float:
        times = []
        for _ in range(3):
            if device.type == "cuda":
                torch.cuda.synchronize()
            started = time.perf_counter()
            fn()
            if device.type == "cuda":
                torch.cuda.synchronize()
            times.append(time.perf_counter() - started)
        return min(times)

    size = n * 4
    copy_s = best(lambda: dst.copy_(src))
    read_s = best(lambda: src.sum().item())
    copied = size / copy_s / 1e9
    read = size / read_s / 1e9
    return {"copy_gbps": copied, "copy_traffic_gbps": 2 * copied, "read_gbps": read,
            "limit_gbps": max(2 * copied, read)}


def run(ctx) -> dict:
    args = ctx.args
    lm = ctx.loaded
    backend = ctx.backend
    n = args.new_tokens
    prompt = ctx.prompt(min(ctx.prompt_sizes(n)))
    per_token = weight_bytes(lm.model)
    rounds = []
    for round_ in range(args.warmup + args.repeats):
        rates = memory_rates(args.copy_mb, lm.device)
        decoded = engine_run(backend, prompt.text, n)
        if round_ < args.warmup:
            continue
        bound = rates["limit_gbps"] * 1e9 / per_token
        tps = decoded["decode_tps"]
        rounds.append(rates | {"bound_tps": bound, "decode_tps": tps,
                               "fraction": tps / bound if tps else None})
    kv = kv_bytes_per_context_token(lm.model)
    return {
        "weight_bytes_per_token": per_token,
        "kv_bytes_per_context_token": kv,
        "prompt_tokens": prompt.tokens,
        "copy_mb": args.copy_mb,
        **{key: summary(r[key] for r in rounds)
           for key in ("copy_gbps", "copy_traffic_gbps", "read_gbps", "limit_gbps", "bound_tps", "decode_tps",
                       "fraction")},
    }
