"""Several candidates per Continue: cycle them in place, see them side by side, accept the one shown."""

from __future__ import annotations

import threading

from fake_backend import FakeBackend, FakeRun, fake_loader
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from aigc_desktop.ui.suggestion.continuation import IDLE, PENDING

ALT = Qt.KeyboardModifier.AltModifier


class CandidatesBackend(FakeBackend):
    """Streams the first candidate; the run carries the others, as the engine's batched run does."""

    def __init__(self, candidates):
        super().__init__(pieces=[candidates[0]])
        self.candidates = candidates

    def stream(self, request, stop):
        self.requests.append(request)
        run = FakeRun([self.candidates[0]], 0.0, stop, self.started)
        run.alternatives = list(self.candidates[1:request.alternatives])
        return run


def start(qtbot, make_window, candidates, loader_backend=None, **overrides):
    backend = loader_backend or CandidatesBackend(candidates)
    window = make_window(fake_loader(backend), **overrides)
    window.editor.load_text("Go")
    window.editor.moveCursor(QTextCursor.MoveOperation.End)
    window.editor.setFocus()
    window.controller.continue_text()
    qtbot.waitUntil(lambda: window.controller.state == PENDING, timeout=5000)
    return window, backend


def test_alt_brackets_cycle_candidates_in_place(qtbot, make_window):
    window, backend = start(qtbot, make_window, [" one", " two 二", " three"])
    assert backend.requests[0].alternatives == 3  # the default
    assert window.status.candidate_label.text() == "1/3" and "Alt+]" in window.status.candidate_label.toolTip()
    qtbot.keyClick(window.editor, Qt.Key.Key_BracketRight, ALT)
    assert window.editor.toPlainText() == "Go two 二"
    assert window.status.candidate_label.text() == "2/3"
    assert window.editor.user_text() == "Go" and not window.editor.can_undo()
    qtbot.keyClick(window.editor, Qt.Key.Key_BracketLeft, ALT)
    qtbot.keyClick(window.editor, Qt.Key.Key_BracketLeft, ALT)
    assert window.editor.toPlainText() == "Go three"  # wraps around
    qtbot.keyClick(window.editor, Qt.Key.Key_Tab)
    assert window.editor.user_text() == "Go three"
    assert window.status.candidate_label.text() == ""
    window.editor.undo()
    assert window.editor.user_text() == "Go"


def test_reject_after_cycling_restores_the_document(qtbot, make_window):
    window, _ = start(qtbot, make_window, [" one", " a much longer second candidate\nwith a line"])
    before = "Go"
    window.controller.cycle(1)
    assert window.editor.toPlainText() == "Go a much longer second candidate\nwith a line"
    qtbot.keyClick(window.editor, Qt.Key.Key_Escape)
    assert window.editor.toPlainText() == before and window.controller.state == IDLE


def test_panel_shows_every_candidate_in_full_and_a_click_accepts(qtbot, make_window):
    long = " a long second candidate that goes on " * 6
    window, _ = start(qtbot, make_window, [" one", long, " three\nwith a second line"])
    window.all_candidates_action.trigger()
    panel = window.candidates.candidates_panel
    assert panel.isVisible()
    texts = [card.text_label.text() for card in panel.cards()]
    assert texts == [" one", long, " three\nwith a second line"]  # in full: nothing cut
    assert all(card.text_label.wordWrap() for card in panel.cards())
    assert panel.frameGeometry().right() <= window.screen().availableGeometry().right() + 1
    qtbot.mouseClick(panel.cards()[2], Qt.MouseButton.LeftButton)
    assert window.editor.user_text() == "Go three\nwith a second line"  # accepted, one undo step
    assert window.controller.state == IDLE and not panel.isVisible()


def test_panel_number_key_accepts_that_candidate(qtbot, make_window):
    window, _ = start(qtbot, make_window, [" one", " two", " three"])
    window.all_candidates_action.trigger()
    panel = window.candidates.candidates_panel
    panel.activateWindow()
    qtbot.keyClick(panel, Qt.Key.Key_2)
    assert window.editor.user_text() == "Go two"


def test_partial_accept_ends_cycling(qtbot, make_window):
    window, _ = start(qtbot, make_window, [" one more", " two more"])
    qtbot.keyClick(window.editor, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.status.candidate_label.text() == "", timeout=1000)  # at once, not on the next Alt+]
    assert "no longer fit" in window.statusBar().currentMessage()
    assert not window.next_candidate_action.isEnabled()
    window.controller.cycle(1)
    assert window.editor.toPlainText() == "Go one more"  # the rest of the first, not another
    assert window.status.candidate_label.text() == ""


def test_one_candidate_setting_means_nothing_to_cycle(qtbot, make_window):
    window, backend = start(qtbot, make_window, [" one", " two"], alternatives=1)
    assert backend.requests[0].alternatives == 1
    assert not window.next_candidate_action.isEnabled()
    window.controller.cycle(1)
    assert window.editor.toPlainText() == "Go one"


class LaterCandidatesBackend(CandidatesBackend):
    """As the local engine does: the first candidate streams alone, the others are made on request."""

    def __init__(self, candidates):
        super().__init__(candidates)
        self.release = threading.Event()
        self.made: list[bool] = []

    def stream(self, request, stop):
        run = super().stream(request, stop)
        others, run.alternatives = run.alternatives, []

        def make_alternatives():
            self.release.wait(10)
            self.made.append(not stop.is_set())
            run.alternatives = [] if stop.is_set() else others
            return run.alternatives

        run.make_alternatives = make_alternatives
        return run


def test_the_other_candidates_arrive_after_the_first_has_streamed(qtbot, make_window):
    backend = LaterCandidatesBackend([" one", " two", " three"])
    window, _ = start(qtbot, make_window, [" one"], loader_backend=backend)
    assert window.editor.suggestion_text() == " one"  # pending and usable at once
    assert "making candidates 2–3" in window.status.candidate_label.text()
    assert window.controller.candidates == []
    backend.release.set()
    qtbot.waitUntil(lambda: window.status.candidate_label.text() == "1/3", timeout=5000)
    qtbot.keyClick(window.editor, Qt.Key.Key_BracketRight, ALT)
    assert window.editor.toPlainText() == "Go two"


def test_accepting_before_the_other_candidates_stops_making_them(qtbot, make_window):
    backend = LaterCandidatesBackend([" one", " two", " three"])
    window, _ = start(qtbot, make_window, [" one"], loader_backend=backend)
    qtbot.keyClick(window.editor, Qt.Key.Key_Tab)
    assert window.editor.user_text() == "Go one" and window.status.candidate_label.text() == ""
    backend.release.set()
    qtbot.waitUntil(lambda: backend.made == [False], timeout=5000)  # the run saw Stop
    qtbot.wait(50)
    assert window.controller.candidates == [] and window.status.candidate_label.text() == ""


class FailingCandidatesBackend(LaterCandidatesBackend):
    """The first candidate streams; making the others fails (as running out of memory would)."""

    def stream(self, request, stop):
        from aigc_desktop.engine.errors import GenerationError

        run = super().stream(request, stop)

        def make_alternatives():
            self.release.wait(10)
            raise GenerationError("Out of memory while generating.")

        run.make_alternatives = make_alternatives
        return run


def test_a_failure_making_the_other_candidates_is_said_and_ends_the_indicator(qtbot, make_window):
    backend = FailingCandidatesBackend([" one", " two", " three"])
    window, _ = start(qtbot, make_window, [" one"], loader_backend=backend)
    notices = []
    window.host.worker.notice.connect(notices.append)
    assert "making candidates" in window.status.candidate_label.text()
    backend.release.set()
    qtbot.waitUntil(lambda: window.status.candidate_label.text() == "", timeout=5000)
    assert notices == ["The other candidates could not be made: Out of memory while generating."]
    assert window.editor.suggestion_text() == " one" and window.controller.candidates == []


def test_alt_brackets_with_nothing_pending_type_no_bracket(qtbot, make_window):
    window, _ = start(qtbot, make_window, [" one", " two"])
    qtbot.keyClick(window.editor, Qt.Key.Key_Tab)
    assert window.editor.toPlainText() == "Go one"
    qtbot.keyClick(window.editor, Qt.Key.Key_BracketRight, ALT)
    qtbot.keyClick(window.editor, Qt.Key.Key_BracketLeft, ALT)
    assert window.editor.toPlainText() == "Go one"  # no candidates, and no stray "]" or "["
    qtbot.keyClicks(window.editor, "]")
    assert window.editor.toPlainText() == "Go one]"  # the bracket key itself still types
