"""The style picker next to the presets, the Generate → Styles menu, and the loader that applies a style.

A style is merged into the model's weights when the model loads (engine/style/apply.py),
so picking one reloads the model: styled_loader wraps the worker's loader and runs in
its loading thread, never in the window's.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QComboBox, QFileDialog, QInputDialog, QLineEdit, QMenu, QMessageBox, QToolBar

from ...engine.style.errors import StyleError
from ...engine.style.store import EXPORT_SUFFIX, StyleStore


def styled_loader(loader: Callable, current_style: Callable[[], str], store: Callable[[], StyleStore] = StyleStore):
    """loader, plus the current style merged into a local model before the fast int8 mode is built.

    A style that does not fit the model is left out with a notice: the model still loads.
    """

    def load(source: str, device: str, allow_download: bool = False, int8: bool = False):
        name = current_style()
        if not name or source.startswith(("http://", "https://")):
            return loader(source, device, allow_download, int8)
        backend = loader(source, device, allow_download, None)  # the graph is built after the merge
        loaded = getattr(backend, "loaded", None)
        if loaded is None:
            return backend
        from ...engine.style.apply import apply_style

        try:
            apply_style(loaded, store().get(name))
        except StyleError as exc:
            loaded.notice = " ".join(filter(None, [loaded.notice, str(exc)]))
        from ...engine.local.loading import enable_fast_mode

        enable_fast_mode(loaded, int8=int8)  # built from the merged weights
        if hasattr(backend, "reset_cache"):
            backend.reset_cache()
        return backend

    return load


def style_of(backend) -> str:
    """The style merged into backend's model ("" for none)."""
    return getattr(getattr(backend, "loaded", None), "style", "") or ""


class StyleControls(QObject):
    """Owns the picker combo and the Styles menu; the window gives it a menu, a toolbar and itself."""

    changed = Signal(str)  # the style picked ("" for none); the window reloads the model

    def __init__(self, window, menu: QMenu, toolbar: QToolBar, before_action, store: StyleStore | None = None):
        super().__init__(window)
        self.window = window
        self.store = store or StyleStore()
        self.current = self.store.current()  # read by the loading thread: a plain str
        self.combo = QComboBox(window)
        self.combo.setToolTip(self.tr("Writing style learned from your drafts"))
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.activated.connect(self._on_chosen)
        toolbar.insertWidget(before_action, self.combo)
        menu.addSeparator()
        self.learn_action = menu.addAction(self.tr("&Learn a Style…"), self.learn)
        styles_menu = menu.addMenu(self.tr("St&yles"))
        self.rename_action = styles_menu.addAction(self.tr("&Rename Style…"), self.rename)
        self.delete_action = styles_menu.addAction(self.tr("&Delete Style"), self.delete)
        self.export_action = styles_menu.addAction(self.tr("&Export Style…"), self.export)
        self.import_action = styles_menu.addAction(self.tr("&Import Style…"), self.import_style)
        self.dialog = None
        self.refresh()

    def refresh(self) -> None:
        self.combo.clear()
        self.combo.addItem(self.tr("No style"), "")
        for style in self.store.styles():
            self.combo.addItem(style.name, style.name)
            index = self.combo.count() - 1
            base = style.base.get("name", "?")
            words = style.data.get("words", 0)
            self.combo.setItemData(index, self.tr("Learned on %s from %s words") % (base, f"{words:,}"),
                                   role=3)  # Qt.ToolTipRole
        found = self.combo.findData(self.current)
        if found < 0:
            self.current = ""
            found = 0
        self.combo.setCurrentIndex(found)
        chosen = bool(self.current)
        for action in (self.rename_action, self.delete_action, self.export_action):
            action.setEnabled(chosen)

    def choose(self, name: str) -> None:
        """Use style `name` ("" for none) from now on: saved, and the model reloads with it."""
        if name == self.current:
            return
        self.current = name
        try:
            self.store.set_current(name)
        except (OSError, StyleError):
            pass  # only the choice for next time is lost
        self.refresh()
        self.changed.emit(name)

    def _on_chosen(self, index: int) -> None:
        self.choose(self.combo.itemData(index) or "")

    def _ask(self, title: str, label: str, text: str = "") -> str | None:
        value, ok = QInputDialog.getText(self.window, title, label, QLineEdit.EchoMode.Normal, text)
        return value.strip() if ok and value.strip() else None

    def rename(self) -> None:
        if not self.current:
            return
        name = self._ask(self.tr("Rename Style"), self.tr("New name:"), self.current)
        if name is None:
            return
        try:
            self.store.rename(self.current, name)
        except StyleError as exc:
            self.window.show_error(str(exc))
            return
        self.current = name
        self.store.set_current(name)
        self.refresh()

    def delete(self) -> None:
        if not self.current:
            return
        answer = QMessageBox.question(self.window, self.tr("Delete Style"),
                                      self.tr("Delete the style “%s”? This cannot be undone.") % self.current)
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.store.delete(self.current)
        except StyleError as exc:
            self.window.show_error(str(exc))
            return
        self.refresh()
        self.choose("")

    def export(self) -> None:
        if not self.current:
            return
        path, _ = QFileDialog.getSaveFileName(self.window, self.tr("Export Style"), self.current + EXPORT_SUFFIX,
                                              self.tr("Styles (*%s)") % EXPORT_SUFFIX)
        if not path:
            return
        try:
            self.store.export(self.current, path)
        except StyleError as exc:
            self.window.show_error(str(exc))
            return
        self.window.show_notice(self.tr("Style exported to %s") % path)

    def import_style(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, self.tr("Import Style"), "",
                                              self.tr("Styles (*%s)") % EXPORT_SUFFIX)
        if not path:
            return
        try:
            style = self.store.import_file(path)
        except StyleError as exc:
            self.window.show_error(str(exc))
            return
        self.refresh()
        self.window.show_notice(self.tr("Style “%s” imported.") % style.name)

    def learn(self) -> None:
        if self.dialog is not None and (self.dialog.isVisible() or self.dialog.training):
            self.dialog.show()
            self.dialog.raise_()
            return
        from .style_dialog import LearnStyleDialog  # a dialog opened on demand

        self.dialog = LearnStyleDialog(self.window, self.store)
        self.dialog.learned.connect(self._on_learned)
        self.dialog.show()

    def _on_learned(self, name: str) -> None:
        self.refresh()
        self.window.show_notice(self.tr("Style “%s” learned: pick it next to the presets to write with it.") % name)
