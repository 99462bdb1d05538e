"""Text from outside (server messages, model ids, file names, paths, model output) shown as text.

A QLabel, QMessageBox or tooltip renders anything that looks like HTML as rich
text, so a server that names its model `<img src='file:///dev/zero'>` could make
the editor read a device forever. Labels and message boxes that can hold such
text are set to plain text; tooltips, which have no such switch, are escaped.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox

Shown = TypeVar("Shown", QLabel, QMessageBox)


def plain(first: Shown, *others: QLabel | QMessageBox) -> Shown:
    """Show every later setText of these widgets as plain text; returns the first widget."""
    for widget in (first, *others):
        widget.setTextFormat(Qt.TextFormat.PlainText)
    return first


def ask_plain(parent, title: str, text: str, buttons, default) -> QMessageBox.StandardButton:
    """QMessageBox.question, with its text shown as plain text."""
    box = plain(QMessageBox(QMessageBox.Icon.Question, title, text, buttons, parent))
    box.setDefaultButton(default)
    return QMessageBox.StandardButton(box.exec())
