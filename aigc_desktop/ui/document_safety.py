"""The main window's side of "nothing is ever lost", kept out of main_window.py.

A mixin for MainWindow (which calls `_init_document_safety` once its editor,
banner, controller, menus and status bar exist). It holds:
- the document's file format (encoding, BOM, newlines) and "Save with Encoding";
- the file's state on disk, checked when the window is activated or the file
  watcher fires, with reload-or-keep when another program changed it;
- crash recovery: the autosaver, and the banner that offers what a crashed
  editor left behind.

Questions the user answers are methods (ask_open_large_file,
ask_reload_changed_file) so that tests can replace them.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QFileSystemWatcher, QTimer
from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import QBoxLayout, QLabel, QMenu, QMessageBox

from .document_io import (
    MAX_SIZE_WITHOUT_ASKING,
    NEWLINES,
    SAVE_ENCODINGS,
    DiskState,
    DocumentError,
    LoadedDocument,
    TextFormat,
    current_disk_state,
    read_document,
)
from .message_banner import MessageBanner
from .plain_text import ask_plain, plain
from .recovery import Autosaver, RecoveryEntry, RecoveryStore

if TYPE_CHECKING:  # what the mixin is mixed into, as the type checker should see it
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QMainWindow

    from .continuation import ContinuationController
    from .editor import Editor

    class _Window(QMainWindow):
        editor: Editor
        banner: MessageBanner
        controller: ContinuationController
        path: str | None
        save_as_action: QAction

        def show_error(self, message: str, actions: tuple = ()) -> None: ...
        def show_notice(self, message: str, actions: tuple = ()) -> None: ...
        def save(self) -> bool: ...
        def _maybe_save(self) -> bool: ...
        def _load_provenance(self, path: str) -> None: ...
        def _update_title(self, *_args) -> None: ...
else:
    _Window = object


class DocumentSafety(_Window):
    """Mixin: needs self.editor, self.banner, self.controller, self.path, self.show_error,
    self.save, self._maybe_save, self._update_title (MainWindow provides them)."""

    def _init_document_safety(self, recovery: RecoveryStore | None = None) -> None:
        self.text_format = TextFormat()
        self._disk_state: DiskState | None = None
        self._checking_disk = False
        self._missing_reported = False
        self._recovered: list[RecoveryEntry] = []

        self.recovery = recovery if recovery is not None else RecoveryStore()
        self.autosaver = Autosaver(self.recovery, self.editor, lambda: (self.path, self.text_format), self)
        self.autosaver.failed.connect(self.show_error)

        # Its own strip, so that a model error shown later does not hide the offer.
        self.recovery_banner = MessageBanner(self)
        central = self.centralWidget()
        layout = central.layout() if central is not None else None
        if isinstance(layout, QBoxLayout):  # MainWindow's column: banner, editor, find bar
            layout.insertWidget(0, self.recovery_banner)

        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._on_watched_file_changed)

        self.format_label = QLabel(self._format_text(self.text_format))
        self.format_label.setToolTip(self.tr("Encoding and line endings used when saving"))
        self.statusBar().addPermanentWidget(self.format_label)
        self._create_encoding_menu()

    # ----- encodings -------------------------------------------------------------------
    def _create_encoding_menu(self) -> None:
        menu = None
        for action in self.menuBar().actions():
            submenu = action.menu()
            if isinstance(submenu, QMenu) and self.save_as_action in submenu.actions():
                menu = submenu
                break
        if menu is None:  # pragma: no cover - the File menu always has Save As
            return
        self.encoding_menu = QMenu(self.tr("Save with &Encoding"), self)
        actions = menu.actions()
        position = actions.index(self.save_as_action) + 1
        if position < len(actions):
            menu.insertMenu(actions[position], self.encoding_menu)  # right after Save As
        else:
            menu.addMenu(self.encoding_menu)
        self._encoding_group = QActionGroup(self)
        self.encoding_actions = {}
        for encoding, bom in SAVE_ENCODINGS:
            action = self.encoding_menu.addAction(self._encoding_text(TextFormat(encoding, bom)))
            action.setCheckable(True)
            action.triggered.connect(lambda _=False, e=encoding, b=bom: self.save_with_encoding(e, b))
            self._encoding_group.addAction(action)
            self.encoding_actions[(encoding, bom)] = action
        self.encoding_menu.addSeparator()
        self._newline_group = QActionGroup(self)
        self.newline_actions = {}
        for newline, label in NEWLINES.items():
            if newline == "\r":
                continue  # kept when found, never offered
            action = self.encoding_menu.addAction(self.tr("%s line endings") % label)
            action.setCheckable(True)
            action.triggered.connect(lambda _=False, n=newline: self.save_with_newline(n))
            self._newline_group.addAction(action)
            self.newline_actions[newline] = action
        self._show_format()

    def _encoding_text(self, fmt: TextFormat) -> str:
        """fmt.encoding_label as the interface language says it (the names themselves stay)."""
        if fmt.encoding == "utf-8" and fmt.bom:
            return self.tr("UTF-8 with BOM")
        return fmt.encoding_label

    def _format_text(self, fmt: TextFormat) -> str:
        return f"{self._encoding_text(fmt)} · {fmt.newline_label}"

    def _show_format(self) -> None:
        self.format_label.setText(self._format_text(self.text_format))
        if hasattr(self, "encoding_actions"):
            for key, action in self.encoding_actions.items():
                action.setChecked(key == (self.text_format.encoding, self.text_format.bom))
            for newline, action in self.newline_actions.items():
                action.setChecked(newline == self.text_format.newline)

    def save_with_encoding(self, encoding: str, bom: bool) -> bool:
        """Save in another encoding (and keep using it); the old one stays if saving fails."""
        return self.save_with_format(self.text_format.with_encoding(encoding, bom))

    def save_with_newline(self, newline: str) -> bool:
        return self.save_with_format(TextFormat(self.text_format.encoding, self.text_format.bom, newline))

    def save_with_format(self, fmt: TextFormat) -> bool:
        old = self.text_format
        self.text_format = fmt
        if self.save():
            self._show_format()
            return True
        self.text_format = old
        self._show_format()
        return False

    # ----- opening ---------------------------------------------------------------------
    def ask_open_large_file(self, path: str, size: int) -> bool:
        """Whether to open a file over MAX_SIZE_WITHOUT_ASKING (tests replace this)."""
        answer = ask_plain(
            self, self.windowTitle(),
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
        self._set_file(path, fmt, disk)

    def _set_file(self, path: str | None, fmt: TextFormat, disk: DiskState | None) -> None:
        old = self._watcher.files()
        if old:
            self._watcher.removePaths(old)
        self.text_format = fmt
        self._disk_state = disk
        self._missing_reported = False
        if path is not None and disk is not None and os.path.exists(path):
            self._watcher.addPath(path)
        self._show_format()

    def _document_saved(self, path: str, disk: DiskState) -> None:
        self._set_file(path, self.text_format, disk)
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
        box = plain(QMessageBox(QMessageBox.Icon.Question, self.windowTitle(), text, parent=self))
        reload_button = box.addButton(self.tr("Reload"), QMessageBox.ButtonRole.AcceptRole)
        keep = box.addButton(self.tr("Keep My Version"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.exec()
        return box.clickedButton() is reload_button

    def check_file_changed(self) -> str:
        """Look at the file on disk: 'unchanged', 'missing', 'reloaded' or 'kept'."""
        if self.path is None or self._disk_state is None or self._checking_disk or getattr(self, "_closing", False):
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
                    self.show_error(self.tr(
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
            self.show_error(str(exc))
            return False
        self._load_document(path, document)
        return True

    def _load_document(self, path: str, document: LoadedDocument) -> None:
        self.controller.reject()
        self.editor.load_text(document.text)
        self._document_replaced(path, document.format, document.disk)
        self._load_provenance(path)  # the AI labels come back when the text matches them again
        self._update_title()

    def _on_watched_file_changed(self, path: str) -> None:
        if self.path is None or os.path.abspath(path) != os.path.abspath(self.path):
            return
        if os.path.exists(path) and path not in self._watcher.files():
            self._watcher.addPath(path)  # replaced (atomic save): watch the new file
        if self.isActiveWindow():
            QTimer.singleShot(0, self.check_file_changed)
        # otherwise: checked when the window is activated

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            QTimer.singleShot(0, self.check_file_changed)

    # ----- crash recovery ------------------------------------------------------------------
    def offer_recovery(self) -> list[RecoveryEntry]:
        """Offer the unsaved text editors that crashed left behind; returns the entries."""
        try:
            self._recovered = self.recovery.orphaned()
        except OSError:
            self._recovered = []
        self._show_recovery_banner()
        if getattr(self.recovery, "unreadable", 0):
            self.show_notice(self.tr("%d crash-recovery files could not be read and were ignored.")
                             % self.recovery.unreadable)
        return list(self._recovered)

    def recovered_entries(self) -> list[RecoveryEntry]:
        return list(self._recovered)

    def _show_recovery_banner(self) -> None:
        if not self._recovered:
            self.recovery_banner.hide()
            return
        entry = self._recovered[0]
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(entry.saved_at))
        more = len(self._recovered) - 1
        text = self.tr("aigc-desktop did not close normally. Unsaved text of “%s” (%s) was recovered.") % (
            entry.path or entry.name, when)
        if more:
            text += " " + self.tr("%d more after this one.") % more
        self.recovery_banner.show_message(text, "info", (
            (self.tr("Restore"), lambda: self.restore_recovered()),
            (self.tr("Discard"), lambda: self.discard_recovered()),
        ))

    def restore_recovered(self, entry: RecoveryEntry | None = None) -> bool:
        """Open a recovered document: its text exactly, its path and format, marked modified."""
        if entry is None:
            if not self._recovered:
                return False
            entry = self._recovered[0]
        if not self._maybe_save():
            return False
        if entry in self._recovered:
            self._recovered.remove(entry)
        try:
            document, entry = self.recovery.claim(entry)
        except OSError:
            self.show_error(self.tr("The recovered text of “%s” is no longer there: another window "
                                    "may have restored it.") % entry.name)
            self._show_recovery_banner()
            return False
        self.controller.reject()
        self.editor.load_text(entry.text)
        self.editor.mark_modified()
        path = os.path.abspath(entry.path) if entry.path else None
        self.path = path
        disk = current_disk_state(path) if path else None
        self.autosaver.adopt(document, entry.text, path, entry.format)
        self._set_file(path, entry.format, disk)
        self._update_title()
        self._show_recovery_banner()
        return True

    def discard_recovered(self, entry: RecoveryEntry | None = None) -> None:
        if entry is None:
            if not self._recovered:
                return
            entry = self._recovered[0]
        if entry in self._recovered:
            self._recovered.remove(entry)
        self.recovery.discard(entry)
        self._show_recovery_banner()

    def _close_document_safety(self) -> None:
        """The window closes normally (the user saved or discarded): nothing to recover."""
        old = self._watcher.files()
        if old:
            self._watcher.removePaths(old)
        if getattr(self, "_keep_recovery", False):
            self.autosaver.store.close()  # ended from outside: the copy stays, offered at next start
        else:
            self.autosaver.close()
