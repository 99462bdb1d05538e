"""Toolbar and menu icons: the desktop theme's own, else line icons bundled in resources/icons/actions.

A bundled icon is drawn in the palette's text colour at each size it is asked for (an SVG
rendered per size and device pixel ratio, never a scaled bitmap), so it stays sharp and
readable in the light and the dark theme. With a theme chosen in View → Theme the bundled
icons are used: the desktop's icons are drawn for the desktop's scheme, not the app's.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QIcon, QIconEngine, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

from ...resources import resource_path

BUNDLED = Path(__file__).resolve().parents[3] / "resources" / "icons" / "actions"

# window attribute (or collaborator.attribute) -> freedesktop icon name (also the bundled file's name). Actions with no fitting
# name (the probability and provenance views, candidates, presets but Delete) stay text-only.
ACTION_ICONS = {
    "new_action": "document-new",
    "open_action": "document-open",
    "save_action": "document-save",
    "save_as_action": "document-save-as",
    "export_action": "document-export",  # not in the specification, but in most themes
    "quit_action": "application-exit",
    "undo_action": "edit-undo",
    "redo_action": "edit-redo",
    "cut_action": "edit-cut",
    "copy_action": "edit-copy",
    "paste_action": "edit-paste",
    "select_all_action": "edit-select-all",
    "find_action": "edit-find",
    "find_next_action": "go-down",
    "find_previous_action": "go-up",
    "zoom_in_action": "zoom-in",
    "zoom_out_action": "zoom-out",
    "zoom_reset_action": "zoom-original",
    "full_screen_action": "view-fullscreen",
    "font_action": "preferences-desktop-font",
    "continue_action": "continue",  # no freedesktop name fits: always the bundled one
    "stop_action": "process-stop",
    "accept_action": "dialog-ok",
    "reject_action": "dialog-cancel",
    "regenerate_action": "view-refresh",
    "next_candidate_action": "go-next",
    "previous_candidate_action": "go-previous",
    "presets.delete_action": "edit-delete",
    "settings_action": "preferences-system",
    "about_action": "help-about",
    "shortcuts_action": "input-keyboard",
}


def bundled_folder() -> Path | None:
    found = resource_path("icons/actions/process-stop.svg")
    return found.parent if found is not None else (BUNDLED if BUNDLED.is_dir() else None)


class _TintedSvgEngine(QIconEngine):
    """An SVG with currentColor drawn in the palette's colour for the icon's mode."""

    def __init__(self, svg: str) -> None:
        super().__init__()
        self._svg = svg

    def _colour(self, mode: QIcon.Mode):
        palette = QApplication.palette()
        group = QPalette.ColorGroup.Disabled if mode == QIcon.Mode.Disabled else QPalette.ColorGroup.Active
        return palette.color(group, QPalette.ColorRole.ButtonText)

    def paint(self, painter: QPainter, rect, mode, state) -> None:
        svg = self._svg.replace("currentColor", self._colour(mode).name())
        QSvgRenderer(QByteArray(svg.encode("utf-8"))).render(painter, QRectF(rect))

    def pixmap(self, size: QSize, mode, state) -> QPixmap:
        pixmap = QPixmap(size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        self.paint(painter, pixmap.rect(), mode, state)
        painter.end()
        return pixmap

    def clone(self) -> QIconEngine:
        return _TintedSvgEngine(self._svg)


def bundled_icon(name: str) -> QIcon:
    folder = bundled_folder()
    path = folder / f"{name}.svg" if folder is not None else None
    if path is None or not path.is_file():
        return QIcon()
    try:
        svg = path.read_text(encoding="utf-8")
    except (OSError, UnicodeError):
        return QIcon()
    return QIcon(_TintedSvgEngine(svg))


def action_icon(name: str, follow_desktop: bool) -> QIcon:
    if follow_desktop and name != "continue" and QIcon.hasThemeIcon(name):
        return QIcon.fromTheme(name)
    return bundled_icon(name)


def window_action(window, path: str):
    """The action at `path` ("save_action", or "presets.delete_action" on a collaborator), or None."""
    found = window
    for attribute in path.split("."):
        found = getattr(found, attribute, None)
    return found


def apply_action_icons(window, theme: str) -> None:
    """Give the window's actions their icons (again after a theme change)."""
    for attribute, name in ACTION_ICONS.items():
        action = window_action(window, attribute)
        if action is not None:
            action.setIcon(action_icon(name, follow_desktop=theme == "system"))
