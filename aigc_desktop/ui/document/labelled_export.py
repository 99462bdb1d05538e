"""File > Export with AI Label: a copy of the document that says which text the model wrote."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QLocale, QObject, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from ..settings.user_settings import AppSettings
from ..window.message_banner import MessageBanner
from ..window.ui_guard import shows_failure
from .document import Document
from .document_io import DocumentError, write_text_file_atomic
from .provenance import LABELS


class LabelledExport(QObject):
    status_message = Signal(str, int)  # a passing message for the status bar, and for how many ms

    def __init__(self, window: QWidget, document: Document, settings: AppSettings, banner: MessageBanner,
                 model_name: Callable[[], str]) -> None:
        """model_name(): the name of the model loaded now ("" when none), for the label's {model}."""
        super().__init__(window)
        self._window = window
        self._document = document
        self._settings = settings
        self._banner = banner
        self._model_name = model_name

    def show_error(self, message: str, actions: tuple = ()) -> None:
        """A failure on the way to a dialog (see shows_failure)."""
        self._banner.show_error(message, actions)

    def default_ai_label(self) -> str:
        key = "zh_CN" if QLocale().name().startswith("zh") else "en"
        return self._settings.ai_label() or LABELS[key]

    def ask_export_path(self) -> str | None:
        """Where to write the labelled copy (tests replace this)."""
        path = self._document.path
        start = str(Path(path).with_suffix(".labelled" + Path(path).suffix)) if path else ""
        path, _ = QFileDialog.getSaveFileName(self._window, self.tr("Export with AI Label"), start,
                                              self.tr("Markdown (*.md);;HTML (*.html);;Text (*.txt)"))
        return path or None

    def ask_export_label(self, label: str, model: str, render) -> tuple[str, str] | None:
        """(label as typed, label with {model} filled in), or None if cancelled (tests replace this)."""

        from .export_dialog import ExportLabelDialog  # a dialog opened on demand: a broken one fails here

        dialog = ExportLabelDialog(label, model, render, self._window)
        if dialog.exec() != ExportLabelDialog.DialogCode.Accepted or not dialog.label():
            return None
        return dialog.label(), dialog.expanded_label()

    @shows_failure
    def export_with_label(self) -> bool:
        """A copy with an explicit AI label on top and, for Markdown/HTML, the AI-written parts marked."""
        from .provenance import export_text

        path = self.ask_export_path()
        if not path:
            return False
        suffix = Path(path).suffix.lower()
        kind = "markdown" if suffix in (".md", ".markdown") else "html" if suffix in (".html", ".htm") else "text"
        editor = self._document.editor
        text = editor.user_text()
        ranges = editor.provenance.user_ranges(editor.to_user_position)
        answer = self.ask_export_label(self.default_ai_label(), self._model_name(),
                                       lambda label: export_text(text, ranges, label, kind))
        if answer is None:
            return False
        label, expanded = answer
        self._settings.set_ai_label(label)
        content = export_text(text, ranges, expanded, kind)
        try:
            write_text_file_atomic(path, content)
        except DocumentError as exc:
            self._banner.show_error(str(exc))
            return False
        self.status_message.emit(self.tr("Exported %s") % path, 3000)
        return True
