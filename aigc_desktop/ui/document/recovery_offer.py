"""The offer, after a crash, of the unsaved text an editor left behind: a banner to restore or discard it."""

from __future__ import annotations

import os
import time

from PySide6.QtCore import QObject, Signal

from ..suggestion.continuation import ContinuationController
from ..window.message_banner import MessageBanner
from .document import Document
from .document_io import current_disk_state
from .recovery import RecoveryEntry


class RecoveryOffer(QObject):
    restored = Signal()  # the editor holds a recovered document: the title changes

    def __init__(self, document: Document, controller: ContinuationController, banner: MessageBanner,
                 messages: MessageBanner) -> None:
        """banner: the offer's own strip, so that a model error shown later does not hide it;
        messages: the window's strip for errors and notices."""
        super().__init__(document)
        self._document = document
        self._controller = controller
        self.banner = banner
        self._messages = messages
        self._recovered: list[RecoveryEntry] = []

    def offer_recovery(self) -> list[RecoveryEntry]:
        """Offer the unsaved text editors that crashed left behind; returns the entries."""
        recovery = self._document.recovery
        try:
            self._recovered = recovery.orphaned()
        except OSError:
            self._recovered = []
        self._show_banner()
        if getattr(recovery, "unreadable", 0):
            self._messages.show_notice(self.tr("%d crash-recovery files could not be read and were ignored.")
                                       % recovery.unreadable)
        return list(self._recovered)

    def recovered_entries(self) -> list[RecoveryEntry]:
        return list(self._recovered)

    def _show_banner(self) -> None:
        if not self._recovered:
            self.banner.hide()
            return
        entry = self._recovered[0]
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(entry.saved_at))
        more = len(self._recovered) - 1
        text = self.tr("aigc-desktop did not close normally. Unsaved text of “%s” (%s) was recovered.") % (
            entry.path or entry.name, when)
        if more:
            text += " " + self.tr("%d more after this one.") % more
        self.banner.show_message(text, "info", (
            (self.tr("Restore"), lambda: self.restore_recovered()),
            (self.tr("Discard"), lambda: self.discard_recovered()),
        ))

    def restore_recovered(self, entry: RecoveryEntry | None = None) -> bool:
        """Open a recovered document: its text exactly, its path and format, marked modified."""
        if entry is None:
            if not self._recovered:
                return False
            entry = self._recovered[0]
        document = self._document
        if not document.maybe_save():
            return False
        if entry in self._recovered:
            self._recovered.remove(entry)
        try:
            stored, entry = document.recovery.claim(entry)
        except OSError:
            self._messages.show_error(self.tr("The recovered text of “%s” is no longer there: another window "
                                              "may have restored it.") % entry.name)
            self._show_banner()
            return False
        self._controller.reject()
        document.editor.load_text(entry.text)
        document.editor.mark_modified()
        path = os.path.abspath(entry.path) if entry.path else None
        document.path = path
        disk = current_disk_state(path) if path else None
        document.autosaver.adopt(stored, entry.text, path, entry.format)
        document.set_file(path, entry.format, disk)
        self.restored.emit()
        self._show_banner()
        return True

    def discard_recovered(self, entry: RecoveryEntry | None = None) -> None:
        if entry is None:
            if not self._recovered:
                return
            entry = self._recovered[0]
        if entry in self._recovered:
            self._recovered.remove(entry)
        self._document.recovery.discard(entry)
        self._show_banner()
