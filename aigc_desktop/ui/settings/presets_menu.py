"""Generate > Presets and the toolbar's preset list: pick, save, rename and delete sampling presets."""

from __future__ import annotations

import dataclasses
from typing import Callable

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QInputDialog, QWidget

from ..suggestion.model_session import ModelSession
from ..window.message_banner import MessageBanner
from .presets import BUILT_IN, SAMPLING_FIELDS, Preset


class PresetsMenu(QObject):
    def __init__(self, window: QWidget, session: ModelSession, banner: MessageBanner,
                 make_action: Callable[..., QAction]) -> None:
        """make_action(text, slot): the window's action factory (shortcuts, mnemonics, status tips)."""
        super().__init__(window)
        self._window = window
        self._session = session
        self._settings = session.settings
        self._banner = banner
        self.save_action = make_action(self.tr("&Save Current Settings as Preset…"), self.save_preset)
        self.rename_action = make_action(self.tr("&Rename Preset…"), self.rename_preset)
        self.delete_action = make_action(self.tr("&Delete Preset"), self.delete_preset)
        self.combo = QComboBox(window)
        self.combo.setToolTip(self.tr("Sampling preset"))
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.activated.connect(self._on_preset_chosen)
        session.settings_changed.connect(self.refresh)

    def actions(self) -> list[QAction]:
        return [self.save_action, self.rename_action, self.delete_action]

    def presets(self) -> list:
        return [*BUILT_IN, *self._settings.user_presets()]

    def active_preset(self):
        g = self._session.generation_settings()
        return next((p for p in self.presets() if p.matches(g)), None)

    def refresh(self) -> None:
        """The combo lists every preset; the one matching the current settings is shown, else Custom."""
        self.combo.clear()
        for preset in self.presets():
            label = QCoreApplication.translate("MainWindow", preset.name) if preset in BUILT_IN else preset.name
            self.combo.addItem(label, preset.name)
        active = self.active_preset()
        if active is None:
            self.combo.addItem(self.tr("Custom"), None)
            self.combo.setCurrentIndex(self.combo.count() - 1)
        else:
            self.combo.setCurrentIndex(self.combo.findData(active.name))
        user = active is not None and active not in BUILT_IN
        self.rename_action.setEnabled(user)
        self.delete_action.setEnabled(user)

    def _on_preset_chosen(self, index: int) -> None:
        name = self.combo.itemData(index)
        preset = next((p for p in self.presets() if p.name == name), None)
        if preset is not None:
            self._settings.save_generation(preset.apply_to(self._settings.generation()))
            for field in SAMPLING_FIELDS:
                self._session.overrides.pop(field, None)  # a preset picked now beats the command line
        self.refresh()

    def ask_text(self, title: str, label: str, default: str = "") -> str | None:
        """A one-line question (tests replace this)."""

        text, ok = QInputDialog.getText(self._window, title, label, text=default)
        return text.strip() if ok and text.strip() else None

    def save_preset(self) -> None:
        name = self.ask_text(self.tr("Save Preset"), self.tr("Name of the new preset:"))
        if name is None:
            return
        if any(p.name == name for p in BUILT_IN):
            self._banner.show_error(self.tr("“%s” is a built-in preset; choose another name.") % name)
            return
        user = [p for p in self._settings.user_presets() if p.name != name]
        user.append(Preset.from_settings(name, self._session.generation_settings()))
        self._settings.save_user_presets(user)
        self.refresh()

    def rename_preset(self) -> None:
        active = self.active_preset()
        user = self._settings.user_presets()
        if active is None or active not in user:
            return
        name = self.ask_text(self.tr("Rename Preset"), self.tr("New name:"), active.name)
        if name is None or name == active.name:
            return
        if any(p.name == name for p in self.presets()):
            self._banner.show_error(self.tr("A preset called “%s” already exists.") % name)
            return
        self._settings.save_user_presets([dataclasses.replace(p, name=name) if p == active else p for p in user])
        self.refresh()

    def delete_preset(self) -> None:
        active = self.active_preset()
        user = self._settings.user_presets()
        if active is not None and active in user:
            self._settings.save_user_presets([p for p in user if p != active])
            self.refresh()
