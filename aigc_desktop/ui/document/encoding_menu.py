"""File > Save with Encoding: the encodings and line endings a document can be saved in, the current one checked."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import QMenu, QWidget

from .document import Document
from .document_io import NEWLINES, SAVE_ENCODINGS, TextFormat


def encoding_text(fmt: TextFormat) -> str:
    """fmt.encoding_label as the interface language says it (the names themselves stay)."""
    if fmt.encoding == "utf-8" and fmt.bom:
        return QCoreApplication.translate("EncodingMenu", "UTF-8 with BOM")
    return fmt.encoding_label


def format_text(fmt: TextFormat) -> str:
    """The status bar's words for a file format: encoding · line endings."""
    return f"{encoding_text(fmt)} · {fmt.newline_label}"


class EncodingMenu(QMenu):
    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Save with &Encoding"))
        self._document = document
        self._encoding_group = QActionGroup(self)
        self.encoding_actions = {}
        for encoding, bom in SAVE_ENCODINGS:
            action = self.addAction(encoding_text(TextFormat(encoding, bom)))
            action.setCheckable(True)
            action.triggered.connect(lambda _=False, e=encoding, b=bom: document.save_with_encoding(e, b))
            self._encoding_group.addAction(action)
            self.encoding_actions[(encoding, bom)] = action
        self.addSeparator()
        self._newline_group = QActionGroup(self)
        self.newline_actions = {}
        for newline, label in NEWLINES.items():
            if newline == "\r":
                continue  # kept when found, never offered
            action = self.addAction(self.tr("%s line endings") % label)
            action.setCheckable(True)
            action.triggered.connect(lambda _=False, n=newline: document.save_with_newline(n))
            self._newline_group.addAction(action)
            self.newline_actions[newline] = action
        document.format_changed.connect(self.show_format)
        self.show_format()

    def show_format(self) -> None:
        fmt = self._document.text_format
        for key, action in self.encoding_actions.items():
            action.setChecked(key == (fmt.encoding, fmt.bom))
        for newline, action in self.newline_actions.items():
            action.setChecked(newline == fmt.newline)
