"""The first start without a model: one true status, every way to a model, nothing downloaded unasked."""

from __future__ import annotations

import pytest
from fake_backend import FakeBackend, fake_loader
from PySide6.QtCore import QLocale

from aigc_desktop.engine.local.catalog import CHINESE_MODEL
from aigc_desktop.engine.errors import ModelNotDownloadedError
from aigc_desktop.ui.settings import first_run
from aigc_desktop.ui.settings.model_manager import ModelManagerDialog


def offline_loader(source, device, allow_download=False, int8=False):
    raise ModelNotDownloadedError(f"Model '{source}' is not downloaded yet.")


@pytest.fixture
def chinese_locale():
    old = QLocale()
    QLocale.setDefault(QLocale("zh_CN"))
    yield
    QLocale.setDefault(old)


def test_offline_first_start_says_no_model_yet_and_offers_gguf(qtbot, make_window):
    window = make_window(offline_loader, model="openai-community/gpt2")
    assert window.status.model_label.text() == "No model yet"
    assert window.status.state_label.text() == ""
    assert window.statusBar().currentMessage() == ""  # no "Loading …" left behind
    buttons = [b.text() for b in window.banner._buttons]
    assert buttons[0].startswith("Download (550")  # the size, before anything is fetched
    assert "Use a GGUF file…" in buttons and "Choose model folder…" in buttons
    assert buttons.index("Use a GGUF file…") == buttons.index("Choose model folder…") - 1


def test_the_old_banner_goes_when_another_model_loads(qtbot, make_window):
    calls = []

    def loader(source, device, allow_download=False, int8=False):
        calls.append(source)
        if len(calls) == 1:
            raise ModelNotDownloadedError(f"Model '{source}' is not downloaded yet.")
        return FakeBackend()

    window = make_window(loader)
    assert window.banner.isVisible()
    window.session.load_model("/models/other", "cpu")
    qtbot.waitUntil(lambda: window.session.model_info is not None, timeout=5000)
    assert not window.banner.isVisible()


def test_chinese_interface_is_offered_the_chinese_model_first(qtbot, make_window, chinese_locale, monkeypatch):
    monkeypatch.setattr("aigc_desktop.engine.local.catalog.is_downloaded", lambda repo_id: False)
    window = make_window(offline_loader, model="openai-community/gpt2")
    buttons = [b.text() for b in window.banner._buttons]
    assert buttons[0].startswith("Download Chinese GPT-2 (420")


def test_catalog_download_asks_first_with_the_size(qtbot, make_window, monkeypatch):
    window = make_window(fake_loader(FakeBackend()))
    asked = []
    monkeypatch.setattr(first_run, "ask", lambda parent, title, text: asked.append(text) or False)
    monkeypatch.setattr("aigc_desktop.engine.local.catalog.is_downloaded", lambda repo_id: False)
    opened = []
    monkeypatch.setattr(ModelManagerDialog, "exec", lambda self: opened.append(self))
    window.session.use_catalog_model(CHINESE_MODEL)
    assert len(asked) == 1 and "420.0 MB" in asked[0]
    assert opened == []  # declined: no dialog, no download


def test_models_dialog_marks_the_model_in_use_not_the_one_selected(qtbot):
    dialog = ModelManagerDialog("openai-community/gpt2", select=CHINESE_MODEL, download=lambda *a: None)
    qtbot.addWidget(dialog)
    rows = {dialog.table.item(r, 0).data(256): dialog.table.item(r, 4).text() for r in range(dialog.table.rowCount())}
    assert "in use" in rows["openai-community/gpt2"]
    assert "in use" not in rows[CHINESE_MODEL]
    assert dialog.selected().repo_id == CHINESE_MODEL
    assert not dialog.table.wordWrap()
    dialog.reject()  # ends its download thread


def test_a_gguf_file_is_converted_once_and_the_window_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("AIGC_DESKTOP_CACHE", str(tmp_path / "cache"))
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF" + b"\0" * 64)
    assert first_run.converting_gguf(str(gguf))
    from aigc_desktop.engine.local.model_files import gguf_cache_folder

    cached = gguf_cache_folder(gguf)
    cached.mkdir(parents=True)
    (cached / "config.json").write_text("{}")
    (cached / "model.safetensors").write_bytes(b"")
    assert not first_run.converting_gguf(str(gguf))
    assert not first_run.converting_gguf("openai-community/gpt2")


def test_cli_help_names_gguf(capsys):
    from aigc_desktop.cli import continue_parser

    assert ".gguf" in continue_parser().format_help()


def test_a_dialog_that_cannot_open_says_so(qtbot, make_window, monkeypatch):
    import sys

    window = make_window(fake_loader(FakeBackend()))
    monkeypatch.setitem(sys.modules, "aigc_desktop.ui.settings.model_manager", None)  # its import now fails
    window.models_action.trigger()
    assert "could not be opened" in window.banner.text()
    monkeypatch.setitem(sys.modules, "aigc_desktop.ui.document.export_dialog", None)
    window.export.ask_export_path = lambda: "/tmp/never-written.md"
    window.export_action.trigger()
    assert "could not be opened" in window.banner.text()


def test_the_worker_passes_a_real_gguf_conversion_on_step_by_step(qtbot, tiny_gpt2_dir, tmp_path, monkeypatch):
    pytest.importorskip("gguf")
    from tiny_models import write_gpt2_gguf

    from aigc_desktop.ui.suggestion.worker import GenerationWorker

    monkeypatch.setenv("AIGC_DESKTOP_CACHE", str(tmp_path / "cache"))
    path = str(write_gpt2_gguf(tiny_gpt2_dir, tmp_path / "tiny.q8_0.gguf", quantised=True))
    worker = GenerationWorker()  # the real engine loader
    steps = []
    worker.load_progress.connect(lambda source, done, total: steps.append((source, done, total)))
    with qtbot.waitSignal(worker.loaded, timeout=120000):
        worker.load(path, "cpu", False, False)
    qtbot.waitUntil(lambda: bool(steps) and steps[-1][1] == steps[-1][2])
    assert {source for source, _, _ in steps} == {path}
    assert [done for _, done, _ in steps] == list(range(1, steps[-1][2] + 1)) and steps[-1][2] > 10


def test_the_status_bar_shows_the_conversion_and_says_it_happens_once(make_window):
    window = make_window(fake_loader(FakeBackend()))
    window.status.load_progress.show()
    window.session.host.worker.load_progress.emit("/models/SmolLM2.gguf", 68, 273)  # as the loading thread does
    assert (window.status.load_progress.minimum(), window.status.load_progress.maximum()) == (0, 273)
    assert window.status.load_progress.value() == 68
    message = window.statusBar().currentMessage()
    assert "SmolLM2.gguf" in message and "24%" in message and "once" in message
    window.session.host.worker.load_progress.emit("/models/SmolLM2.gguf", 273, 273)
    assert window.status.load_progress.maximum() == 0  # busy again: the rest of loading has no steps to count
    message = window.statusBar().currentMessage()
    assert "SmolLM2.gguf" in message and "finishing" in message and "%" not in message


def test_the_conversion_message_is_chinese_in_the_chinese_interface(qapp, make_window):
    from test_translations import CJK

    from aigc_desktop.app import install_translations

    translators = install_translations(qapp, "zh_CN")
    try:
        window = make_window(fake_loader(FakeBackend()))
        first_run.show_load_progress(window.status, "/models/SmolLM2.gguf", 1, 4)
        message = window.statusBar().currentMessage()
        assert CJK.search(message) and "25%" in message
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)
