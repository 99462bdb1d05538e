"""Themes and comfort: light or dark (following the system by default), the editor font,
a distraction-free full-screen mode, and the list of keyboard shortcuts."""

from __future__ import annotations

import re

from PySide6.QtCore import QCollator, QLocale, Qt
from PySide6.QtGui import QColor, QGuiApplication, QKeySequence, QPalette
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QTableWidget, QTableWidgetItem, QVBoxLayout

from .icons import bundled_folder

THEMES = ("system", "light", "dark")
_SCHEMES = {"system": Qt.ColorScheme.Unknown, "light": Qt.ColorScheme.Light, "dark": Qt.ColorScheme.Dark}


def dark_palette() -> QPalette:
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: QColor(37, 37, 38), QPalette.ColorRole.WindowText: QColor(220, 220, 220),
        QPalette.ColorRole.Base: QColor(30, 30, 30), QPalette.ColorRole.AlternateBase: QColor(45, 45, 48),
        QPalette.ColorRole.Text: QColor(220, 220, 220), QPalette.ColorRole.Button: QColor(45, 45, 48),
        QPalette.ColorRole.ButtonText: QColor(220, 220, 220), QPalette.ColorRole.Highlight: QColor(38, 79, 120),
        QPalette.ColorRole.HighlightedText: QColor(255, 255, 255), QPalette.ColorRole.ToolTipBase: QColor(45, 45, 48),
        QPalette.ColorRole.ToolTipText: QColor(220, 220, 220), QPalette.ColorRole.PlaceholderText: QColor(140, 140, 140),
        QPalette.ColorRole.Link: QColor(86, 156, 214),
    }
    for role, colour in colours.items():
        palette.setColor(role, colour)
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(110, 110, 110))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor(110, 110, 110))
    return palette


def apply_theme(name: str) -> None:
    """Fusion draws both schemes fully. 'system' follows the desktop's light/dark setting;
    light and dark set the palette themselves too, for platforms that cannot switch schemes."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    app.setStyle("Fusion")
    QGuiApplication.styleHints().setColorScheme(_SCHEMES.get(name, Qt.ColorScheme.Unknown))
    if name == "dark":
        app.setPalette(dark_palette())
    elif name == "light":
        app.setPalette(app.style().standardPalette())
    else:
        app.setPalette(QPalette())  # the platform's own
    app.setStyleSheet(dark_controls_style() if is_dark() else "")


def dark_controls_style() -> str:
    """Fusion draws check boxes with an outline darker than the window: invisible on a dark one."""

    folder = bundled_folder()
    check = (folder / "check-on-dark.svg").as_posix() if folder is not None else ""
    return ("QCheckBox::indicator, QGroupBox::indicator { width: 14px; height: 14px; border: 1px solid #9a9a9a;"
            " border-radius: 3px; background: #1e1e1e; }"
            "QCheckBox::indicator:hover { border-color: #c8c8c8; }"
            "QCheckBox::indicator:disabled { border-color: #5a5a5a; }"
            f"QCheckBox::indicator:checked, QGroupBox::indicator:checked {{ background: #2f6fb3; "
            f"border-color: #5a9be0; image: url({check}); }}")


def is_dark() -> bool:
    return QApplication.palette().color(QPalette.ColorRole.Base).lightness() < 128


class ShortcutsDialog(QDialog):
    """Help → Keyboard Shortcuts, made from the window's actual actions (so it is never out of date)."""

    def __init__(self, actions, extra: tuple = (), parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Keyboard Shortcuts"))
        rows = []
        for action in actions:
            keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()]
            # "&Open…" -> "Open"; a translation's "打开(&O)…" -> "打开"
            text = re.sub(r"\(&\w\)", "", action.text()).split("\t")[0].replace("&", "").rstrip("…").strip()
            if keys and text:
                rows.append((text, ", ".join(keys)))
        rows.extend(extra)
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setHorizontalHeaderLabels([self.tr("Command"), self.tr("Keys")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)

        collator = QCollator(QLocale())  # by action, in the interface's language (pinyin order in Chinese)
        collator.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        rows = sorted(dict.fromkeys(rows), key=lambda r: collator.sortKey(r[0]))
        for row, (text, keys) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(text))
            self.table.setItem(row, 1, QTableWidgetItem(keys))
        self.table.resizeColumnsToContents()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(520, 560)

    def rows(self) -> list[tuple[str, str]]:
        return [(self._text(r, 0), self._text(r, 1)) for r in range(self.table.rowCount())]

    def _text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text() if item is not None else ""
