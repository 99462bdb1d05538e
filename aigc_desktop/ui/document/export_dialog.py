"""File → Export with AI Label: the label line, edited with a live preview of the exported copy."""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout

PREVIEW_CHARS = 1200  # of the exported copy; enough to see the label and the first marks


def expand_label(label: str, model: str) -> str:
    """'{model}' becomes ' (model name)', or nothing when no model is known."""
    return label.replace("{model}", f" ({model})" if model else "")


class ExportLabelDialog(QDialog):
    def __init__(self, label: str, model: str, render, parent=None) -> None:
        """render(label) -> the exported text for that label line (already expanded)."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export with AI Label"))
        self._model, self._render = model, render
        self.label_edit = QLineEdit(label, self)
        self.label_edit.setMinimumWidth(480)
        self.label_edit.textChanged.connect(self._update_preview)
        hint = QLabel(self.tr("{model} is replaced by the model's name."), self)
        hint.setWordWrap(True)
        self.preview = QPlainTextEdit(self)
        self.preview.setReadOnly(True)
        self.preview.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        form = QFormLayout()
        form.addRow(self.tr("Label line:"), self.label_edit)
        form.addRow("", hint)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Export"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self._ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel(self.tr("Preview:"), self))
        layout.addWidget(self.preview, 1)
        layout.addWidget(buttons)
        self.resize(640, 420)
        self._update_preview()

    def label(self) -> str:
        """As typed (with {model}), to remember for next time."""
        return self.label_edit.text().strip()

    def expanded_label(self) -> str:
        return expand_label(self.label(), self._model)

    def _update_preview(self) -> None:
        self._ok.setEnabled(bool(self.label()))
        text = self._render(self.expanded_label())
        self.preview.setPlainText(text[:PREVIEW_CHARS] + ("…" if len(text) > PREVIEW_CHARS else ""))
