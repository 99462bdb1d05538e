"""The Continue flow in the real window with a slow scripted backend (exact timing)."""

from __future__ import annotations

import time

import pytest
from fake_backend import FakeBackend, fake_loader
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from aigc_desktop.ui.suggestion.continuation import IDLE, PENDING, STREAMING


def put_text(window, text: str, select_all: bool = False) -> None:
    window.editor.load_text(text)
    cursor = window.editor.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    if select_all:
        cursor.movePosition(QTextCursor.MoveOperation.Start, QTextCursor.MoveMode.KeepAnchor)
    window.editor.setTextCursor(cursor)
    window.editor.setFocus()


def wait_state(qtbot, window, state, timeout=5000):
    qtbot.waitUntil(lambda: window.controller.state == state, timeout=timeout)


def test_select_ctrl_enter_stream_tab_save(qtbot, make_window, tmp_path):
    backend = FakeBackend(delay=0.01)
    window = make_window(fake_loader(backend))
    path = tmp_path / "draft.md"
    path.write_text("A first paragraph.", encoding="utf-8")
    assert window.document.open_file(str(path))
    cursor = window.editor.textCursor()
    cursor.select(QTextCursor.SelectionType.Document)
    window.editor.setTextCursor(cursor)
    window.editor.setFocus()
    qtbot.keyClick(window.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.controller.state == STREAMING
    assert window.stop_action.isEnabled()
    wait_state(qtbot, window, PENDING)
    assert backend.requests[0].context == "A first paragraph."
    assert window.editor.toPlainText() == "A first paragraph. one two three four five"
    assert window.editor.user_text() == "A first paragraph."  # still only a suggestion
    assert not window.stop_action.isEnabled()
    qtbot.keyClick(window.editor, Qt.Key.Key_Tab)
    assert window.controller.state == IDLE
    assert window.editor.user_text() == "A first paragraph. one two three four five"
    assert window.isWindowModified()
    qtbot.keyClick(window.editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert path.read_text(encoding="utf-8") == "A first paragraph. one two three four five"
    assert not window.isWindowModified()


def test_context_is_text_before_cursor_and_insertion_at_cursor(qtbot, make_window):
    backend = FakeBackend(pieces=["X"])
    window = make_window(fake_loader(backend))
    window.editor.load_text("before|after")
    cursor = window.editor.textCursor()
    cursor.setPosition(len("before|"))
    window.editor.setTextCursor(cursor)
    window.controller.continue_text()
    wait_state(qtbot, window, PENDING)
    assert backend.requests[0].context == "before|"
    assert window.editor.toPlainText() == "before|Xafter"
    window.controller.accept()
    assert window.editor.user_text() == "before|Xafter"
    assert window.editor.textCursor().position() == len("before|X")


def test_escape_restores_document_exactly_and_leaves_no_undo_step(qtbot, make_window):
    window = make_window(fake_loader(FakeBackend(pieces=["  \n二", "😀", " end"])))
    original = "Line one\r\nLine two 今天天气真好 😀"
    put_text(window, original)
    before = window.editor.document().toRawText()
    qtbot.keyClick(window.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    wait_state(qtbot, window, PENDING)
    assert window.editor.document().toRawText() != before
    qtbot.keyClick(window.editor, Qt.Key.Key_Escape)
    assert window.controller.state == IDLE
    assert window.editor.document().toRawText() == before
    assert not window.editor.can_undo()
    assert not window.isWindowModified()


def test_ctrl_z_after_accept_removes_exactly_the_continuation(qtbot, make_window):
    window = make_window(fake_loader(FakeBackend(pieces=[" and", " then", "\nmore"])))
    put_text(window, "Start")
    qtbot.keyClicks(window.editor, " typed")
    qtbot.keyClick(window.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    wait_state(qtbot, window, PENDING)
    qtbot.keyClick(window.editor, Qt.Key.Key_Tab)
    assert window.editor.user_text() == "Start typed and then\nmore"
    qtbot.keyClick(window.editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.editor.user_text() == "Start typed"
    qtbot.keyClick(window.editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.editor.user_text() == "Start typed and then\nmore"


def test_stop_mid_stream_inserts_nothing_more(qtbot, make_window):
    backend = FakeBackend(pieces=[f" w{i}" for i in range(200)], delay=0.02)
    window = make_window(fake_loader(backend))
    put_text(window, "Go")
    window.controller.continue_text()
    qtbot.waitUntil(lambda: len(window.editor.suggestion_text()) >= 9, timeout=5000)
    window.stop_action.trigger()
    stopped_text = window.editor.toPlainText()
    assert window.controller.state == PENDING
    qtbot.waitUntil(lambda: not window.host.worker_thread.isRunning() or _worker_idle(window), timeout=3000)
    qtbot.wait(100)
    assert window.editor.toPlainText() == stopped_text
    assert len(stopped_text) < len("Go") + 200 * 4  # it did not run to the end
    window.controller.accept()
    assert window.editor.user_text() == stopped_text


def _worker_idle(window) -> bool:
    # The worker thread processes one request at a time; a trivial request
    # queued behind the stopped one shows when it became free.
    return window.controller.state != STREAMING


def test_first_escape_stops_and_keeps_the_text_second_rejects(qtbot, make_window):
    backend = FakeBackend(pieces=[f" w{i}" for i in range(200)], delay=0.02)
    window = make_window(fake_loader(backend))
    put_text(window, "Go")
    window.controller.continue_text()
    qtbot.waitUntil(lambda: window.editor.suggestion_text() != "", timeout=5000)
    qtbot.keyClick(window.editor, Qt.Key.Key_Escape)
    assert window.controller.state == PENDING  # stopped, like the toolbar's Stop
    kept = window.editor.toPlainText()
    assert kept.startswith("Go w0")
    qtbot.wait(100)
    assert window.editor.toPlainText() == kept  # nothing more arrives
    qtbot.keyClick(window.editor, Qt.Key.Key_Escape)
    assert window.editor.toPlainText() == "Go"
    assert window.controller.state == IDLE


def test_toolbar_keeps_its_layout_stop_disabled_when_idle(qtbot, make_window):
    backend = FakeBackend(pieces=[f" w{i}" for i in range(200)], delay=0.02)
    window = make_window(fake_loader(backend))
    window.show()
    qtbot.waitExposed(window)
    put_text(window, "Go")

    def positions():
        return [window.toolbar.widgetForAction(a).geometry().x()
                for a in (window.stop_action, window.accept_action, window.reject_action)]

    idle = positions()
    assert window.toolbar.widgetForAction(window.stop_action).isVisible()
    assert not window.stop_action.isEnabled()
    window.controller.continue_text()
    assert window.stop_action.isEnabled()
    assert positions() == idle  # Accept does not slide under the pointer
    window.stop_action.trigger()
    assert not window.stop_action.isEnabled()
    assert window.stop_action in window.generate_menu.actions()
    for action in (window.new_action, window.open_action, window.save_action, window.continue_action,
                   window.stop_action, window.accept_action, window.reject_action, window.regenerate_action):
        assert not action.icon().isNull() and not action.icon().pixmap(24, 24).isNull(), action.text()


def test_typing_elsewhere_while_streaming_keeps_suggestion_anchored(qtbot, make_window):
    backend = FakeBackend(pieces=[f" w{i}" for i in range(30)], delay=0.01)
    window = make_window(fake_loader(backend))
    put_text(window, "Title\nBody")
    window.controller.continue_text()
    qtbot.waitUntil(lambda: window.editor.suggestion_text() != "", timeout=5000)
    cursor = window.editor.textCursor()
    cursor.setPosition(0)
    window.editor.setTextCursor(cursor)
    qtbot.keyClicks(window.editor, "My ")
    wait_state(qtbot, window, PENDING)
    expected_suggestion = "".join(f" w{i}" for i in range(30))
    assert window.editor.toPlainText() == "My Title\nBody" + expected_suggestion
    assert window.editor.user_text() == "My Title\nBody"
    window.controller.accept()
    assert window.editor.user_text() == "My Title\nBody" + expected_suggestion
    window.editor.undo()
    assert window.editor.user_text() == "My Title\nBody"
    window.editor.undo()
    assert window.editor.user_text() == "Title\nBody"


def test_typing_inside_suggestion_accepts_text_before_caret(qtbot, make_window):
    window = make_window(fake_loader(FakeBackend(pieces=[" alpha", " beta", " gamma"])))
    put_text(window, "Go")
    window.controller.continue_text()
    wait_state(qtbot, window, PENDING)
    cursor = window.editor.textCursor()
    cursor.setPosition(len("Go alpha"))
    window.editor.setTextCursor(cursor)
    qtbot.keyClicks(window.editor, "!")
    assert window.controller.state == IDLE
    assert window.editor.user_text() == "Go alpha!"
    assert window.editor.toPlainText() == "Go alpha!"


def test_select_all_and_type_during_streaming(qtbot, make_window):
    backend = FakeBackend(pieces=[f" w{i}" for i in range(100)], delay=0.01)
    window = make_window(fake_loader(backend))
    put_text(window, "Old text")
    window.controller.continue_text()
    qtbot.waitUntil(lambda: window.editor.suggestion_text() != "", timeout=5000)
    qtbot.keyClick(window.editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(window.editor, "New")
    qtbot.wait(150)
    assert window.controller.state == IDLE
    assert window.editor.toPlainText() == "New"
    assert window.editor.user_text() == "New"
    window.editor.undo()
    assert window.editor.user_text() == "Old text"


def test_second_continue_during_first_never_inserts_old_tokens(qtbot, make_window):
    backend = FakeBackend(pieces=[" old"] * 100, delay=0.01)
    window = make_window(fake_loader(backend))
    put_text(window, "Go")
    window.controller.continue_text()
    qtbot.waitUntil(lambda: window.editor.suggestion_text() != "", timeout=5000)
    backend.pieces = [" new"] * 3
    window.controller.continue_text()
    wait_state(qtbot, window, PENDING)
    qtbot.wait(100)
    assert window.editor.toPlainText() == "Go new new new"
    assert len(backend.requests) == 2


def test_regenerate_replaces_suggestion_with_new_seed(qtbot, make_window):
    backend = FakeBackend(pieces=[" first"])
    window = make_window(fake_loader(backend), temperature=0.9)
    put_text(window, "Go")
    window.controller.continue_text()
    wait_state(qtbot, window, PENDING)
    backend.pieces = [" second"]
    qtbot.keyClick(window.editor, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    wait_state(qtbot, window, PENDING)
    assert window.editor.toPlainText() == "Go second"
    assert backend.requests[0].context == backend.requests[1].context == "Go"
    assert backend.requests[0].seed != backend.requests[1].seed
    assert not window.editor.can_undo()


def test_generation_error_shows_message_and_keeps_text(qtbot, make_window):
    from aigc_desktop.engine.errors import GenerationError

    backend = FakeBackend(fail_with=GenerationError("Out of memory while generating."))
    window = make_window(fake_loader(backend))
    put_text(window, "Precious words")
    window.controller.continue_text()
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=5000)
    assert "Out of memory" in window.banner.text()
    assert window.editor.user_text() == "Precious words"
    assert window.controller.state == IDLE


def test_model_load_failure_leaves_editor_usable_with_message(qtbot, make_window):
    from aigc_desktop.engine.errors import ModelLoadError

    def loader(source, device, allow_download=False, int8=False):
        raise ModelLoadError(f"Model folder not found: {source}")

    window = make_window(loader)
    assert window.banner.isVisible()
    assert "Model folder not found" in window.banner.text()
    assert "You can keep writing" in window.banner.text()
    assert "Choose model folder…" in [b.text() for b in window.banner._buttons]
    put_text(window, "still writing")
    qtbot.keyClicks(window.editor, " fine")
    assert window.editor.user_text() == "still writing fine"
    window.controller.continue_text()
    assert "not ready" in window.banner.text()
    assert window.editor.user_text() == "still writing fine"


def test_close_during_generation_stops_worker_cleanly(qtbot, make_window):
    backend = FakeBackend(pieces=[" w"] * 1000, delay=0.01)
    window = make_window(fake_loader(backend))
    put_text(window, "Go")
    window.controller.continue_text()
    qtbot.waitUntil(lambda: window.editor.suggestion_text() != "", timeout=5000)
    started = time.perf_counter()
    window.close()
    assert window.host.worker_thread.isFinished()
    assert time.perf_counter() - started < 2.0


def test_unsaved_changes_prompt_on_new(qtbot, make_window, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    window = make_window(fake_loader(FakeBackend()))
    put_text(window, "")
    qtbot.keyClicks(window.editor, "draft")
    asked = []
    window.document.ask_save_changes = lambda: asked.append(1) or QMessageBox.StandardButton.Cancel
    window.new_action.trigger()
    assert asked and window.editor.user_text() == "draft"
    window.document.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    window.new_action.trigger()
    assert window.editor.user_text() == ""


def test_title_shows_file_name_and_modified_mark(qtbot, make_window, tmp_path):
    window = make_window(fake_loader(FakeBackend()))
    path = tmp_path / "notes.txt"
    path.write_text("hello", encoding="utf-8")
    window.document.open_file(str(path))
    assert window.windowTitle().startswith("notes.txt")
    assert not window.isWindowModified()
    qtbot.keyClicks(window.editor, "x")
    assert window.isWindowModified()
    window.editor.undo()
    assert not window.isWindowModified()


def test_open_bad_file_shows_message_and_keeps_document(qtbot, make_window, tmp_path):
    window = make_window(fake_loader(FakeBackend()))
    put_text(window, "keep me")
    binary = tmp_path / "image.bin"
    binary.write_bytes(b"\x89PNG\x00\x00\x01")
    window.document.ask_save_changes = lambda: pytest.fail("no prompt expected")
    assert not window.document.open_file(str(binary), ask_to_save=False)
    assert window.banner.isVisible()
    assert window.editor.user_text() == "keep me"


def test_missing_model_offers_download_and_downloads_only_when_asked(qtbot, make_window):
    from aigc_desktop.engine.errors import ModelNotDownloadedError

    calls = []
    backend = FakeBackend(pieces=[" ok"])

    def loader(source, device, allow_download=False, int8=False):
        calls.append(allow_download)
        if not allow_download:
            raise ModelNotDownloadedError(f"Model '{source}' is not downloaded yet.")
        return backend

    window = make_window(loader)
    assert calls == [False]
    assert "not downloaded yet" in window.banner.text()
    buttons = {b.text(): b for b in window.banner._buttons}
    assert "Download" in buttons and "Choose model folder…" in buttons
    buttons["Download"].click()
    qtbot.waitUntil(lambda: window.session.model_info is not None, timeout=5000)
    assert calls == [False, True]
    assert not window.banner.isVisible()
    put_text(window, "Go")
    window.controller.continue_text()
    wait_state(qtbot, window, PENDING)
    assert window.editor.toPlainText() == "Go ok"


def test_previous_model_keeps_working_while_another_loads(qtbot, make_window):
    import threading

    release = threading.Event()
    first = FakeBackend(pieces=[" old model"])
    second = FakeBackend(pieces=[" new model"])

    def loader(source, device, allow_download=False, int8=False):
        if source == "second":
            release.wait(10)  # a slow load
            return second
        return first

    window = make_window(loader)
    window.session.load_model("second", "cpu")
    qtbot.waitUntil(lambda: window.status.load_progress.isVisible(), timeout=2000)
    put_text(window, "Go")
    window.controller.continue_text()
    wait_state(qtbot, window, PENDING)
    assert window.editor.toPlainText() == "Go old model"  # served while the new one loads
    window.controller.accept()
    release.set()
    qtbot.waitUntil(lambda: window.session.model_info.source == "second", timeout=5000)
    window.controller.continue_text()
    wait_state(qtbot, window, PENDING)
    assert window.editor.toPlainText() == "Go old model new model"


def test_long_documents_are_counted_without_freezing_the_window(qtbot, make_window):
    window = make_window(fake_loader(FakeBackend()))
    window.editor.load_text("word 字 " * 100_000)  # 700,000 characters
    started = time.perf_counter()
    window._update_counts()
    assert time.perf_counter() - started < 0.2  # the count itself runs in a helper thread
    qtbot.waitUntil(lambda: window.status.count_label.text().startswith("200000 word(s) · 500000 character(s)"), timeout=20000)


def long_document_window(make_window):
    """A small window on 80 paragraphs, the caret at the end, a backend that writes eight lines."""
    lines = [f" line {i} of what the model wrote,\n" for i in range(8)]
    window = make_window(fake_loader(FakeBackend(lines, delay=0.005)))
    window.resize(700, 420)
    put_text(window, "\n".join(f"Paragraph {i} of the writer's own draft." for i in range(80)))
    return window


def assert_suggestion_in_view(editor) -> None:
    """The suggestion's last line is in view (spaced lines may leave the document's last one cut by a
    few pixels at the end of the scroll range), and so is the caret where it starts."""
    end = QTextCursor(editor.document())
    end.setPosition(editor.pending_range()[1])
    height = editor.viewport().height()
    assert editor.cursorRect(end).center().y() < height
    assert 0 <= editor.cursorRect().top() and editor.cursorRect().center().y() < height


def test_the_view_follows_a_suggestion_at_the_end_of_a_long_document(qtbot, make_window):
    window = long_document_window(make_window)
    window.editor.set_line_spacing(1.5)  # spaced lines: Qt's own scrolling to the caret can leave its line cut
    window.controller.continue_text()
    wait_state(qtbot, window, PENDING)
    assert_suggestion_in_view(window.editor)


def test_a_banner_shown_under_a_pending_suggestion_keeps_it_in_view(qtbot, make_window):
    window = long_document_window(make_window)
    window.controller.continue_text()
    wait_state(qtbot, window, PENDING)
    window.show_notice("A notice that arrives after the run, such as a server's candidates.")
    qtbot.waitUntil(lambda: window.banner.isVisible())
    qtbot.wait(20)  # the layout settles
    assert_suggestion_in_view(window.editor)
