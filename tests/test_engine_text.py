"""The engine's and document_io's messages, shown in the interface's language (the engine stays Qt-free)."""

from __future__ import annotations

import pytest
from test_translations import CJK, PROPER_NAMES, untranslated, visible_texts, zh_CN  # noqa: F401

from aigc_desktop.engine.errors import EngineError, ModelNotDownloadedError
from aigc_desktop.engine.model_files import check_gguf_file, check_model_folder
from aigc_desktop.ui.document_io import DocumentError, read_document
from aigc_desktop.ui.engine_text import localize


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
