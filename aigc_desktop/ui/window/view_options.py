"""The View menu's settings of the writing surface: theme, font and zoom, line spacing, text width.

Only the view changes, never the text, its undo history or its modified flag. Each choice is kept
in the settings for the next start."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup, QFont
from PySide6.QtWidgets import QWidget

from ..settings.user_settings import LINE_SPACINGS, AppSettings
from .appearance import apply_theme
from .editor import Editor
from .icons import apply_action_icons
from .message_banner import MessageBanner
from .ui_guard import shows_failure
from .writing_surface import DEFAULT_TEXT_WIDTH, TEXT_WIDTHS, fit_text_column


class ViewOptions(QObject):
    def __init__(self, window: QWidget, editor: Editor, settings: AppSettings, banner: MessageBanner,
                 make_action: Callable[..., QAction], full_screen: Callable[[], bool]) -> None:
        """make_action(text, slot): the window's action factory; full_screen(): whether the window is
        in distraction-free mode (the text then keeps to a column)."""
        super().__init__(window)

        self._window = window
        self._editor = editor
        self._settings = settings
        self._banner = banner
        self._full_screen = full_screen
        self.theme_actions: dict[str, QAction] = {}
        for name, label in (("system", self.tr("Follow the System")), ("light", self.tr("Light")),
                            ("dark", self.tr("Dark"))):
            action = make_action(label, lambda _=False, n=name: self.set_theme(n))
            action.setCheckable(True)
            self.theme_actions[name] = action
        self.text_width_actions: dict[int, QAction] = {}
        width_group = QActionGroup(self)
        for chars in TEXT_WIDTHS:
            label = self.tr("Window Width") if chars == 0 else self.tr("%d Characters") % chars
            action = make_action(label, lambda _=False, c=chars: self.set_text_width(c))
            action.setCheckable(True)
            action.setChecked(chars == settings.text_width())
            width_group.addAction(action)
            self.text_width_actions[chars] = action
        self.line_spacing_actions: dict[float, QAction] = {}
        spacing_group = QActionGroup(self)  # exclusive: one spacing at a time
        for spacing in LINE_SPACINGS:
            label = f"{spacing:.2f}" if round(spacing, 1) != spacing else f"{spacing:.1f}"  # 1.0 1.15 1.5 2.0
            action = make_action(label, lambda _=False, s=spacing: self.set_line_spacing(s))
            action.setCheckable(True)
            spacing_group.addAction(action)
            self.line_spacing_actions[spacing] = action

    def show_error(self, message: str, actions: tuple = ()) -> None:
        """A failure on the way to a dialog (see shows_failure)."""
        self._banner.show_error(message, actions)

    def show_current(self) -> None:
        """Check the theme and the spacing in use."""
        for theme, action in self.theme_actions.items():
            action.setChecked(theme == self._settings.theme())
        for spacing, action in self.line_spacing_actions.items():
            action.setChecked(spacing == self._editor.line_spacing())

    def set_theme(self, name: str) -> None:
        apply_theme(name)
        self._settings.set_theme(name)
        for theme, action in self.theme_actions.items():
            action.setChecked(theme == name)
        self._editor._highlight()  # pending-text colours come from the palette

        apply_action_icons(self._window, name)
        self._banner.restyle()  # its colours are chosen for the theme

    def set_line_spacing(self, spacing: float) -> None:
        """View → Line Spacing: only the view changes (not the text, the undo history or the modified flag)."""
        self._editor.set_line_spacing(spacing)
        self._settings.set_line_spacing(spacing)
        for value, action in self.line_spacing_actions.items():
            action.setChecked(value == spacing)

    @shows_failure
    def choose_font(self) -> None:
        from PySide6.QtWidgets import QFontDialog

        ok, font = QFontDialog.getFont(self._editor.font(), self._window, self.tr("Editor Font"))
        if ok:
            self.set_editor_font(font)

    def set_editor_font(self, font: QFont) -> None:
        self._editor.setFont(font)
        self.fit_text_column()
        self._settings.set_font_family(font.family())
        self._settings.set_font_point_size(font.pointSize())

    def fit_text_column(self) -> None:
        chars = self._settings.text_width()
        fit_text_column(self._editor, chars or (DEFAULT_TEXT_WIDTH if self._full_screen() else 0))

    def set_text_width(self, chars: int) -> None:
        """View → Text Width: only the view changes, never the text."""
        self._settings.set_text_width(chars)
        for value, action in self.text_width_actions.items():
            action.setChecked(value == chars)
        self.fit_text_column()

    def zoom(self, step: int) -> None:
        font = QFont(self._editor.font())
        size = 12 if step == 0 else max(6, min(72, font.pointSize() + step))
        font.setPointSize(size)
        self._editor.setFont(font)
        self._settings.set_font_point_size(size)
        self.fit_text_column()
