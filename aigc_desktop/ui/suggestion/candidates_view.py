"""The suggestion's candidates and alternatives as the window shows them: the candidate actions and
indicator, the panel with every candidate in full, and the menu of other likely words."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from ..window.editor import Editor
from ..window.message_banner import MessageBanner
from ..window.ui_guard import shows_failure
from ..window.window_status import WindowStatusBar
from .continuation import ContinuationController


class CandidatesView(QObject):
    def __init__(self, window: QWidget, editor: Editor, controller: ContinuationController, status: WindowStatusBar,
                 banner: MessageBanner, actions: tuple[QAction, ...]) -> None:
        """actions: next, previous and all candidates (enabled when there are several)."""
        super().__init__(window)
        self._window = window
        self._editor = editor
        self._controller = controller
        self._status = status
        self._banner = banner
        self._actions = actions
        self._candidate_index = 0
        controller.candidates_changed.connect(self._on_candidates_changed)
        controller.candidates_coming.connect(
            lambda count: status.show_candidates_coming(count, len(controller.candidates) >= 2))
        self._editor.alternatives_requested.connect(self.show_token_alternatives)
        self._editor.text_accepted.connect(self._check_candidates_still_fit)
        self._on_candidates_changed(0, 0)

    def show_error(self, message: str, actions: tuple = ()) -> None:
        """A failure on the way to a pop-up (see shows_failure)."""
        self._banner.show_error(message, actions)

    @shows_failure
    def show_token_alternatives(self, span, global_position) -> None:
        """A click on a word of the suggestion: pick another and the model writes on from there."""
        from PySide6.QtWidgets import QMenu

        from .probability_view import visible

        menu = QMenu(self._window)
        for text, probability in span.info.alternatives:
            if text == span.text:
                continue
            action = menu.addAction(f"{visible(text)}  {probability:.1%}")
            action.triggered.connect(
                lambda _=False, t=text, p=probability: self._controller.rewrite_from(span.start, t, p))
        if menu.isEmpty():
            menu.addAction(self.tr("No other likely word here")).setEnabled(False)
        menu.popup(global_position)
        self.alternatives_menu = menu  # kept for tests and so it is not collected while open

    def _on_candidates_changed(self, index: int, count: int) -> None:
        self._candidate_index = index
        for action in self._actions:
            action.setEnabled(count > 1)
        self._status.show_candidates(index, count)

    @shows_failure
    def show_candidates_popup(self) -> None:
        """Every candidate in full, in a panel beside the text; a click or its number accepts one."""
        if len(self._controller.candidates) < 2:
            return
        from .candidates_panel import CandidatesPanel

        self.candidates_panel = CandidatesPanel(self._controller, self._window)
        self.candidates_panel.show()

    def _check_candidates_still_fit(self, *_args) -> None:
        """The rule after a partial accept (Ctrl+Right): the other candidates began at the old start,
        so they no longer fit; the indicator goes and the status bar says why."""
        QTimer.singleShot(0, self._drop_stale_candidates)  # the editor emits before its suggestion shrinks

    def _drop_stale_candidates(self) -> None:
        candidates = self._controller.candidates
        if len(candidates) > 1 and self._editor.suggestion_text() != candidates[self._candidate_index]:
            self._on_candidates_changed(0, 0)
            self._status.showMessage(self.tr("Part of the suggestion was accepted: the other candidates "
                                            "no longer fit and were put aside."), 5000)
