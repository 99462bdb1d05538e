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
from PySide6.QtWidgets import QApplication

from ..resources import resource_path

BUNDLED = Path(__file__).resolve().parents[2] / "resources" / "icons" / "actions"

# window attribute -> freedesktop icon name (also the bundled file's name)
ACTION_ICONS = {
    "new_action": "document-new",
    "open_action": "document-open",
    "save_action": "document-save",
    "continue_action": "continue",  # no freedesktop name fits: always the bundled one
    "stop_action": "process-stop",
    "accept_action": "dialog-ok",
    "reject_action": "dialog-cancel",
    "regenerate_action": "view-refresh",
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
        from PySide6.QtSvg import QSvgRenderer

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


def apply_action_icons(window, theme: str) -> None:
    """Give the window's actions their icons (again after a theme change)."""
    for attribute, name in ACTION_ICONS.items():
        action = getattr(window, attribute, None)
        if action is not None:
            action.setIcon(action_icon(name, follow_desktop=theme == "system"))
