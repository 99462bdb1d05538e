"""ui/settings/settings_dialog.py: the Settings dialog shows, validates and returns generation settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
)

from aigc_desktop.ui.settings.generation_settings import GenerationSettings
from aigc_desktop.ui.settings.settings_dialog import SettingsDialog


@pytest.fixture
def dialog(qtbot):
    dlg = SettingsDialog(GenerationSettings(seed=7))
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    return dlg


def ok_button(dlg: SettingsDialog):
    return dlg.button_box.button(QDialogButtonBox.StandardButton.Ok)


def type_into(qtbot, widget, text: str) -> None:
    widget.selectAll()
    qtbot.keyClick(widget, Qt.Key.Key_Delete)
    if text.isascii():
        qtbot.keyClicks(widget, text)
    else:
        widget.insert(text)  # QTest can only type Latin-1 keys; paste the rest


def test_dialog_shows_the_given_settings(qtbot):
    given = GenerationSettings(
        model="gpt2-large",
        device="mps",
        max_new_tokens=300,
        temperature=1.2,
        top_k=10,
        top_p=0.9,
        repetition_penalty=1.1,
        seed=99,
        length_mode="sentence",
        stop_strings=("THE END", "\n\n"),
    )
    dlg = SettingsDialog(given)
    qtbot.addWidget(dlg)
    assert dlg.result_settings() == given
    assert dlg.temperature_spin.toolTip() == "0 = always the most likely word"
    assert ok_button(dlg).isEnabled()


def test_dialog_result_reflects_what_the_user_typed(qtbot, dialog):
    type_into(qtbot, dialog.model_edit, "uer/gpt2-chinese-cluecorpussmall")
    dialog.device_combo.setCurrentIndex(dialog.device_combo.findData("cpu"))
    type_into(qtbot, dialog.max_new_tokens_spin, "256")
    type_into(qtbot, dialog.temperature_spin, "0")
    type_into(qtbot, dialog.top_k_spin, "20")
    type_into(qtbot, dialog.top_p_spin, "0.8")
    type_into(qtbot, dialog.repetition_penalty_spin, "1.2")
    type_into(qtbot, dialog.seed_edit, "")
    dialog.length_combo.setCurrentIndex(dialog.length_combo.findData("sentence"))
    type_into(qtbot, dialog.stop_strings_edit, "THE END | \\n\\n |  ")

    assert dialog.result_settings() == GenerationSettings(
        model="uer/gpt2-chinese-cluecorpussmall",
        device="cpu",
        max_new_tokens=256,
        temperature=0.0,
        top_k=20,
        top_p=0.8,
        repetition_penalty=1.2,
        seed=None,
        length_mode="sentence",
        stop_strings=("THE END", "\n\n"),
    )
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_dialog_spin_boxes_clamp_to_their_ranges(qtbot, dialog):
    type_into(qtbot, dialog.max_new_tokens_spin, "99999")
    assert dialog.result_settings().max_new_tokens <= 2048
    dialog.top_p_spin.setValue(0)
    assert dialog.result_settings().top_p == 0.01
    dialog.temperature_spin.setValue(9)
    assert dialog.result_settings().temperature == 5.0
    dialog.repetition_penalty_spin.setValue(0.1)
    assert dialog.result_settings().repetition_penalty == 0.5


def test_dialog_blank_model_means_default(qtbot, dialog):
    type_into(qtbot, dialog.model_edit, "   ")
    assert dialog.result_settings().model == GenerationSettings.model


@pytest.mark.parametrize("bad_seed", ["12a", "-3", "1.5", "١٢", str(2**63)])
def test_dialog_invalid_seed_disables_ok(qtbot, dialog, bad_seed):
    assert ok_button(dialog).isEnabled()
    assert dialog.seed_error_label.isHidden()

    type_into(qtbot, dialog.seed_edit, bad_seed)
    assert not ok_button(dialog).isEnabled()
    assert not dialog.seed_error_label.isHidden()
    assert dialog.seed_error_label.text()
    dialog.accept()  # even a direct accept() is refused
    assert dialog.result() != QDialog.DialogCode.Accepted

    type_into(qtbot, dialog.seed_edit, "2024")
    assert ok_button(dialog).isEnabled()
    assert dialog.seed_error_label.isHidden()
    assert dialog.result_settings().seed == 2024


def test_dialog_browse_folder_fills_the_model(qtbot, dialog, monkeypatch, tmp_path):
    calls = []

    def fake_get_existing_directory(parent, caption, start):
        calls.append(start)
        return str(tmp_path)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", fake_get_existing_directory)
    qtbot.mouseClick(dialog.browse_button, Qt.MouseButton.LeftButton)
    assert Path(dialog.model_edit.text()) == tmp_path

    # Cancelling the folder dialog keeps the current model.
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: "")
    qtbot.mouseClick(dialog.browse_button, Qt.MouseButton.LeftButton)
    assert Path(dialog.model_edit.text()) == tmp_path
    assert len(calls) == 1


def test_dialog_cancel_rejects(qtbot, dialog):
    cancel = dialog.button_box.button(QDialogButtonBox.StandardButton.Cancel)
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Rejected
