"""Loading a model folder or hub id: CPU fp32, safetensors only, no remote code, precise errors."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import socket
import time
from pathlib import Path

import pytest
import torch

from aigc_desktop.engine import ModelLoadError
from aigc_desktop.engine.backend import Backend, open_backend
from aigc_desktop.engine.local.devices import resolve_device
from aigc_desktop.engine.local.generator import Generator
from aigc_desktop.engine.local.loading import load_model

NOT_CACHED_HUB_ID = "aigc-desktop-tests/never-downloaded-model"


class _Boom:
    """Unpickling this creates a marker folder: proof that a pickle was executed."""

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def _copy(src: Path, dst: Path, names=None) -> Path:
    dst.mkdir(parents=True)
    for f in src.iterdir():
        if names is None or f.name in names:
            shutil.copy(f, dst / f.name)
    return dst


def _tokenizer_files(folder: Path) -> list[str]:
    return [f.name for f in folder.iterdir() if f.suffix != ".safetensors" and f.name != "config.json"]


# --- successful loads ---------------------------------------------------------------------------

def test_tiny_gpt2_loads_on_cpu_in_fp32(tiny_gpt2, tiny_gpt2_dir):
    lm = tiny_gpt2
    assert lm.device == torch.device("cpu")
    params = list(lm.model.parameters())
    assert params and all(p.dtype == torch.float32 and p.device.type == "cpu" for p in params)
    assert not lm.model.training
    assert lm.window == 128
    assert lm.source == str(tiny_gpt2_dir.resolve())
    assert lm.name == tiny_gpt2_dir.name
    assert lm.device_label == "CPU"
    assert lm.prefix_ids == ()  # byte-level BPE: raw text, no [CLS]
    assert lm.cjk_spaces is False
    assert lm.eos_ids == frozenset({lm.tokenizer.convert_tokens_to_ids("<|endoftext|>")})
    assert lm.tokenizer.decode(lm.tokenizer.encode("Once upon a time")) == "Once upon a time"


def test_tiny_chinese_model_loads_with_bert_vocabulary(tiny_chinese):
    lm = tiny_chinese
    assert lm.device.type == "cpu"
    assert all(p.dtype == torch.float32 for p in lm.model.parameters())
    assert lm.window == 128
    assert lm.prefix_ids == (lm.tokenizer.cls_token_id,)
    assert lm.tokenizer.convert_ids_to_tokens(list(lm.prefix_ids)) == ["[CLS]"]
    assert lm.cjk_spaces is True
    assert lm.eos_ids == frozenset()


def test_loaded_weights_are_the_saved_ones(tiny_gpt2, tiny_gpt2_dir):
    from safetensors.torch import load_file

    saved = load_file(str(tiny_gpt2_dir / "model.safetensors"))
    state = tiny_gpt2.model.state_dict()
    assert saved
    for name, tensor in saved.items():
        assert torch.equal(state[name], tensor), name


# --- safetensors only ---------------------------------------------------------------------------

def test_folder_with_only_pickle_weights_is_refused_without_unpickling(tiny_gpt2_dir, tmp_path):
    folder = _copy(tiny_gpt2_dir, tmp_path / "pickled", names=["config.json", *_tokenizer_files(tiny_gpt2_dir)])
    marker = tmp_path / "unpickled"
    # A real state dict would do too; a booby-trapped pickle also proves it is never opened.
    (folder / "pytorch_model.bin").write_bytes(pickle.dumps({"weights": _Boom(marker)}))
    with pytest.raises(ModelLoadError) as info:
        load_model(str(folder), device="cpu")
    message = str(info.value)
    assert "safetensors" in message
    assert ".bin" in message
    assert str(folder) in message
    assert not marker.exists()


def test_folder_with_a_torch_saved_state_dict_is_refused(tiny_gpt2, tiny_gpt2_dir, tmp_path):
    folder = _copy(tiny_gpt2_dir, tmp_path / "bin-only", names=["config.json", *_tokenizer_files(tiny_gpt2_dir)])
    torch.save(tiny_gpt2.model.state_dict(), folder / "pytorch_model.bin")
    with pytest.raises(ModelLoadError, match="safetensors"):
        load_model(str(folder), device="cpu")


def test_safetensors_are_used_even_when_a_pickle_sits_beside_them(tiny_gpt2_dir, tmp_path):
    folder = _copy(tiny_gpt2_dir, tmp_path / "both")
    marker = tmp_path / "unpickled"
    (folder / "pytorch_model.bin").write_bytes(pickle.dumps({"weights": _Boom(marker)}))
    lm = load_model(str(folder), device="cpu")
    assert lm.window == 128
    assert not marker.exists()


# --- folder errors ------------------------------------------------------------------------------

def test_missing_folder(tmp_path):
    missing = tmp_path / "no-such-model"
    with pytest.raises(ModelLoadError) as info:
        load_model(str(missing), device="cpu")
    assert str(info.value) == f"Model folder not found: {missing}"


def test_file_instead_of_folder(tmp_path):
    file = tmp_path / "model.safetensors"
    file.write_bytes(b"not a folder")
    with pytest.raises(ModelLoadError) as info:
        load_model(str(file), device="cpu")
    message = str(info.value)
    # A single file can only be a GGUF model now; either way the message says what the file is not.
    assert message.startswith(f"{file} is ")
    assert "is a file, not a model folder" in message or "is not a GGUF file" in message


def test_folder_without_config(tiny_gpt2_dir, tmp_path):
    folder = _copy(tiny_gpt2_dir, tmp_path / "no-config")
    (folder / "config.json").unlink()
    with pytest.raises(ModelLoadError) as info:
        load_model(str(folder), device="cpu")
    assert str(info.value) == f"{folder} is not a model folder: it has no config.json."


def test_folder_without_weights(tiny_gpt2_dir, tmp_path):
    folder = _copy(tiny_gpt2_dir, tmp_path / "no-weights")
    (folder / "model.safetensors").unlink()
    with pytest.raises(ModelLoadError) as info:
        load_model(str(folder), device="cpu")
    assert str(info.value) == f"{folder} has no model weights (*.safetensors)."


@pytest.mark.parametrize("model_type", ["nonsense", "t5"])
def test_unknown_or_non_causal_architecture(tiny_gpt2_dir, tmp_path, model_type):
    folder = _copy(tiny_gpt2_dir, tmp_path / model_type)
    config = json.loads((folder / "config.json").read_text())
    config["model_type"] = model_type
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelLoadError) as info:
        load_model(str(folder), device="cpu")
    message = str(info.value)
    assert message.startswith(f"Unknown architecture '{model_type}' in {folder / 'config.json'}")
    assert "not a text-generation model" in message


def test_bert_masked_lm_checkpoint_is_refused(tiny_chinese_dir, tmp_path):
    """BERT is in transformers' causal-LM table (as a decoder), but a masked-LM checkpoint cannot continue text."""
    from transformers import BertConfig, BertForMaskedLM

    folder = _copy(tiny_chinese_dir, tmp_path / "bert", names=["vocab.txt", "tokenizer_config.json"])
    config = BertConfig(vocab_size=300, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64)
    BertForMaskedLM(config).save_pretrained(folder)
    assert json.loads((folder / "config.json").read_text())["model_type"] == "bert"
    with pytest.raises(ModelLoadError) as info:
        load_model(str(folder), device="cpu")
    message = str(info.value)
    assert str(folder / "config.json") in message
    assert "BertForMaskedLM" in message and "'bert'" in message
    assert "not a text-generation model" in message


def test_config_without_model_type(tiny_gpt2_dir, tmp_path):
    folder = _copy(tiny_gpt2_dir, tmp_path / "untyped")
    config = json.loads((folder / "config.json").read_text())
    del config["model_type"]
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelLoadError, match="no model_type"):
        load_model(str(folder), device="cpu")


def test_config_that_is_not_json(tiny_gpt2_dir, tmp_path):
    folder = _copy(tiny_gpt2_dir, tmp_path / "broken-config")
    (folder / "config.json").write_text("{ this is not json")
    with pytest.raises(ModelLoadError, match="is not valid JSON"):
        load_model(str(folder), device="cpu")


def test_folder_without_tokenizer_is_refused(tiny_gpt2_dir, tmp_path):
    folder = _copy(tiny_gpt2_dir, tmp_path / "no-tokenizer", names=["config.json", "model.safetensors"])
    with pytest.raises(ModelLoadError) as info:
        load_model(str(folder), device="cpu")
    assert str(info.value) == (
        f"Could not load model '{folder}': its tokenizer is missing or empty "
        "(no tokenizer.json, vocab.json or vocab.txt)."
    )


# --- hub ids ------------------------------------------------------------------------------------

def test_hub_id_not_cached_while_offline(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # so the id cannot be mistaken for a folder here
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    started = time.monotonic()
    with pytest.raises(ModelLoadError) as info:
        load_model(NOT_CACHED_HUB_ID, device="cpu")
    assert time.monotonic() - started < 10
    message = str(info.value)
    assert f"'{NOT_CACHED_HUB_ID}' is not downloaded yet" in message
    assert "cannot be reached" in message
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_hub_id_not_cached_with_unreachable_endpoint(monkeypatch, tmp_path):
    """Not told it is offline: a quick connection check answers instead of long retries."""
    with socket.socket() as s:  # a local port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    from huggingface_hub import constants

    endpoint = f"http://127.0.0.1:{port}"
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", endpoint)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)  # huggingface_hub read both at import
    monkeypatch.setattr(constants, "ENDPOINT", endpoint)
    started = time.monotonic()
    with pytest.raises(ModelLoadError, match="not downloaded yet .* cannot be reached"):
        load_model(NOT_CACHED_HUB_ID, device="cpu")
    assert time.monotonic() - started < 10


# --- no remote code -----------------------------------------------------------------------------

def test_auto_map_custom_code_is_never_executed(tiny_gpt2_dir, tmp_path):
    folder = _copy(tiny_gpt2_dir, tmp_path / "remote-code")
    marker = tmp_path / "custom-code-ran"
    (folder / "evil.py").write_text(
        f"open({str(marker)!r}, 'w').write('ran')\n"
        "from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast\n"
        "class EvilConfig(GPT2Config):\n    pass\n"
        "class EvilModel(GPT2LMHeadModel):\n    pass\n"
        "class EvilTokenizer(PreTrainedTokenizerFast):\n    pass\n"
    )
    config = json.loads((folder / "config.json").read_text())
    config["auto_map"] = {"AutoConfig": "evil.EvilConfig", "AutoModelForCausalLM": "evil.EvilModel"}
    (folder / "config.json").write_text(json.dumps(config))
    tok_config = json.loads((folder / "tokenizer_config.json").read_text())
    tok_config["auto_map"] = {"AutoTokenizer": [None, "evil.EvilTokenizer"]}
    (folder / "tokenizer_config.json").write_text(json.dumps(tok_config))

    lm = load_model(str(folder), device="cpu")
    assert type(lm.model).__name__ == "GPT2LMHeadModel"
    assert "Evil" not in type(lm.tokenizer).__name__
    assert not marker.exists()

    # With an architecture only the custom code knows, loading is refused, still without running it.
    config["model_type"] = "evil_custom"
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelLoadError, match="Unknown architecture 'evil_custom'"):
        load_model(str(folder), device="cpu")
    assert not marker.exists()


# --- devices ------------------------------------------------------------------------------------

def test_unknown_device_is_explained():
    with pytest.raises(ModelLoadError, match="Unknown device 'quantum'. Choose one of: auto, cpu, cuda, mps."):
        resolve_device("quantum")


def test_cpu_device_by_name():
    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device(" CPU ") == torch.device("cpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA GPU")
def test_cuda_requested_without_a_gpu(tiny_gpt2_dir):
    with pytest.raises(ModelLoadError, match="no CUDA GPU is available; use --device cpu"):
        load_model(str(tiny_gpt2_dir), device="cuda")


def test_open_backend_gives_the_local_engine_itself(tiny_gpt2_dir):
    backend = open_backend(str(tiny_gpt2_dir), "cpu", warm_up=True)
    assert isinstance(backend, Generator) and isinstance(backend, Backend)
    loaded = backend.loaded
    assert (backend.name, backend.device_label, backend.window) == (loaded.name, loaded.device_label, loaded.window)
    assert loaded.fast is None and backend.device_label == "CPU"
