"""The open document: its path, file format and state on disk, and how it is opened and saved.

In the spirit of ReText's ReTextTab. It holds:
- the path, the file format (encoding, BOM, newlines) and saving in another format;
- open, save, save as, new, and "save changes first?";
- the file's state on disk, checked when the window is activated or the file watcher
  fires, with reload-or-keep when another program changed it;
- the autosaver that keeps a crash-recovery copy;
- the AI-label sidecar (<file>.aigc.json), read on opening and written on saving.

Questions the user answers are methods (ask_save_changes, ask_open_large_file,
ask_reload_changed_file) so that tests can replace them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QFileSystemWatcher, QObject, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ...resources import APP_NAME
from ..settings.user_settings import AppSettings
from ..suggestion.continuation import ContinuationController
from ..window.editor import Editor
from ..window.message_banner import MessageBanner
from ..window.plain_text import ask_plain, plain
from .document_io import (
    MAX_SIZE_WITHOUT_ASKING,
    DiskState,
    DocumentError,
    LoadedDocument,
    TextFormat,
    current_disk_state,
    read_document,
    write_text_file_atomic,
)
from .provenance import CHANGED, DAMAGED, LOADED, SidecarError, read_sidecar, write_sidecar
from .recovery import Autosaver, RecoveryStore

TEXT_FILTER = str(QT_TRANSLATE_NOOP("Document", "Text and Markdown (*.txt *.md *.markdown *.text);;All files (*)"))


class Document(QObject):
    path_changed = Signal()  # a new path, or the editor holds another document: the title changes
    format_changed = Signal()  # text_format is another encoding or newline
    labels_changed = Signal()  # the AI labels were loaded (or dropped): the AI share changes
    status_message = Signal(str, int)  # a passing message for the status bar, and for how many ms

    def __init__(self, window: QWidget, editor: Editor, controller: ContinuationController, settings: AppSettings,
                 banner: MessageBanner, recovery: RecoveryStore | None, closing: Callable[[], bool]) -> None:
        """window: the parent of the questions; closing(): true once the window is going away."""
        super().__init__(window)
        self._window = window
        self.editor = editor
        self._controller = controller
        self._settings = settings
        self._banner = banner
        self._closing = closing
        self.path: str | None = None
        self.text_format = TextFormat()
        self._disk_state: DiskState | None = None
        self._checking_disk = False
        self._missing_reported = False
        self.keep_recovery = False  # ended from outside: the recovery copy stays for the next start

        self.recovery = recovery if recovery is not None else RecoveryStore()
        self.autosaver = Autosaver(self.recovery, editor, lambda: (self.path, self.text_format), self)
        self.autosaver.failed.connect(banner.show_error)

        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._on_watched_file_changed)

    def name(self) -> str:
        return Path(self.path).name if self.path else self.tr("Untitled")

    # ----- new, open, save -----------------------------------------------------------
    def ask_save_changes(self) -> QMessageBox.StandardButton:
        """Save / Discard / Cancel for unsaved changes (tests replace this)."""
        return ask_plain(
            self._window, APP_NAME, self.tr("Save changes to “%s” before closing it?") % self.name(),
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)

    def maybe_save(self) -> bool:
        """True when it is fine to throw the current text away."""
        if not self.editor.is_modified():
            return True
        answer = self.ask_save_changes()
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def new_document(self) -> None:
        if not self.maybe_save():
            return
        self._controller.reject()
        self.editor.load_text("")
        self.path = None
        self._document_replaced(None, TextFormat(), None)
        self.path_changed.emit()

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        start = str(Path(self.path).parent) if self.path else ""
        path, _ = QFileDialog.getOpenFileName(self._window, self.tr("Open"), start, self.tr(TEXT_FILTER))
        if path:
            self.open_file(path, ask_to_save=False)

    def open_file(self, path: str, ask_to_save: bool = True) -> bool:
        if ask_to_save and not self.maybe_save():
            return False
        if not self.confirm_file_size(path):
            return False
        try:
            document = read_document(path)
        except DocumentError as exc:
            self._banner.show_error(str(exc))
            self._settings.remove_recent_file(os.path.abspath(path))
            return False
        self._controller.reject()
        self.editor.load_text(document.text)
        self.path = os.path.abspath(path)
        self._document_replaced(self.path, document.format, document.disk)
        self._load_provenance(self.path)
        self._settings.add_recent_file(self.path)
        self.path_changed.emit()
        self.status_message.emit(self.tr("Opened %s") % self.path, 3000)
        return True

    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self._write(self.path)

    def save_as(self) -> bool:
        start = self.path or str(Path.home() / "untitled.md")
        path, _ = QFileDialog.getSaveFileName(self._window, self.tr("Save As"), start, self.tr(TEXT_FILTER))
        if not path:
            return False
        return self._write(path)

    def _write(self, path: str) -> bool:
        try:
            disk = write_text_file_atomic(path, self.editor.user_text(), self.text_format)
        except DocumentError as exc:
            self._banner.show_error(str(exc))
            return False
        self.path = os.path.abspath(path)
        self.editor.mark_saved()
        self._document_saved(self.path, disk)
        self._save_provenance(self.path)
        self._settings.add_recent_file(self.path)
        self.path_changed.emit()
        self.status_message.emit(self.tr("Saved %s") % self.path, 3000)
        return True

    # ----- file format ------------------------------------------------------------------
    def save_with_encoding(self, encoding: str, bom: bool) -> bool:
        """Save in another encoding (and keep using it); the old one stays if saving fails."""
        return self.save_with_format(self.text_format.with_encoding(encoding, bom))

    def save_with_newline(self, newline: str) -> bool:
        return self.save_with_format(TextFormat(self.text_format.encoding, self.text_format.bom, newline))

    def save_with_format(self, fmt: TextFormat) -> bool:
        old = self.text_format
        self.text_format = fmt
        if self.save():
            self.format_changed.emit()
            return True
        self.text_format = old
        self.format_changed.emit()
        return False

    # ----- opening ---------------------------------------------------------------------
    def ask_open_large_file(self, path: str, size: int) -> bool:
        """Whether to open a file over MAX_SIZE_WITHOUT_ASKING (tests replace this)."""
        answer = ask_plain(
            self._window, self._window.windowTitle(),
            self.tr("“%s” is %.0f MB. Very large files make the editor slow. Open it anyway?")
            % (Path(path).name, size / (1024 * 1024)),
            QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Open

    def confirm_file_size(self, path: str) -> bool:
        try:
            size = os.path.getsize(path)
        except OSError:
            return True  # reading it says what is wrong
        return size <= MAX_SIZE_WITHOUT_ASKING or bool(self.ask_open_large_file(path, size))

    def _document_replaced(self, path: str | None, fmt: TextFormat, disk: DiskState | None) -> None:
        """The editor now holds another document (opened, new, reloaded)."""
        self.autosaver.start_new_document()
        self.set_file(path, fmt, disk)

    def set_file(self, path: str | None, fmt: TextFormat, disk: DiskState | None) -> None:
        """The file the text belongs to: watched on disk, saved in `fmt`."""
        old = self._watcher.files()
        if old:
            self._watcher.removePaths(old)
        self.text_format = fmt
        self._disk_state = disk
        self._missing_reported = False
        if path is not None and disk is not None and os.path.exists(path):
            self._watcher.addPath(path)
        self.format_changed.emit()

    def _document_saved(self, path: str, disk: DiskState) -> None:
        self.set_file(path, self.text_format, disk)
        self.autosaver.forget()

    # ----- the file changed on disk ------------------------------------------------------
    def ask_reload_changed_file(self, path: str) -> bool:
        """True: reload the file; False: keep the text in the editor (tests replace this)."""
        name = Path(path).name
        if self.editor.is_modified():
            text = self.tr("“%s” was changed by another program, and you have unsaved changes here.\n"
                           "Reload it and lose your changes, or keep your version?") % name
        else:
            text = self.tr("“%s” was changed by another program. Reload it?") % name
        box = plain(QMessageBox(QMessageBox.Icon.Question, self._window.windowTitle(), text, parent=self._window))
        reload_button = box.addButton(self.tr("Reload"), QMessageBox.ButtonRole.AcceptRole)
        keep = box.addButton(self.tr("Keep My Version"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.exec()
        return box.clickedButton() is reload_button

    def check_file_changed(self) -> str:
        """Look at the file on disk: 'unchanged', 'missing', 'reloaded' or 'kept'."""
        if self.path is None or self._disk_state is None or self._checking_disk or self._closing():
            return "unchanged"
        self._checking_disk = True
        try:
            state = current_disk_state(self.path, self._disk_state)
            if state is None:
                if os.path.exists(self.path):
                    return "unchanged"  # unreadable for a moment (being written): look again later
                if not self._missing_reported:
                    self._missing_reported = True
                    self.editor.mark_modified()  # closing must not lose the only copy left
                    self._banner.show_error(self.tr(
                        "“%s” was moved or deleted by another program. Your text is still here: "
                        "save it to keep it.") % Path(self.path).name)
                return "missing"
            self._missing_reported = False
            if state.digest == self._disk_state.digest:
                self._disk_state = state
                if not self._watcher.files():
                    self._watcher.addPath(self.path)
                return "unchanged"
            self._disk_state = state  # ask once per change
            if self.ask_reload_changed_file(self.path):
                return "reloaded" if self.reload_from_disk() else "kept"
            self.editor.mark_modified()  # the editor's text is no longer what is on disk
            return "kept"
        finally:
            self._checking_disk = False

    def reload_from_disk(self) -> bool:
        path = self.path
        if path is None:  # a new document: nothing on disk to reload
            return False
        try:
            document = read_document(path)
        except DocumentError as exc:
            self._banner.show_error(str(exc))
            return False
        self._load_document(path, document)
        return True

    def _load_document(self, path: str, document: LoadedDocument) -> None:
        self._controller.reject()
        self.editor.load_text(document.text)
        self._document_replaced(path, document.format, document.disk)
        self._load_provenance(path)  # the AI labels come back when the text matches them again
        self.path_changed.emit()

    def _on_watched_file_changed(self, path: str) -> None:
        if self.path is None or os.path.abspath(path) != os.path.abspath(self.path):
            return
        if os.path.exists(path) and path not in self._watcher.files():
            self._watcher.addPath(path)  # replaced (atomic save): watch the new file
        if self._window.isActiveWindow():
            QTimer.singleShot(0, self.check_file_changed)
        # otherwise: checked when the window is activated

    def close(self) -> None:
        """The window closes normally (the user saved or discarded): nothing to recover."""
        old = self._watcher.files()
        if old:
            self._watcher.removePaths(old)
        if self.keep_recovery:
            self.autosaver.store.close()  # ended from outside: the copy stays, offered at next start
        else:
            self.autosaver.close()

    # ----- the AI labels beside the file --------------------------------------------------
    def _save_provenance(self, path: str) -> None:
        """Spans go to <file>.aigc.json beside the document (removed when there are none)."""

        spans = self.editor.provenance.spans()
        try:
            write_sidecar(path, self.editor.provenance.to_json(self.editor.user_text(), self.editor.to_user_position)
                          if spans else None)
        except (DocumentError, OSError) as exc:
            self._banner.show_error(self.tr("The document was saved, but its AI labels could not be: %s") % exc)

    def _load_provenance(self, path: str) -> None:
        try:
            data = read_sidecar(path)
        except SidecarError:
            data = ""
        found = self.editor.provenance.load_json(data, self.editor.user_text()) if data is not None else None
        if found == CHANGED:
            self._banner.show_notice(self.tr("This file was changed outside aigc-desktop since its AI labels were "
                                             "saved, so they were dropped rather than put in the wrong place."),
                                     topic="dropped labels")
        elif found == DAMAGED:
            self._banner.show_notice(self.tr("The AI labels saved beside this file could not be read, so they "
                                             "were ignored."))
        elif found == LOADED:
            self._banner.dismiss_topic("dropped labels")  # the text matches its labels again (reloaded)
        self.labels_changed.emit()
