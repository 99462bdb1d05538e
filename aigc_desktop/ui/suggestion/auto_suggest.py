"""Auto-suggest: after a pause in typing, a short suggestion appears at the caret.

Off by default. It starts only when nothing else is going on (no suggestion, no
selection, no input method composing, the editor has focus), and the editor
makes sure it never steals a keystroke. The engine's prefix cache means each
new suggestion costs only the tokens typed since the last one.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, QTimer

from ..window.editor import Editor
from .continuation import IDLE, ContinuationController


class AutoSuggest(QObject):
    def __init__(self, editor: Editor, controller: ContinuationController, settings: Callable, parent=None) -> None:
        """settings() -> GenerationSettings (auto_suggest, auto_suggest_delay_ms, auto_suggest_tokens)."""
        super().__init__(parent)
        self._editor = editor
        self._controller = controller
        self._settings = settings
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._suggest)
        editor.user_text_changed.connect(self._typed)

    def _typed(self) -> None:
        settings = self._settings()
        if settings.auto_suggest:
            self._timer.start(settings.auto_suggest_delay_ms)

    def _suggest(self) -> None:
        settings = self._settings()
        editor = self._editor
        if (not settings.auto_suggest or self._controller.state != IDLE or editor.has_suggestion()
                or editor.is_composing() or not editor.hasFocus() or editor.textCursor().hasSelection()):
            return
        self._controller.suggest(settings.auto_suggest_tokens)
