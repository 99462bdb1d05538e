"""Single-file GGUF models: loaded through transformers' GGUF support, cached as safetensors."""

from __future__ import annotations

import pytest
from tiny_models import write_gpt2_gguf

from aigc_desktop.engine import ContinuationRequest
from aigc_desktop.engine.errors import ModelLoadError
from aigc_desktop.engine.generator import Generator
from aigc_desktop.engine.loading import gguf_cache_root, load_model

pytest.importorskip("gguf")


@pytest.fixture
def gguf_path(tiny_gpt2_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("AIGC_DESKTOP_CACHE", str(tmp_path / "cache"))
    return write_gpt2_gguf(tiny_gpt2_dir, tmp_path / "tiny-gpt2.f32.gguf")


def greedy(loaded, text="Once upon a time there was", n=12):
    run = Generator(loaded).stream(ContinuationRequest(text, max_new_tokens=n, temperature=0))
    return "".join(event.text for event in run), run.new_token_ids


def test_gguf_continues_exactly_like_the_model_it_came_from(gguf_path, tiny_gpt2):
    loaded = load_model(str(gguf_path), "cpu")
    assert loaded.window == 128  # context_length carried over as n_positions
    assert loaded.name == "tiny-gpt2.f32.gguf"
    assert greedy(loaded) == greedy(tiny_gpt2)


def test_gguf_is_converted_once_and_cached_as_safetensors(gguf_path):
    load_model(str(gguf_path), "cpu")
    cached = list(gguf_cache_root().iterdir())
    assert len(cached) == 1 and list(cached[0].glob("*.safetensors"))
    again = load_model(str(gguf_path), "cpu")  # from the cache
    assert again.window == 128 and len(list(gguf_cache_root().iterdir())) == 1


def test_not_a_gguf_file_is_refused_clearly(tmp_path):
    bogus = tmp_path / "model.gguf"
    bogus.write_bytes(b"\x89PNG not a model")
    with pytest.raises(ModelLoadError, match="not a GGUF file"):
        load_model(str(bogus), "cpu")
    with pytest.raises(ModelLoadError, match="GGUF file not found"):
        load_model(str(tmp_path / "missing.gguf"), "cpu")
