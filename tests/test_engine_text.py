"""The engine's and document_io's messages, shown in the interface's language (the engine stays Qt-free)."""

from __future__ import annotations

import pytest
from fake_backend import FakeBackend, fake_loader
from test_translations import CJK, PROPER_NAMES, untranslated, visible_texts, zh_CN  # noqa: F401

from aigc_desktop.engine import errors
from aigc_desktop.engine.errors import EngineError, ModelNotDownloadedError
from aigc_desktop.engine.local.model_files import check_gguf_file, check_model_folder
from aigc_desktop.ui.document.document_io import DocumentError, read_document
from aigc_desktop.ui.suggestion.engine_text import localize


def real_messages(tmp_path) -> list[str]:
    """Messages as the engine and document_io really write them."""
    out = []
    (tmp_path / "empty").mkdir()
    (tmp_path / "file.txt").write_text("x")
    (tmp_path / "bin.dat").write_bytes(b"\0\1\2" * 10)
    (tmp_path / "noweights").mkdir()
    (tmp_path / "noweights" / "config.json").write_text("{}")
    for call in (lambda: check_model_folder(tmp_path / "missing"), lambda: check_model_folder(tmp_path / "file.txt"),
                 lambda: check_model_folder(tmp_path / "empty"), lambda: check_model_folder(tmp_path / "noweights"),
                 lambda: check_gguf_file(tmp_path / "missing.gguf"), lambda: check_gguf_file(tmp_path / "empty"),
                 lambda: check_gguf_file(tmp_path / "file.txt"),
                 lambda: read_document(str(tmp_path / "gone.md")), lambda: read_document(str(tmp_path / "empty")),
                 lambda: read_document(str(tmp_path / "bin.dat"))):
        with pytest.raises((EngineError, DocumentError)) as caught:
            call()
        out.append(str(caught.value))
    out.append(str(ModelNotDownloadedError("Model 'openai-community/gpt2' is not downloaded yet.")))
    return out


def test_every_real_message_is_in_chinese(zh_CN, tmp_path):  # noqa: F811
    for message in real_messages(tmp_path):
        shown = localize(message)
        assert CJK.search(shown), message
        assert not untranslated([("message", shown)], (*PROPER_NAMES, str(tmp_path), "config.json",
                                                       "save_pretrained", "safetensors", "GGUF")), shown


def test_nested_and_unknown_messages(zh_CN):  # noqa: F811
    nested = "Could not load model '/m': Model folder not found: /m"
    assert localize(nested) == "无法加载模型“/m”：找不到模型文件夹：/m"
    assert localize("Something new the engine says.") == "Something new the engine says."  # shown as it is


def test_english_interface_shows_them_unchanged(tmp_path):
    for message in real_messages(tmp_path):
        assert localize(message) == message


def test_first_start_offline_in_chinese_has_no_english_sentence(zh_CN, make_window, qtbot):  # noqa: F811
    def offline(source, device, allow_download=False, int8=False):
        raise ModelNotDownloadedError(f"Model '{source}' is not downloaded yet.")

    window = make_window(offline, model="openai-community/gpt2")
    assert window.banner.isVisible()
    texts = [(w, t) for w, t in visible_texts(window.banner) if t]
    assert not untranslated(texts, (*PROPER_NAMES, "openai-community/gpt2", "GGUF")), texts
    assert not untranslated([("status", window.status.model_label.text())], PROPER_NAMES)


# ----- every message shape a user can see, from the real failure paths ---------------------

MESSAGE_MODULES = ("engine/local/loading.py", "engine/local/model_files.py", "engine/local/model_fit.py", "engine/local/devices.py",
                   "engine/local/download.py", "ui/document/document_io.py")
# Parameters that stay as they are in Chinese text: file names, formats, options.
KEPT = (*PROPER_NAMES, "config.json", "save_pretrained", "safetensors", "GGUF", "JSON", "PyTorch", "pickle",
        "model_type", "weight_map", "tokenizer.json", "vocab.json", "vocab.txt", "gguf", "pip install", "CUDA", "GPU",
        "MPS", "Apple", "Metal", "--device cpu", "Hugging Face", "HF_HUB_OFFLINE", "BOM", "UTF-32", "GBK",
        "Windows-1252", "safe_serialization=True", "transformers", ".bin", "ID")


# The errors whose str() is shown to the user (a ValueError there is a programming error, not a message).
USER_FACING = {"DocumentError", *(name for name, value in vars(errors).items()
                                  if isinstance(value, type) and issubclass(value, EngineError))}


def message_shapes(modules=MESSAGE_MODULES, raised=USER_FACING) -> list[tuple[str, int, str]]:
    """(module, line, sentence with %s for each parameter) of every error of those names raised with a sentence
    in those modules."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "aigc_desktop"
    shapes = []
    for module in modules:
        for node in ast.walk(ast.parse((root / module).read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args
                    and node.func.id in raised):
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                shapes.append((module, node.lineno, first.value))
            elif isinstance(first, ast.JoinedStr):
                shapes.append((module, node.lineno, "".join(
                    part.value if isinstance(part, ast.Constant) else "%s" for part in first.values)))
    return shapes


def test_every_message_shape_in_the_engine_and_document_io_is_translated(zh_CN):  # noqa: F811
    """A new English sentence in those modules, without its translation, fails here."""
    shapes = message_shapes()
    assert len(shapes) > 60  # the AST walk really found them
    assert_shapes_translated(shapes, KEPT)


def assert_shapes_translated(shapes: list[tuple[str, int, str]], kept: tuple[str, ...]) -> None:
    """Each shape, its parameters filled with a path, is shown translated with no English left but `kept`."""
    for module, line, shape in shapes:
        sample = shape.replace("%s", "/data/x")
        shown = localize(sample)
        assert shown != sample, f"{module}:{line} has no translation: {shape!r}"
        assert not untranslated([("message", shown)], ("/data/x", *kept)), f"{module}:{line}: {shown!r}"


def document_failures(tmp_path, monkeypatch) -> list[str]:
    """Messages from document_io's real failure paths (OS errors root cannot cause are raised at the OS call)."""
    import codecs
    import errno
    import os

    from aigc_desktop.ui.document import document_io
    from aigc_desktop.ui.document.document_io import TextFormat, write_text_file_atomic

    files = {
        "latin1.txt": "café crème brûlée, naïve façade".encode("cp1252"),
        "utf32.txt": codecs.BOM_UTF32_LE + "hi".encode("utf-32-le"),
        "bad16.txt": codecs.BOM_UTF16_LE + b"\x00\xd8",  # a lone high surrogate
        "bin16.txt": codecs.BOM_UTF16_LE + "a\0b".encode("utf-16-le"),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    os.mkfifo(tmp_path / "pipe")
    out = []

    def fails(call) -> None:
        with pytest.raises(DocumentError) as caught:
            call()
        out.append(str(caught.value))

    for name in (*files, "pipe", "gone.txt"):
        fails(lambda name=name: read_document(tmp_path / name))
    fails(lambda: write_text_file_atomic(tmp_path, "x"))  # a folder as the target
    fails(lambda: write_text_file_atomic(tmp_path / "no" / "such" / "doc.txt", "x"))
    fails(lambda: write_text_file_atomic(tmp_path / "a.txt", "\ud800"))
    fails(lambda: write_text_file_atomic(tmp_path / "a.txt", "\ud800", TextFormat("utf-8", True)))
    fails(lambda: write_text_file_atomic(tmp_path / "a.txt", "\ud800", TextFormat("gb18030")))
    for code in (errno.EACCES, errno.EROFS, errno.ENOSPC, errno.EIO):
        with monkeypatch.context() as patch:
            patch.setattr(document_io.os, "replace", lambda *a, code=code: (_ for _ in ()).throw(
                OSError(code, os.strerror(code))))
            fails(lambda: write_text_file_atomic(tmp_path / "a.txt", "x"))
    for error in (PermissionError(errno.EACCES, "Permission denied"), MemoryError(),
                  OSError(errno.EIO, "Input/output error")):
        with monkeypatch.context() as patch:
            patch.setattr("builtins.open", lambda *a, error=error, **k: (_ for _ in ()).throw(error))
            fails(lambda: read_document(tmp_path / "latin1.txt"))
    return out


def test_document_failures_are_in_chinese(zh_CN, tmp_path, monkeypatch):  # noqa: F811
    messages = document_failures(tmp_path, monkeypatch)
    assert len(messages) == 18 and len(set(messages)) == 18
    # The OS's own reason ("Input/output error") is quoted after a Chinese sentence, as the OS gave it.
    kept = (str(tmp_path), *KEPT, "Input/output error")
    for message in messages:
        shown = localize(message)
        assert CJK.search(shown), message
        assert not untranslated([("message", shown)], kept), shown


def test_download_failures_are_in_chinese(zh_CN, hub_env, tiny_gpt2_dir, tmp_path, monkeypatch):  # noqa: F811
    import shutil

    from fake_hub import FakeHub
    from huggingface_hub import constants

    from aigc_desktop.engine.local.download import download
    from aigc_desktop.engine.errors import ModelLoadError

    repo = tmp_path / "repo"
    shutil.copytree(tiny_gpt2_dir, repo)
    data = (repo / "model.safetensors").read_bytes()
    bare = tmp_path / "bare"  # weights only: no config.json
    bare.mkdir()
    shutil.copy(repo / "model.safetensors", bare)
    pickled = tmp_path / "pickled"
    pickled.mkdir()
    (pickled / "config.json").write_text("{}")
    (pickled / "pytorch_model.bin").write_bytes(b"x")
    cases = [
        ("../../etc", {}, {}),
        ("acme/bare", {"acme/bare": bare}, {}),
        ("acme/pickled", {"acme/pickled": pickled}, {}),
        ("acme/tiny", {"acme/tiny": repo}, {"tamper": {"model.safetensors": {"body": data + b"\0" * 4096}}}),
        ("acme/tiny", {"acme/tiny": repo}, {"tamper": {"model.safetensors": {"body": data[:-1] + b"\1"}}}),
        ("acme/tiny", {"acme/tiny": repo}, {"tamper": {"model.safetensors": {"etag": "../../x"}}}),
        ("acme/tiny", {"acme/tiny": repo}, {"listed": ("../evil.safetensors",)}),
        ("acme/missing", {}, {}),  # the hub answers 404 for the file list
    ]
    messages = []
    for repo_id, repos, options in cases:
        shutil.rmtree(tmp_path / "hub-cache", ignore_errors=True)
        with FakeHub(repos, **options) as hub:
            hub_env(hub)
            with pytest.raises(ModelLoadError) as caught:
                download(repo_id)
        messages.append(str(caught.value))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(ModelLoadError) as caught:
        download("acme/tiny")
    messages.append(str(caught.value))
    assert len(set(messages)) == len(messages), messages
    for message in messages:
        shown = localize(message)
        assert CJK.search(shown), message
        # The hub's own answer (an HTTP error from huggingface_hub) is quoted after the Chinese sentence.
        quoted = message.split("from the hub: ", 1)[1] if "from the hub: " in message else "-"
        assert not untranslated([("message", shown)], (*KEPT, str(tmp_path), quoted, "acme/tiny", "acme/bare",
                                                       "acme/pickled", "model.safetensors", "../../etc",
                                                       "../evil.safetensors")), shown


def test_a_bad_document_opened_in_the_chinese_window_is_one_chinese_line(zh_CN, make_window, tmp_path):  # noqa: F811
    window = make_window(fake_loader(FakeBackend()))
    path = tmp_path / "notes.txt"
    path.write_bytes("naïve façade".encode("cp1252"))
    assert not window.document.open_file(str(path), ask_to_save=False)
    shown = [t for _, t in visible_texts(window.banner) if t and str(path) in t]
    assert shown and CJK.search(shown[0]) and "\n" not in shown[0]
    assert not untranslated([("banner", shown[0])], (*KEPT, str(path))), shown


def test_the_local_engines_device_label_is_chinese(zh_CN):  # noqa: F811
    assert localize("CPU fast int8") == "CPU 快速 int8"
    assert localize("CPU exact fp32") == "CPU 精确 fp32"
    assert localize("CUDA (bf16)") == "CUDA (bf16)"  # no such shape: as it is
