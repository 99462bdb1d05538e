"""Single-file GGUF models: loaded through transformers' GGUF support, cached as safetensors."""

from __future__ import annotations

import pytest
import torch
from tiny_models import write_gpt2_gguf

from aigc_desktop.engine import ContinuationRequest
from aigc_desktop.engine.errors import ModelLoadError
from aigc_desktop.engine.local.generator import Generator
from aigc_desktop.engine.local.loading import gguf_cache_root, load_model

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


def test_the_conversion_parses_the_files_header_once(gguf_path, tiny_gpt2, monkeypatch):
    """Parsing a real vocabulary takes seconds; transformers would parse it three more times."""
    import gguf

    opened = []
    real_reader = gguf.GGUFReader

    def counting(path, *args, **kwargs):
        opened.append(str(path))
        return real_reader(path, *args, **kwargs)

    monkeypatch.setattr(gguf, "GGUFReader", counting)
    loaded = load_model(str(gguf_path), "cpu")
    assert opened == [str(gguf_path)]
    assert gguf.GGUFReader is counting  # put back after the conversion
    assert greedy(loaded) == greedy(tiny_gpt2)  # and the model is the same


def test_not_a_gguf_file_is_refused_clearly(tmp_path):
    bogus = tmp_path / "model.gguf"
    bogus.write_bytes(b"\x89PNG not a model")
    with pytest.raises(ModelLoadError, match="not a GGUF file"):
        load_model(str(bogus), "cpu")
    with pytest.raises(ModelLoadError, match="GGUF file not found"):
        load_model(str(tmp_path / "missing.gguf"), "cpu")


def test_first_load_reports_its_progress_per_tensor_and_later_loads_none(gguf_path):
    import gguf

    from aigc_desktop.engine.local import load_progress

    steps: list[tuple[int, int]] = []
    with load_progress.reporting_to(lambda done, total: steps.append((done, total))):
        load_model(str(gguf_path), "cpu")
    tensors = len(gguf.GGUFReader(str(gguf_path)).tensors)
    assert steps[0] == (1, tensors + 1) and steps[-1] == (tensors + 1, tensors + 1)
    assert [done for done, _ in steps] == list(range(1, tensors + 2))  # one step per tensor, then the copy
    steps.clear()
    with load_progress.reporting_to(lambda done, total: steps.append((done, total))):
        load_model(str(gguf_path), "cpu")  # from the converted copy: nothing long to report
    assert steps == []


def safetensors_dtypes(folder) -> set[str]:
    import json
    import struct

    (weights,) = folder.glob("*.safetensors")
    with open(weights, "rb") as handle:
        (length,) = struct.unpack("<Q", handle.read(8))
        header = json.loads(handle.read(length))
    return {(entry["dtype"], len(entry["shape"])) for name, entry in header.items() if name != "__metadata__"}


def test_a_quantised_file_is_kept_in_fp16_and_loads_the_same_model_every_time(tiny_gpt2_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("AIGC_DESKTOP_CACHE", str(tmp_path / "cache"))
    path = write_gpt2_gguf(tiny_gpt2_dir, tmp_path / "tiny-gpt2.q8_0.gguf", quantised=True)
    first = load_model(str(path), "cpu")  # converts
    (cached,) = gguf_cache_root().iterdir()
    assert safetensors_dtypes(cached) == {("F16", 2), ("F32", 1)}  # matrices halved; norms and biases as they came
    again = load_model(str(path), "cpu")  # from the copy, upcast
    assert next(again.model.parameters()).dtype == first.model.dtype == torch.float32
    for (name, a), b in zip(first.model.state_dict().items(), again.model.state_dict().values()):
        assert torch.equal(a, b), name  # the first session ran exactly the weights later ones load
    assert greedy(first) == greedy(again)


def test_an_fp32_file_is_kept_exactly(gguf_path, tiny_gpt2):
    load_model(str(gguf_path), "cpu")
    (cached,) = gguf_cache_root().iterdir()
    assert {dtype for dtype, _ in safetensors_dtypes(cached)} == {"F32"}
    assert greedy(load_model(str(gguf_path), "cpu")) == greedy(tiny_gpt2)


def test_a_copy_in_the_old_layout_is_replaced_by_a_new_one(gguf_path, monkeypatch):
    from aigc_desktop.engine.local import model_files

    with monkeypatch.context() as patch:
        patch.setattr(model_files, "GGUF_CACHE_VERSION", 1)
        load_model(str(gguf_path), "cpu")  # the fp32 layout of before
        old = model_files.gguf_cache_folder(gguf_path)
    assert old.is_dir() and old != model_files.gguf_cache_folder(gguf_path)
    assert not model_files.gguf_is_converted(gguf_path)  # the old copy is not taken for a new one
    load_model(str(gguf_path), "cpu")
    assert [p.name for p in gguf_cache_root().iterdir()] == [model_files.gguf_cache_folder(gguf_path).name]
