"""Menu and toolbar icons: each action with a fitting freedesktop name has one, with a bundled line icon
drawn in the palette's text colour (light and dark alike)."""

from __future__ import annotations

import re

import pytest
from fake_backend import FakeBackend, fake_loader
from PySide6.QtGui import QColor, QIcon, QPalette

from aigc_desktop.ui.window.icons import ACTION_ICONS, BUNDLED, action_icon, bundled_icon, window_action


def ink(icon: QIcon, size: int = 24) -> set[str]:
    """The colours of the icon's (nearly) opaque pixels at size: a line icon drawn sharp has some even at 16 px."""
    image = icon.pixmap(size, size).toImage()
    colours = set()
    for y in range(image.height()):
        for x in range(image.width()):
            colour = image.pixelColor(x, y)
            if colour.alpha() >= 200:
                colours.add(colour.name())
    return colours


def near(colour: str, wanted: str) -> bool:
    a, b = QColor(colour), QColor(wanted)
    return max(abs(a.red() - b.red()), abs(a.green() - b.green()), abs(a.blue() - b.blue())) <= 8


def test_every_named_action_exists_in_the_window_and_has_its_icon(make_window):
    window = make_window(fake_loader(FakeBackend()))
    missing = [attribute for attribute in ACTION_ICONS if window_action(window, attribute) is None]
    assert not missing, f"no such action in the window: {missing}"
    menu_actions = {a for menu in window.menuBar().findChildren(type(window.generate_menu)) for a in menu.actions()}
    for attribute in ACTION_ICONS:
        action = window_action(window, attribute)
        assert action in menu_actions, attribute  # every one is reachable from a menu
        assert not action.icon().isNull() and not action.icon().pixmap(16, 16).isNull(), attribute
    assert len(ACTION_ICONS) >= 30


@pytest.mark.parametrize("name", sorted(set(ACTION_ICONS.values())))
def test_bundled_icon_is_a_line_drawing_in_the_text_colour(qapp, name):
    svg = (BUNDLED / f"{name}.svg").read_text(encoding="utf-8")
    assert 'stroke="currentColor"' in svg and 'viewBox="0 0 24 24"' in svg
    assert not re.search(r"#[0-9a-fA-F]{3,6}\b", svg)  # no fixed colour: it follows the theme
    original = qapp.palette()
    try:
        for text in ("#1f1f1f", "#e8e8e8"):  # the light theme's text, the dark theme's
            palette = QPalette(original)
            palette.setColor(QPalette.ColorGroup.Active, QPalette.ColorRole.ButtonText, QColor(text))
            qapp.setPalette(palette)
            for size in (16, 24, 48):  # drawn again at each size: no scaled bitmap
                colours = ink(bundled_icon(name), size)
                assert colours and all(near(c, text) for c in colours), (name, text, size, colours)
    finally:
        qapp.setPalette(original)


def test_a_theme_chosen_in_the_app_uses_the_bundled_icons(qapp):
    assert ink(action_icon("edit-undo", follow_desktop=False)) == ink(bundled_icon("edit-undo"))
