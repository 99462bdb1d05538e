"""The model manager: pick a catalog model, download it with progress, or use a local folder / GGUF file.

Downloads run in their own QThread, so the current model keeps working (and
the generation worker keeps its thread) while a new one arrives.
"""

from __future__ import annotations

import sys
import traceback
from html import escape
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ...engine.errors import EngineError
from ...engine.local.catalog import CATALOG, CatalogEntry, is_downloaded
from ...engine.local.model_files import check_gguf_file, check_model_folder
from ...engine.text.stop_flag import StopFlag
from ..suggestion.engine_text import localize

# The catalog (engine/local/catalog.py) is plain English data; these marks put its visible
# texts in the translation catalogue. tests/test_translations.py checks they match it.
_CATALOG_TEXTS = (
    QT_TRANSLATE_NOOP("ModelManagerDialog", "English"),
    QT_TRANSLATE_NOOP("ModelManagerDialog", "Chinese"),
    QT_TRANSLATE_NOOP("ModelManagerDialog", "GPT-2 Chinese (102M)"),
    QT_TRANSLATE_NOOP("ModelManagerDialog",
                      "The default: quick on any laptop CPU, good for drafting English prose."),
    QT_TRANSLATE_NOOP("ModelManagerDialog", "A smaller, faster GPT-2 for slow machines; a little less fluent."),
    QT_TRANSLATE_NOOP("ModelManagerDialog", "More coherent English; comfortable on a recent CPU or any GPU."),
    QT_TRANSLATE_NOOP("ModelManagerDialog", "Noticeably better English; a GPU or fast CPU mode is recommended."),
    QT_TRANSLATE_NOOP("ModelManagerDialog", "The largest GPT-2; best with a GPU with 8 GB or more."),
    QT_TRANSLATE_NOOP("ModelManagerDialog", "中文 GPT-2 (CLUECorpusSmall), with a BERT character vocabulary: "
                                            "continues Chinese text."),
)


def human_bytes(count: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count:.0f} {unit}" if unit in ("B", "KB") else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count:.1f} GB"


def human_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 60:
        return QCoreApplication.translate("ModelManagerDialog", "%.0f s") % seconds
    return QCoreApplication.translate("ModelManagerDialog", "%.0f min %.0f s") % (seconds // 60, seconds % 60)


def engine_download(repo_id: str, on_progress, cancel: StopFlag) -> str:
    from ...engine.local.download import download  # huggingface_hub only; no torch

    return download(repo_id, on_progress, cancel)


class DownloadWorker(QObject):
    progress = Signal(object)  # engine.download.Progress
    finished = Signal(str, str)  # repo id, snapshot folder
    failed = Signal(str, str)  # repo id, message
    cancelled = Signal(str)

    def __init__(self, download: Callable = engine_download) -> None:
        super().__init__()
        self._download = download

    @Slot(str, object)
    def run(self, repo_id: str, cancel: StopFlag) -> None:
        from ...engine.local.download import DownloadCancelled

        try:
            snapshot = self._download(repo_id, self.progress.emit, cancel)
        except DownloadCancelled:
            self.cancelled.emit(repo_id)
        except EngineError as exc:
            self.failed.emit(repo_id, str(exc))
        except Exception as exc:  # never let a network surprise take the editor down
            traceback.print_exc(file=sys.stderr)
            self.failed.emit(repo_id, self.tr("Download failed: %s") % exc)
        else:
            self.finished.emit(repo_id, snapshot)


class ModelManagerDialog(QDialog):
    model_chosen = Signal(str)  # a hub id, a model folder or a GGUF file, to load now
    _start = Signal(str, object)

    COLUMNS = (QT_TRANSLATE_NOOP("ModelManagerDialog", "Model"), QT_TRANSLATE_NOOP("ModelManagerDialog", "Language"),
               QT_TRANSLATE_NOOP("ModelManagerDialog", "Download"), QT_TRANSLATE_NOOP("ModelManagerDialog", "Memory"),
               QT_TRANSLATE_NOOP("ModelManagerDialog", "Status"))

    def __init__(self, current: str = "", parent=None, download: Callable = engine_download,
                 select: str | None = None) -> None:
        """current: the model in use (marked so); select: the row to start on (default: current)."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Models"))
        self.resize(860, 420)
        self._current = current
        self._cancel: StopFlag | None = None
        self._downloading: str | None = None

        self.table = QTableWidget(len(CATALOG), len(self.COLUMNS), self)
        self.table.setHorizontalHeaderLabels([self.tr(str(c)) for c in self.COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)  # one line a row; the full description is shown below the table
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(self.COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemDoubleClicked.connect(lambda *_: self._use_selected())
        self.description = QLabel(self)
        self.description.setWordWrap(True)
        self.message = QLabel(self)
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # hub errors and paths
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = QProgressBar(self)
        self.progress.hide()
        self.progress_label = QLabel(self)
        self.progress_label.setTextFormat(Qt.TextFormat.PlainText)
        self.progress_label.hide()

        self.download_button = QPushButton(self.tr("Download"), self)
        self.use_button = QPushButton(self.tr("Use this model"), self)
        self.cancel_button = QPushButton(self.tr("Cancel download"), self)
        self.folder_button = QPushButton(self.tr("Use a local folder…"), self)
        self.gguf_button = QPushButton(self.tr("Use a GGUF file…"), self)
        self.close_button = QPushButton(self.tr("Close"), self)
        self.download_button.clicked.connect(self._download_selected)
        self.use_button.clicked.connect(self._use_selected)
        self.cancel_button.clicked.connect(self.cancel_download)
        self.folder_button.clicked.connect(self._choose_folder)
        self.gguf_button.clicked.connect(self._choose_gguf)
        self.close_button.clicked.connect(self.close)

        buttons = QHBoxLayout()
        for button in (self.download_button, self.use_button, self.cancel_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        for button in (self.folder_button, self.gguf_button, self.close_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.description)
        layout.addWidget(self.progress)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

        self._thread = QThread(self)
        self._thread.setObjectName("model-download")
        self._worker = DownloadWorker(download)
        self._worker.moveToThread(self._thread)
        self._start.connect(self._worker.run)
        self._worker.progress.connect(self._on_progress)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)
        self._worker.cancelled.connect(self._on_cancelled)
        self._thread.start()

        self.refresh()
        row = next((i for i, e in enumerate(CATALOG) if e.repo_id == (select or current)), 0)
        self.table.selectRow(row)

    # ----- state -------------------------------------------------------------
    def refresh(self) -> None:
        for row, entry in enumerate(CATALOG):
            status = self.tr("Downloaded") if is_downloaded(entry.repo_id) else self.tr("Not downloaded")
            if entry.repo_id == self._current:
                status += self.tr(" · in use")
            cells = (self.tr(entry.title), self.tr(entry.language), human_bytes(entry.download_bytes),
                     human_bytes(entry.memory_bytes), status)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, entry.repo_id)
                self.table.setItem(row, column, item)
        self._update_buttons()

    def selected(self) -> CatalogEntry | None:
        rows = self.table.selectionModel().selectedRows()
        return CATALOG[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        entry = self.selected()
        busy = self._downloading is not None
        downloaded = entry is not None and is_downloaded(entry.repo_id)
        self.download_button.setEnabled(entry is not None and not busy and not downloaded)
        self.use_button.setEnabled(entry is not None and downloaded)
        self.cancel_button.setEnabled(busy)
        self.cancel_button.setVisible(busy)
        if entry is not None:
            self.description.setText(f"<b>{escape(entry.repo_id)}</b> — {escape(self.tr(entry.description))}")

    # ----- actions -----------------------------------------------------------
    def _download_selected(self) -> None:
        entry = self.selected()
        if entry is not None:
            self.start_download(entry.repo_id)

    def start_download(self, repo_id: str) -> None:
        if self._downloading is not None:
            return
        self._downloading = repo_id
        self._cancel = StopFlag()
        self.message.setText("")
        self.progress.setRange(0, 0)
        self.progress.show()
        self.progress_label.setText(self.tr("Connecting…"))
        self.progress_label.show()
        self._update_buttons()
        self._start.emit(repo_id, self._cancel)

    def cancel_download(self) -> None:
        if self._cancel is not None:
            self._cancel.request_stop()

    def _use_selected(self) -> None:
        entry = self.selected()
        if entry is not None and is_downloaded(entry.repo_id):
            self._choose(entry.repo_id)

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Choose a model folder"))
        if folder:
            self.use_path(folder)

    def _choose_gguf(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Choose a GGUF model file"), "",
                                              self.tr("GGUF models (*.gguf);;All files (*)"))
        if path:
            self.use_path(path)

    def use_path(self, path: str) -> bool:
        """Check a picked folder or GGUF file at once and say precisely what is wrong with it."""
        target = Path(path)
        try:
            if target.is_file() or target.suffix.lower() == ".gguf":
                check_gguf_file(target)
            else:
                check_model_folder(target)
        except EngineError as exc:
            self.message.setText(localize(str(exc)))
            return False
        self._choose(str(target))
        return True

    def _choose(self, source: str) -> None:
        self.model_chosen.emit(source)
        self.accept()

    # ----- worker signals ----------------------------------------------------
    def _on_progress(self, progress) -> None:
        total = max(1, progress.total_bytes)
        self.progress.setRange(0, 1000)
        self.progress.setValue(int(1000 * progress.done_bytes / total))
        speed = human_bytes(progress.bytes_per_second) + "/s" if progress.bytes_per_second else "—"
        self.progress_label.setText(self.tr("%s of %s · %s · %s left") % (
            human_bytes(progress.done_bytes), human_bytes(progress.total_bytes), speed,
            human_seconds(progress.seconds_left)))

    def _end_download(self) -> None:
        self._downloading = None
        self._cancel = None
        self.progress.hide()
        self.progress_label.hide()
        self.refresh()

    def _on_finished(self, repo_id: str, _snapshot: str) -> None:
        self._end_download()
        self.message.setText(self.tr("%s is downloaded.") % repo_id)
        row = next((i for i, e in enumerate(CATALOG) if e.repo_id == repo_id), None)
        if row is not None:
            self.table.selectRow(row)

    def _on_failed(self, repo_id: str, message: str) -> None:
        self._end_download()

        self.message.setText(localize(message))  # the buttons below offer a folder or a GGUF file

    def _on_cancelled(self, repo_id: str) -> None:
        self._end_download()
        self.message.setText(self.tr("Download cancelled; it resumes where it stopped next time."))

    def done(self, result: int) -> None:
        self.cancel_download()
        self._thread.quit()
        self._thread.wait(5000)
        super().done(result)

    def closeEvent(self, event) -> None:
        self.cancel_download()
        super().closeEvent(event)
