"""Text from outside (server and model names, error text, file names, model output) is shown as
plain text in every label, message strip, dialog and tooltip: never rendered as HTML."""

from __future__ import annotations

from fake_backend import FakeBackend, fake_loader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox

from aigc_desktop.ui.window import plain_text

HOSTILE = "<img src='file:///dev/zero'><b>bold</b><a href='x'>link</a> & <script>"
PLAIN = Qt.TextFormat.PlainText


def hostile_backend():
    backend = FakeBackend(["a", " continuation"])
    backend.name = HOSTILE
    backend.device_label = "server " + HOSTILE
    return backend


def test_status_bar_and_message_strip_show_server_names_as_text(qtbot, make_window, hostile_tally):
    hostile_tally["cases tried"] += 1
    window = make_window(fake_loader(hostile_backend()), model=HOSTILE)
    assert HOSTILE in window.status.model_label.text()
    for label in (window.status.model_label, window.status.state_label, window.status.speed_label, window.status.context_label,
                  window.status.privacy_label, window.banner.label, window.recovery_banner.label):
        assert label.textFormat() == PLAIN
    window.show_error("Server said: " + HOSTILE)
    assert window.banner.text() == "Server said: " + HOSTILE
    window.banner.label.grab()  # laid out and painted as text: no image is fetched


def test_the_candidates_panel_shows_model_output_as_text(qtbot, make_window, hostile_tally):
    hostile_tally["cases tried"] += 1
    window = make_window(fake_loader(hostile_backend()))
    window.controller._candidates = [HOSTILE, "<i>two</i>"]  # what two runs of a server could return
    window.candidates.show_candidates_popup()
    panel = window.candidates.candidates_panel
    shown = {label.text(): label.textFormat() for label in panel.findChildren(QLabel)}
    panel.close()
    assert shown.get(HOSTILE.strip("\n")) == Qt.TextFormat.PlainText
    assert shown.get("<i>two</i>") == Qt.TextFormat.PlainText


def test_message_boxes_with_file_names_are_plain_text(qtbot, make_window, tmp_path, monkeypatch, hostile_tally):
    hostile_tally["cases tried"] += 1
    window = make_window(fake_loader(FakeBackend()))
    seen = []

    def fake_exec(box):
        seen.append((box.textFormat(), box.text()))
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    window.document.path = str(tmp_path / (HOSTILE.replace("/", "_") + ".txt"))
    del window.document.ask_save_changes  # the real dialog, not the test's stand-in
    window.document.ask_save_changes()
    window.document.ask_open_large_file(window.document.path, 50 << 20)
    window.document.ask_reload_changed_file(window.document.path)
    assert len(seen) == 3
    for text_format, text in seen:
        assert text_format == PLAIN and "<img src='file:___dev_zero'>" in text


def test_dialogs_quote_servers_and_hubs_as_text(qtbot, make_window, hostile_tally):
    hostile_tally["cases tried"] += 1
    from aigc_desktop.ui.settings.model_manager import ModelManagerDialog

    window = make_window(fake_loader(FakeBackend()))
    dialog = ModelManagerDialog("gpt2")  # no parent: its download thread must stop before the window goes
    qtbot.addWidget(dialog)
    try:
        assert dialog.message.textFormat() == PLAIN and dialog.progress_label.textFormat() == PLAIN
    finally:
        dialog.done(0)
    from aigc_desktop.ui.settings.settings_dialog import SettingsDialog

    settings = SettingsDialog(window.generation_settings())
    qtbot.addWidget(settings)
    assert settings.server_message.textFormat() == PLAIN


def test_plain_helper_sets_every_widget():
    from PySide6.QtWidgets import QLabel

    a, b = QLabel(), QLabel()
    assert plain_text.plain(a, b) is a
    assert a.textFormat() == b.textFormat() == PLAIN
