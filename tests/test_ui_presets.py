"""Sampling presets, length modes and stop strings, from the window to the request the engine gets."""

from __future__ import annotations

from fake_backend import FakeBackend, fake_loader
from PySide6.QtGui import QTextCursor

from aigc_desktop.ui.suggestion.continuation import PENDING
from aigc_desktop.ui.settings.presets import BUILT_IN, Preset, from_json, to_json
from aigc_desktop.ui.settings.generation_settings import GenerationSettings
from aigc_desktop.ui.settings.settings_dialog import parse_stop_strings


def run_once(qtbot, window):
    window.editor.load_text("Go")
    window.editor.moveCursor(QTextCursor.MoveOperation.End)
    window.controller.continue_text()
    qtbot.waitUntil(lambda: window.controller.state == PENDING, timeout=5000)
    window.controller.reject()


def test_built_in_presets_and_json_round_trip():
    assert [p.name for p in BUILT_IN] == ["Precise", "Balanced", "Creative"]
    assert BUILT_IN[1].matches(GenerationSettings())  # the defaults are "Balanced"
    mine = [Preset("Poetry", 1.3, 0, 0.9, 1.05), Preset("诗", 0.7, 40, 0.9, 1.1)]
    assert from_json(to_json(mine)) == mine
    assert from_json('[{"name": "bad", "temperature": "hot"}, 3, {"name": ""}]') == []
    assert from_json("not json") == []


def test_choosing_a_preset_changes_the_request_and_shows_as_active(qtbot, make_window):
    backend = FakeBackend(pieces=[" x"])
    window = make_window(fake_loader(backend))
    assert window.presets.combo.currentText() == "Balanced"
    window.presets.combo.setCurrentIndex(window.presets.combo.findData("Creative"))
    window.presets.combo.activated.emit(window.presets.combo.currentIndex())
    run_once(qtbot, window)
    request = backend.requests[-1]
    assert (request.temperature, request.top_k, request.top_p) == (1.1, 0, 0.98)
    assert window.settings.generation().temperature == 1.1  # remembered
    assert window.presets.combo.currentText() == "Creative"


def test_user_preset_save_rename_delete_round_trip(qtbot, make_window):
    window = make_window(fake_loader(FakeBackend()), temperature=0.55)
    assert window.presets.combo.currentText() == "Custom"
    answers = iter(["Dialogue", "Dialogue 2"])
    window.presets.ask_text = lambda *args: next(answers)
    window.presets.save_action.trigger()
    assert [p.name for p in window.settings.user_presets()] == ["Dialogue"]
    assert window.settings.user_presets()[0].temperature == 0.55
    assert window.presets.combo.currentText() == "Dialogue"
    assert window.presets.rename_action.isEnabled()
    window.presets.rename_action.trigger()
    assert [p.name for p in window.settings.user_presets()] == ["Dialogue 2"]
    window.presets.delete_action.trigger()
    assert window.settings.user_presets() == []
    assert window.presets.combo.currentText() == "Custom"


def test_built_in_names_cannot_be_taken(qtbot, make_window):
    window = make_window(fake_loader(FakeBackend()), temperature=0.55)
    window.presets.ask_text = lambda *args: "Precise"
    window.presets.save_action.trigger()
    assert window.settings.user_presets() == []
    assert "built-in" in window.banner.text()


def test_length_modes_and_stop_strings_reach_the_engine(qtbot, make_window, app_settings):
    import dataclasses

    app_settings.save_generation(dataclasses.replace(
        GenerationSettings(), length_mode="paragraph", stop_strings=("THE END", "\n\n")))
    backend = FakeBackend(pieces=[" x"])
    window = make_window(fake_loader(backend))
    run_once(qtbot, window)
    request = backend.requests[-1]
    assert request.stop_at == "paragraph"
    assert request.stop_sequences == ("THE END", "\n\n")
    assert parse_stop_strings(" THE END |\\n\\n| |THE END") == ("THE END", "\n\n")
