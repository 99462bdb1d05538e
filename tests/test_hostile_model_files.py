"""Crafted model files: each is one clear line from the engine, the CLI and the editor, never a
traceback, and is refused before memory is allocated for it."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import sys
import os
import time

import pytest

from aigc_desktop.engine.errors import ModelLoadError
from aigc_desktop.engine.local.loading import load_model


def copy_model(src, dst):
    shutil.copytree(src, dst)
    return dst


def edit_config(folder, **changes):
    config = json.loads((folder / "config.json").read_text())
    config.update(changes)
    (folder / "config.json").write_text(json.dumps(config))


def safetensors(header: dict, data: bytes = b"", length: int | None = None) -> bytes:
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw) if length is None else length) + raw + data


def drop_tensor(folder, name):
    """Rewrite model.safetensors without one tensor (offsets kept consistent)."""
    from safetensors.torch import load_file, save_file

    tensors = load_file(folder / "model.safetensors")
    del tensors[name]
    save_file(tensors, folder / "model.safetensors", metadata={"format": "pt"})


def gguf_header(version=3, tensors=1, fields=1) -> bytes:
    return b"GGUF" + struct.pack("<IQQ", version, tensors, fields)


def _weights(folder, data: bytes):
    (folder / "model.safetensors").write_bytes(data)


def _cut(folder, keep):
    data = (folder / "model.safetensors").read_bytes()
    _weights(folder, data[:keep(len(data))])


# Each case: (name, how to damage a copy of the tiny model, words the message must contain).
FOLDER_CASES = [
    ("empty safetensors", lambda f: _weights(f, b""), "empty"),
    ("7-byte safetensors", lambda f: _weights(f, b"\x01" * 7), "truncated"),
    ("truncated safetensors", lambda f: _cut(f, lambda n: n // 2), "truncated"),
    ("header length 2**63", lambda f: _weights(f, struct.pack("<Q", 2**63) + b"{}"), "header claims"),
    ("header not JSON", lambda f: _weights(f, struct.pack("<Q", 5) + b"{{{{{"), "not valid"),
    ("header nested 100000 deep", lambda f: _weights(f, safetensors({}, length=200000)[:8] + b"[" * 100000
                                                     + b"]" * 100000), "nested too deeply"),
    ("tensor of absurd shape", lambda f: _weights(f, safetensors(
        {"transformer.wte.weight": {"dtype": "F32", "shape": [10**12, 10**12], "data_offsets": [0, 16]}},
        b"\0" * 16)), "does not hold"),
    ("tensor with bogus dtype", lambda f: _weights(f, safetensors(
        {"w": {"dtype": "F1024", "shape": [2], "data_offsets": [0, 8]}}, b"\0" * 8)), "invalid"),
    ("overlapping tensors", lambda f: _weights(f, safetensors(
        {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
         "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}, b"\0" * 12)), "overlap"),
    ("header with no tensors", lambda f: _weights(f, safetensors({"__metadata__": {}})), "no tensors"),
    ("index pointing at a pickle", lambda f: (f / "model.safetensors.index.json").write_text(json.dumps(
        {"weight_map": {"transformer.wte.weight": "pytorch_model.bin"}})), "safetensors"),
    ("index pointing outside", lambda f: (f / "model.safetensors.index.json").write_text(json.dumps(
        {"weight_map": {"transformer.wte.weight": "../elsewhere.safetensors"}})), "own folder"),
    ("index not JSON", lambda f: (f / "model.safetensors.index.json").write_text("{"), "not valid"),
    ("config n_head=0", lambda f: edit_config(f, n_head=0), "impossible"),
    ("config n_head not dividing", lambda f: edit_config(f, n_head=3), "multiple"),
    ("config n_layer 10**9", lambda f: edit_config(f, n_layer=10**9), "layers"),
    ("config n_layer 2**40", lambda f: edit_config(f, n_layer=2**40), "impossible"),
    ("config n_layer 100000", lambda f: edit_config(f, n_layer=100000), "layers"),
    ("config n_layer as text", lambda f: edit_config(f, n_layer="2"), "impossible"),
    ("config bogus dtype", lambda f: edit_config(f, dtype="float1024"), "unknown number type"),
    ("config dtype a list", lambda f: edit_config(f, torch_dtype=["float32"]), "unknown number type"),
    ("config nested 100000 deep", lambda f: (f / "config.json").write_text("[" * 100000 + "]" * 100000),
     "nested too deeply"),
    ("config Infinity", lambda f: (f / "config.json").write_text('{"model_type": "gpt2", "n_embd": Infinity}'),
     "not valid"),
    ("config a list", lambda f: (f / "config.json").write_text("[1, 2]"), "not a model configuration"),
    ("config model_type a number", lambda f: edit_config(f, model_type=7), "architecture"),
    ("config asks for more layers than saved", lambda f: edit_config(f, n_layer=4), "random layers"),
    ("weights lack a tensor", lambda f: drop_tensor(f, "transformer.ln_f.weight"), "lack"),
    ("config wider than the weights", lambda f: edit_config(f, n_embd=4096, n_head=2), "do not match"),
    ("config with a huge vocabulary", lambda f: edit_config(f, vocab_size=2**30), "do not match"),
]

GGUF_CASES = [
    ("GGUF magic only", b"GGUF", "truncated"),
    ("GGUF absurd counts", gguf_header(tensors=2**60, fields=2**60) + b"\0" * 64, "header claims"),
    ("GGUF version 99", gguf_header(version=99) + b"\0" * 64, "version"),
    ("GGUF no tensors", gguf_header(tensors=0, fields=0) + b"\0" * 64, "header claims"),
    ("GGUF random body", gguf_header(tensors=2, fields=3) + os.urandom(4096), "GGUF"),
]


@pytest.fixture(scope="module")
def damaged(tiny_gpt2_dir, tmp_path_factory):
    """name -> path of each crafted model (folders and GGUF files), made once for the module."""
    root = tmp_path_factory.mktemp("damaged")
    made = {}
    for index, (name, damage, _) in enumerate(FOLDER_CASES):
        folder = copy_model(tiny_gpt2_dir, root / f"case{index}")
        damage(folder)
        made[name] = folder
    for index, (name, data, _) in enumerate(GGUF_CASES):
        path = root / f"case{index}.gguf"
        path.write_bytes(data)
        made[name] = path
    return made


ALL_CASES = [(name, words) for name, _, words in FOLDER_CASES] + [(name, words) for name, _, words in GGUF_CASES]


@pytest.mark.parametrize("name, words", ALL_CASES, ids=[name for name, _ in ALL_CASES])
def test_engine_refuses_with_one_line(damaged, name, words, hostile_tally):
    hostile_tally["cases tried"] += 1
    started = time.monotonic()
    try:
        load_model(str(damaged[name]), "cpu")
    except ModelLoadError as exc:
        message = str(exc)
    except BaseException:
        hostile_tally["tracebacks"] += 1
        raise
    else:
        pytest.fail(f"{name} was loaded")
    assert time.monotonic() - started < 20
    assert "\n" not in message and words in message, message


def test_truncated_real_gguf_is_one_line(tiny_gpt2_dir, tmp_path, monkeypatch, hostile_tally):
    pytest.importorskip("gguf")
    from tiny_models import write_gpt2_gguf

    monkeypatch.setenv("AIGC_DESKTOP_CACHE", str(tmp_path / "cache"))
    path = write_gpt2_gguf(tiny_gpt2_dir, tmp_path / "tiny.gguf")
    data = path.read_bytes()
    for keep in (30, 200, len(data) // 3, len(data) - 100):
        hostile_tally["cases tried"] += 1
        path.write_bytes(data[:keep])
        with pytest.raises(ModelLoadError) as info:
            load_model(str(path), "cpu")
        assert "\n" not in str(info.value)


def test_cli_gives_one_stderr_line_for_every_case(damaged, capsys, hostile_tally):
    """The CLI's own entry point, in this process (a fresh process per case costs seconds of imports)."""
    from aigc_desktop.cli import main

    for name, words in ALL_CASES:
        hostile_tally["cases tried"] += 1
        try:
            code = main(["continue", "--model", str(damaged[name]), "--device", "cpu", "Once upon a time"])
        except BaseException:
            hostile_tally["tracebacks"] += 1
            raise
        out, err = capsys.readouterr()
        assert code == 1 and out.strip() == "", (name, err)
        assert err.count("\n") == 1 and words in err, (name, err)


@pytest.mark.parametrize("name", ["truncated safetensors", "GGUF random body"])
def test_cli_process_gives_one_stderr_line(damaged, name, hostile_tally):
    hostile_tally["cases tried"] += 1
    result = subprocess.run([sys.executable, "-m", "aigc_desktop", "continue", "--model", str(damaged[name]),
                             "--device", "cpu", "Once upon a time"],
                            capture_output=True, text=True, timeout=120, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    if result.returncode < 0:
        hostile_tally["crashes"] += 1
    if "Traceback" in result.stderr:
        hostile_tally["tracebacks"] += 1
    assert result.returncode == 1 and result.stdout.strip() == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("aigc-desktop: error:"), result.stderr


def test_editor_shows_one_line_for_every_case(qtbot, make_window, damaged, capfd, hostile_tally):
    from aigc_desktop.ui.suggestion.worker import engine_loader

    window = make_window(engine_loader, model=str(damaged[ALL_CASES[0][0]]), device="cpu")
    for name, words in ALL_CASES:
        hostile_tally["cases tried"] += 1
        window.banner.dismiss()
        window.session.load_model(str(damaged[name]), "cpu")
        qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=30000)
        first = window.banner.text().split("\n")[0]
        assert words in first and str(damaged[name]) in first, (name, first)
        assert window.session.model_info is None
    err = capfd.readouterr().err
    if "Traceback" in err:
        hostile_tally["tracebacks"] += 1
    assert "Traceback" not in err


@pytest.mark.parametrize("blocks, words", [(10**9, "layers"), (4, "random layers"), (0, "layers")])
def test_gguf_whose_block_count_disagrees_with_its_tensors_is_refused_at_once(tiny_gpt2_dir, tmp_path, monkeypatch,
                                                                              blocks, words, hostile_tally):
    gguf = pytest.importorskip("gguf")
    from tiny_models import write_gpt2_gguf

    hostile_tally["cases tried"] += 1
    monkeypatch.setenv("AIGC_DESKTOP_CACHE", str(tmp_path / "cache"))
    real = gguf.GGUFWriter.add_block_count
    with monkeypatch.context() as patch:
        patch.setattr(gguf.GGUFWriter, "add_block_count", lambda self, n: real(self, blocks))
        path = write_gpt2_gguf(tiny_gpt2_dir, tmp_path / "crafted.gguf")
    started = time.monotonic()
    with pytest.raises(ModelLoadError, match=words) as info:
        load_model(str(path), "cpu")
    assert time.monotonic() - started < 20 and "\n" not in str(info.value)
