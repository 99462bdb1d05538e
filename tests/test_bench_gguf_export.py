"""The bench's GGUF writer for the llama.cpp peer: names, shapes, types, tokenizer metadata, cache.

These need only the `gguf` package; the llama.cpp side is in test_bench_llama_peer.py.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import torch

gguf = pytest.importorskip("gguf")

from aigc_desktop.bench.gguf_export import export_gpt2, gguf_cache_dir  # noqa: E402
from aigc_desktop.bench.models import gpt2_shaped_folder  # noqa: E402

PER_BLOCK = ("attn_norm.weight", "attn_norm.bias", "attn_qkv.weight", "attn_qkv.bias", "attn_output.weight",
             "attn_output.bias", "ffn_norm.weight", "ffn_norm.bias", "ffn_up.weight", "ffn_up.bias",
             "ffn_down.weight", "ffn_down.bias")


def fields(reader) -> dict:
    return {name: field.contents() for name, field in reader.fields.items() if not name.startswith("GGUF.")}


def tensors(reader) -> dict:
    return {t.name: t for t in reader.tensors}


def hf_weights(folder) -> dict[str, np.ndarray]:
    from transformers import GPT2LMHeadModel

    return {k: v.float().numpy() for k, v in GPT2LMHeadModel.from_pretrained(folder).state_dict().items()}


def test_f32_file_has_llama_cpps_gpt2_names_shapes_and_values(tiny_gpt2_dir, tmp_path):
    path = export_gpt2(tiny_gpt2_dir, "f32", root=tmp_path)
    reader = gguf.GGUFReader(path)
    meta = fields(reader)
    assert meta["general.architecture"] == "gpt2"
    assert (meta["gpt2.context_length"], meta["gpt2.embedding_length"], meta["gpt2.block_count"],
            meta["gpt2.attention.head_count"], meta["gpt2.feed_forward_length"]) == (128, 64, 2, 2, 256)
    assert meta["gpt2.attention.layer_norm_epsilon"] == pytest.approx(1e-5)
    assert meta["general.file_type"] == gguf.LlamaFileType.ALL_F32

    found = tensors(reader)
    expected = {"token_embd.weight", "position_embd.weight", "output_norm.weight", "output_norm.bias"}
    expected |= {f"blk.{i}.{name}" for i in range(2) for name in PER_BLOCK}
    assert set(found) == expected  # the tied head is left to llama.cpp (it reuses token_embd)
    assert all(t.tensor_type == gguf.GGMLQuantizationType.F32 for t in found.values())

    hf = hf_weights(tiny_gpt2_dir)
    vocab = hf["transformer.wte.weight"].shape[0]
    # GGUF lists shapes fastest-varying first (ggml's ne); the data is numpy's row-major [out, in].
    assert list(found["token_embd.weight"].shape) == [64, vocab]
    assert list(found["blk.0.attn_qkv.weight"].shape) == [64, 192]
    assert list(found["blk.1.ffn_down.weight"].shape) == [256, 64]
    np.testing.assert_array_equal(found["token_embd.weight"].data, hf["transformer.wte.weight"])
    # Conv1D weights are [in, out] in transformers and transposed for llama.cpp.
    np.testing.assert_array_equal(found["blk.0.attn_qkv.weight"].data, hf["transformer.h.0.attn.c_attn.weight"].T)
    np.testing.assert_array_equal(found["blk.1.ffn_up.weight"].data, hf["transformer.h.1.mlp.c_fc.weight"].T)
    np.testing.assert_array_equal(found["blk.1.ffn_down.weight"].data, hf["transformer.h.1.mlp.c_proj.weight"].T)
    np.testing.assert_array_equal(found["blk.0.attn_output.weight"].data, hf["transformer.h.0.attn.c_proj.weight"].T)
    np.testing.assert_array_equal(found["output_norm.bias"].data, hf["transformer.ln_f.bias"])


def test_tokenizer_metadata_is_the_real_gpt2s(gpt2_tokenizer_dir, tmp_path):
    folder = gpt2_shaped_folder("small", str(gpt2_tokenizer_dir), {"n_embd": 64, "n_layer": 1, "n_head": 2},
                                root=tmp_path / "models")
    meta = fields(gguf.GGUFReader(export_gpt2(folder, "f32", root=tmp_path)))
    vocab = json.loads((gpt2_tokenizer_dir / "vocab.json").read_text(encoding="utf-8"))
    merges = [line for line in (gpt2_tokenizer_dir / "merges.txt").read_text(encoding="utf-8").splitlines()
              if line and not line.startswith("#version")]
    assert (meta["tokenizer.ggml.model"], meta["tokenizer.ggml.pre"]) == ("gpt2", "gpt-2")
    assert meta["tokenizer.ggml.tokens"] == sorted(vocab, key=vocab.get)
    assert meta["tokenizer.ggml.merges"] == merges
    eot = vocab["<|endoftext|>"]
    assert meta["tokenizer.ggml.token_type"][eot] == gguf.TokenType.CONTROL
    assert set(meta["tokenizer.ggml.token_type"][:eot]) == {gguf.TokenType.NORMAL}
    assert meta["tokenizer.ggml.bos_token_id"] == meta["tokenizer.ggml.eos_token_id"] == eot


def test_q8_0_quantizes_the_matrices_and_dequantizes_close_to_f32(tiny_gpt2_dir, tmp_path):
    f32 = tensors(gguf.GGUFReader(export_gpt2(tiny_gpt2_dir, "f32", root=tmp_path)))
    reader = gguf.GGUFReader(export_gpt2(tiny_gpt2_dir, "q8_0", root=tmp_path))
    assert fields(reader)["general.file_type"] == gguf.LlamaFileType.MOSTLY_Q8_0
    q8 = tensors(reader)
    assert set(q8) == set(f32)
    q8_type = gguf.GGMLQuantizationType.Q8_0
    quantized = {name for name, t in q8.items() if t.tensor_type == q8_type}
    # As llama.cpp's converter does: the 2-D weights, but not the position embeddings, norms or biases.
    assert quantized == {name for name, t in f32.items() if len(t.shape) == 2} - {"position_embd.weight"}
    for name, tensor in q8.items():
        assert list(tensor.shape) == list(f32[name].shape)
        reference = np.asarray(f32[name].data, dtype=np.float32)
        if name not in quantized:
            np.testing.assert_array_equal(tensor.data, reference)
            continue
        restored = gguf.quants.dequantize(tensor.data, q8_type).reshape(reference.shape)
        # Each block of 32 has one f16 scale max|w|/127: the error is at most half a step, plus up to
        # 127 steps times the scale's relative rounding (2**-11).
        blocks = np.abs(reference.reshape(-1, 32)).max(axis=1, keepdims=True)
        error = np.abs(restored - reference).reshape(-1, 32)
        assert (error <= blocks * (0.5 / 127 + 2**-11) * 1.001).all(), name
        assert error.max() > 0  # it really was quantized


def test_files_are_cached_by_source_and_written_whole(tiny_gpt2_dir, tmp_path):
    import shutil

    source = tmp_path / "model"
    shutil.copytree(tiny_gpt2_dir, source)
    first = export_gpt2(source, "f32", root=tmp_path)
    written = first.stat().st_mtime_ns
    assert export_gpt2(source, "f32", root=tmp_path) == first
    assert first.stat().st_mtime_ns == written  # not written again
    assert export_gpt2(source, "q8_0", root=tmp_path) != first

    # New weights in the same folder make a new file.
    from safetensors.torch import load_file, save_file

    weights = load_file(source / "model.safetensors")
    weights["transformer.ln_f.bias"] = weights["transformer.ln_f.bias"] + 1.0
    save_file(weights, source / "model.safetensors", metadata={"format": "pt"})
    os.utime(source / "model.safetensors", ns=(written + 10**9, written + 10**9))
    changed = export_gpt2(source, "f32", root=tmp_path)
    assert changed != first and first.is_file()
    bias = tensors(gguf.GGUFReader(changed))["output_norm.bias"].data
    np.testing.assert_array_equal(bias, weights["transformer.ln_f.bias"].numpy())
    assert not [p for p in gguf_cache_dir(tmp_path).iterdir() if p.name.startswith(".")]


def test_what_llama_cpps_gpt2_cannot_take_is_refused_and_leaves_no_file(tiny_chinese_dir, tmp_path):
    with pytest.raises(ValueError, match="byte-level BPE tokenizer"):
        export_gpt2(tiny_chinese_dir, "f32", root=tmp_path)  # a BERT character vocabulary
    with pytest.raises(ValueError, match="unknown GGUF type 'q4_0'"):
        export_gpt2(tiny_chinese_dir, "q4_0", root=tmp_path)
    with pytest.raises(ValueError, match="no config.json"):
        export_gpt2(tmp_path, "f32", root=tmp_path)
    llama = tmp_path / "llama"
    llama.mkdir()
    (llama / "config.json").write_text(json.dumps({"model_type": "llama", "architectures": ["LlamaForCausalLM"]}))
    with pytest.raises(ValueError, match="not a GPT-2"):
        export_gpt2(llama, "f32", root=tmp_path)
    assert not list(gguf_cache_dir(tmp_path).iterdir())


def test_f32_file_reads_back_through_transformers_as_the_same_model(tiny_gpt2_dir, tiny_gpt2, tmp_path,
                                                                    monkeypatch):
    """A second reader of the file: the engine's GGUF loader (transformers) gets the same logits."""
    from aigc_desktop.engine.local.loading import load_model

    monkeypatch.setenv("AIGC_DESKTOP_CACHE", str(tmp_path / "engine-cache"))
    loaded = load_model(str(export_gpt2(tiny_gpt2_dir, "f32", root=tmp_path)), "cpu")
    ids = torch.tensor([[5, 17, 33, 2, 9]])
    with torch.no_grad():
        ours = loaded.model(ids).logits
        theirs = tiny_gpt2.model(ids).logits
    torch.testing.assert_close(ours, theirs, rtol=0, atol=1e-5)
