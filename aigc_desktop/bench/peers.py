"""llama.cpp as the bench's peer (through llama-cpp-python, when it is installed).

The functions here are what a section runs in turn with the engine, in one process:
`open_llama`, then `llama_timed_run` (greedy, from token ids, so both sides see the same prompt)
and `llama_teacher_forced` (logits at every position, for perplexity and top-1 agreement).

llama-cpp-python built in a venv of its own can be lent to the project's interpreter with
PYTHONPATH=<that venv>/lib/python3.X/site-packages (its numpy then shadows the project's, so their
versions should match) or, so that the project's packages always win, a .pth file holding that path
in the project venv's site-packages (it is appended after them).

Section `peers`: a llama.cpp row for a GGUF file given with --gguf. The bench never installs
anything: without llama_cpp the row says so.
"""

from __future__ import annotations

import importlib.util
import time
from dataclasses import dataclass
from typing import Any, Sequence

from ..engine.text.decoding_core import decode_speed
from .stats import summary


def llama_available() -> bool:
    return importlib.util.find_spec("llama_cpp") is not None


@dataclass
class LlamaHandle:
    llm: Any  # llama_cpp.Llama
    path: str
    threads: int

    @property
    def n_vocab(self) -> int:
        return self.llm.n_vocab()

    def close(self) -> None:
        self.llm.close()


def open_llama(gguf_path: str, threads: int, n_ctx: int = 0) -> LlamaHandle:
    """A GGUF loaded by llama.cpp with its default settings, on `threads` threads for the prompt and
    for decoding. n_ctx 0 is the model's own window."""
    from llama_cpp import Llama  # pyright: ignore[reportMissingImports]  (optional peer)

    llm = Llama(model_path=str(gguf_path), n_ctx=n_ctx, n_threads=threads, n_threads_batch=threads,
                verbose=False)
    return LlamaHandle(llm, str(gguf_path), threads)


def llama_timed_run(handle: LlamaHandle, prompt_token_ids: Sequence[int], new_tokens: int) -> dict:
    """Greedy decoding of exactly new_tokens tokens (an end-of-text token does not stop it), from a
    cold cache: {"ttft_s", "decode_tps", "tokens"}. ttft_s runs from the call to the first token;
    decode_tps counts the tokens after the first over the time after the first."""
    llm = handle.llm
    if len(prompt_token_ids) + new_tokens > llm.n_ctx():
        raise ValueError(f"{len(prompt_token_ids)} + {new_tokens} tokens do not fit llama.cpp's "
                         f"window of {llm.n_ctx()}")
    llm.reset()  # n_tokens = 0: generate() then neither reuses a cached prefix nor keeps old keys/values
    tokens: list[int] = []
    started = time.perf_counter()
    first = None
    steps = llm.generate(list(prompt_token_ids), temp=0.0, repeat_penalty=1.0, reset=False)
    try:
        for token in steps:
            if first is None:
                first = time.perf_counter()
            tokens.append(int(token))
            if len(tokens) == new_tokens:
                break
    finally:
        steps.close()
    ended = time.perf_counter()
    llm.reset()
    if first is None:
        raise RuntimeError("llama.cpp generated no token")
    return {"ttft_s": first - started,
            "decode_tps": decode_speed(len(tokens), first - started, ended - started) or None,
            "tokens": tokens}


def llama_teacher_forced(handle: LlamaHandle, token_ids: Sequence[int]):
    """Logits [len(token_ids), vocab] (float32 numpy) of one causal pass over token_ids: row i
    scores the token after token_ids[i]. The cache is cleared before and after."""
    import llama_cpp  # pyright: ignore[reportMissingImports]  (optional peer)
    import numpy as np

    llm = handle.llm
    n, vocab = len(token_ids), llm.n_vocab()
    if not 0 < n <= llm.n_ctx():
        raise ValueError(f"{n} tokens: llama.cpp's window holds 1 to {llm.n_ctx()}")
    ctx = llm.ctx
    memory = llama_cpp.llama_get_memory(ctx)
    llm.reset()
    llama_cpp.llama_memory_clear(memory, True)
    logits = np.empty((n, vocab), dtype=np.float32)
    step = llm.n_batch
    batch = llama_cpp.llama_batch_init(step, 0, 1)
    try:
        for start in range(0, n, step):
            chunk = token_ids[start:start + step]
            batch.n_tokens = len(chunk)
            for i, token in enumerate(chunk):
                batch.token[i] = int(token)
                batch.pos[i] = start + i
                batch.n_seq_id[i] = 1
                batch.seq_id[i][0] = 0
                batch.logits[i] = True  # an output row at every position
            code = llama_cpp.llama_decode(ctx, batch)
            if code != 0:
                raise RuntimeError(f"llama_decode failed (code {code}) at position {start}")
            for i in range(len(chunk)):
                row = llama_cpp.llama_get_logits_ith(ctx, i)
                logits[start + i] = np.ctypeslib.as_array(row, shape=(vocab,))
    finally:
        llama_cpp.llama_batch_free(batch)
        llama_cpp.llama_memory_clear(memory, True)
        llm.reset()
    return logits


def run(ctx) -> dict:
    if not llama_available():
        return {"llama_cpp": "not installed"}
    gguf = ctx.args.gguf
    if not gguf:
        return {"llama_cpp": "installed; no GGUF file given (--gguf FILE)"}
    import torch

    # The engine's thread count; the prompt text is tokenised by llama.cpp itself, so any GGUF works.
    handle = open_llama(gguf, torch.get_num_threads())
    try:
        n = ctx.args.new_tokens
        prompts = {}
        for size in ctx.prompt_sizes(n):
            prompt = ctx.prompt(size)
            ids = handle.llm.tokenize(prompt.text.encode("utf-8"), add_bos=True, special=False)
            runs = [llama_timed_run(handle, ids, n) for _ in range(ctx.args.warmup + ctx.args.repeats)]
            runs = runs[ctx.args.warmup:]
            prompts[str(prompt.tokens)] = {"ttft_s": summary(r["ttft_s"] for r in runs),
                                           "decode_tps": summary(r["decode_tps"] for r in runs)}
    finally:
        handle.close()
    return {"llama_cpp": "measured", "gguf": gguf, "threads": handle.threads, "prompts": prompts}
