"""Themes, font, distraction-free mode and the shortcut list."""

from __future__ import annotations

from fake_backend import FakeBackend, fake_loader
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QPalette

from aigc_desktop.ui.window.appearance import is_dark


def test_theme_choice_is_applied_and_remembered(qtbot, make_window, app_settings):
    window = make_window(fake_loader(FakeBackend()))
    assert window.view.theme_actions["system"].isChecked()
    window.view.theme_actions["dark"].trigger()
    assert is_dark()
    qtbot.waitUntil(lambda: window.editor.palette().color(QPalette.ColorRole.Base).lightness() < 128, timeout=2000)
    assert app_settings.theme() == "dark" and window.view.theme_actions["dark"].isChecked()
    assert not window.view.theme_actions["light"].isChecked()
    window.view.theme_actions["light"].trigger()
    assert not is_dark()
    window.view.theme_actions["system"].trigger()
    assert app_settings.theme() == "system"


def test_editor_font_is_remembered(qtbot, make_window, app_settings):
    window = make_window(fake_loader(FakeBackend()))
    font = QFont("DejaVu Serif", 15)
    window.view.set_editor_font(font)
    assert app_settings.font_family() == "DejaVu Serif" and app_settings.font_point_size() == 15
    again = make_window(fake_loader(FakeBackend()))
    assert again.editor.font().family() == "DejaVu Serif" and again.editor.font().pointSize() == 15


def test_distraction_free_mode_hides_the_bars_and_esc_leaves(qtbot, make_window):
    window = make_window(fake_loader(FakeBackend()))
    window.full_screen_action.trigger()
    assert window.full_screen_action.isChecked()
    assert not window.menuBar().isVisible() and not window.toolbar.isVisible() and not window.statusBar().isVisible()
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.full_screen_action.isChecked()
    assert window.menuBar().isVisible() and window.statusBar().isVisible()


def test_shortcut_list_comes_from_the_actions(qtbot, make_window):
    window = make_window(fake_loader(FakeBackend()))
    window.shortcuts_action.trigger()
    rows = dict(window.shortcuts_dialog.rows())
    assert rows["Continue"] == "Ctrl+Return, Ctrl+Enter"
    assert rows["Regenerate"] == "Ctrl+R"
    assert rows["Accept the next word"] == "Ctrl+Right"
    assert "Show Probabilities" in rows and "Next Candidate" in rows
    window.shortcuts_dialog.close()


def test_f11_toggles_full_screen_and_is_listed(qtbot, make_window):
    window = make_window(fake_loader(FakeBackend()))
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    assert "F11" in [k.toString() for k in window.full_screen_action.shortcuts()]
    qtbot.keyClick(window.editor, Qt.Key.Key_F11)
    assert window.full_screen_action.isChecked() and not window.menuBar().isVisible()
    qtbot.keyClick(window.editor, Qt.Key.Key_F11)
    assert not window.full_screen_action.isChecked() and window.menuBar().isVisible()
    window.shortcuts_action.trigger()
    rows = window.shortcuts_dialog.rows()
    assert dict(rows)["Distraction-Free Mode"].startswith("F11")
    names = [name.lower() for name, _ in rows]
    assert names == sorted(names)  # by action
    window.shortcuts_dialog.close()


def test_text_column_is_centred_with_a_width_setting(qtbot, make_window, app_settings):
    window = make_window(fake_loader(FakeBackend()))
    window.resize(1200, 700)
    qtbot.waitUntil(lambda: window.editor.viewportMargins().left() > 100, timeout=2000)
    margins = window.editor.viewportMargins()
    assert margins.left() == margins.right()  # centred
    window.view.set_text_width(0)
    assert app_settings.text_width() == 0
    assert window.editor.viewportMargins().left() == 24  # full width still keeps a margin
    window.view.text_width_actions[90].trigger()
    assert app_settings.text_width() == 90 and window.editor.viewportMargins().left() > 24


def test_banner_is_readable_in_the_dark_theme(qtbot, make_window):
    from PySide6.QtGui import QColor

    from aigc_desktop.ui.window.message_banner import _COLOURS

    window = make_window(fake_loader(FakeBackend()))
    window.view.theme_actions["dark"].trigger()
    window.show_error("Something went wrong")
    background, _border, text = _COLOURS[("error", True)]
    assert abs(QColor(background).lightness() - QColor(text).lightness()) > 150
    assert text in window.banner.styleSheet() and "QToolButton" in window.banner.styleSheet()  # the × too
    window.view.theme_actions["light"].trigger()
    assert _COLOURS[("error", False)][0] in window.banner.styleSheet()

