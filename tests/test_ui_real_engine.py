"""The same editor flows against the real engine and a tiny real model (no fakes)."""

from __future__ import annotations

import os
import random
import re
import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from tiny_models import build_tiny_gpt2

from aigc_desktop.ui.suggestion.continuation import IDLE, PENDING, STREAMING
from aigc_desktop.ui.suggestion.worker import engine_loader


@pytest.fixture(scope="module")
def slow_gpt2_dir(tmp_path_factory):
    # Long enough that 900 tokens take a noticeable time, so Stop lands mid-stream; and no
    # end-of-text token, so a random model cannot finish on its own before Stop.
    import json

    folder = build_tiny_gpt2(tmp_path_factory.mktemp("slow-gpt2"), n_positions=1024)
    for name in ("config.json", "generation_config.json"):
        config = json.loads((folder / name).read_text())
        config["eos_token_id"] = None
        (folder / name).write_text(json.dumps(config))
    return folder


def select_all(window):
    cursor = window.editor.textCursor()
    cursor.select(QTextCursor.SelectionType.Document)
    window.editor.setTextCursor(cursor)
    window.editor.setFocus()


def test_greedy_continue_accept_save_matches_engine(qtbot, make_window, tiny_gpt2_dir, tiny_gpt2, tmp_path):
    window = make_window(engine_loader, model=str(tiny_gpt2_dir), device="cpu", temperature=0.0,
                         max_new_tokens=20)
    assert window.session.model_info.window == 128
    path = tmp_path / "story.txt"
    path.write_text("Once upon a time there was", encoding="utf-8")
    window.document.open_file(str(path))
    select_all(window)
    qtbot.keyClick(window.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.controller.state != STREAMING, timeout=20000)
    # The same engine the window loaded (its default mode) and the very request it made.
    same_engine = engine_loader(str(tiny_gpt2_dir), "cpu", False, window.generation_settings().fast_mode)
    expected = same_engine.stream(window.controller._make_request("Once upon a time there was", 0))
    expected_text = "".join(e.text for e in expected)
    assert window.editor.suggestion_text() == expected_text
    if expected_text:
        assert window.controller.state == PENDING
        qtbot.keyClick(window.editor, Qt.Key.Key_Tab)
    assert window.controller.state == IDLE
    qtbot.keyClick(window.editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert path.read_text(encoding="utf-8") == "Once upon a time there was" + expected_text
    assert "tokens/s" in window.status.speed_label.text()
    assert window.status.context_label.text().endswith("/128 tokens")


def test_chinese_model_continues_in_clean_chinese(qtbot, make_window, tiny_chinese_dir):
    window = make_window(engine_loader, model=str(tiny_chinese_dir), device="cpu", temperature=1.0,
                         max_new_tokens=30)
    window.editor.load_text("今天天气真好，我想去公园散步。")
    cursor = window.editor.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    window.editor.setTextCursor(cursor)
    window.controller.continue_text()
    qtbot.waitUntil(lambda: window.controller.state != STREAMING, timeout=20000)
    suggestion = window.editor.suggestion_text()
    assert suggestion
    for token in ("[CLS]", "[SEP]", "[UNK]", "[PAD]", "\ufffd"):
        assert token not in suggestion
    cjk = [c for c in suggestion if "\u4e00" <= c <= "\u9fff"]
    assert cjk
    # The tiny vocabulary has a few English words, which keep their spaces; Chinese never gets any.
    assert not re.search("[\u3000-\u9fff\uff00-\uffef] | [\u3000-\u9fff\uff00-\uffef]", suggestion)


def test_escape_restores_and_ctrl_z_undoes_accept(qtbot, make_window, tiny_gpt2_dir):
    window = make_window(engine_loader, model=str(tiny_gpt2_dir), device="cpu", temperature=0.9,
                         max_new_tokens=15)
    window.editor.load_text("The writer keeps a draft")
    cursor = window.editor.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    window.editor.setTextCursor(cursor)
    window.editor.setFocus()
    before = window.editor.document().toRawText()
    qtbot.keyClick(window.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.controller.state != STREAMING, timeout=20000)
    qtbot.keyClick(window.editor, Qt.Key.Key_Escape)
    assert window.editor.document().toRawText() == before
    assert not window.editor.can_undo()
    qtbot.keyClick(window.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.controller.state != STREAMING, timeout=20000)
    accepted = window.editor.suggestion_text()
    qtbot.keyClick(window.editor, Qt.Key.Key_Tab)
    assert window.editor.user_text() == "The writer keeps a draft" + accepted
    qtbot.keyClick(window.editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.editor.document().toRawText() == before


def test_stop_mid_stream_with_real_engine(qtbot, make_window, slow_gpt2_dir):
    window = make_window(engine_loader, model=str(slow_gpt2_dir), device="cpu", temperature=1.0,
                         max_new_tokens=900)
    summaries = []
    window.host.worker.finished.connect(lambda rid, summary: summaries.append(summary))
    window.editor.load_text("Once upon a time")
    cursor = window.editor.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    window.editor.setTextCursor(cursor)
    window.controller.continue_text()
    qtbot.waitUntil(lambda: window.editor.suggestion_text() != "", timeout=20000)
    window.stop_action.trigger()
    shown = window.editor.toPlainText()
    qtbot.waitUntil(lambda: bool(summaries), timeout=10000)
    assert summaries[0].finish_reason == "stopped"
    assert summaries[0].new_tokens < 900
    qtbot.wait(50)
    assert window.editor.toPlainText() == shown
    # Typing during and after streaming still works, and the next Continue runs.
    qtbot.keyClicks(window.editor, "!")
    window.controller.continue_text()
    qtbot.waitUntil(lambda: window.controller.state == STREAMING or window.controller.state == PENDING,
                    timeout=5000)
    window.controller.stop()


def test_close_during_real_generation_exits_quickly(qtbot, make_window, slow_gpt2_dir):
    window = make_window(engine_loader, model=str(slow_gpt2_dir), device="cpu", temperature=1.0,
                         max_new_tokens=900)
    window.editor.load_text("Once upon a time")
    window.editor.moveCursor(QTextCursor.MoveOperation.End)
    window.controller.continue_text()
    qtbot.waitUntil(lambda: window.editor.suggestion_text() != "", timeout=20000)
    started = time.perf_counter()
    window.close()
    assert window.host.worker_thread.isFinished()
    assert time.perf_counter() - started < 2.0


def test_real_engine_candidates_cycle(qtbot, make_window, tiny_chinese_dir):
    window = make_window(engine_loader, model=str(tiny_chinese_dir), device="cpu", temperature=1.0,
                         max_new_tokens=8, alternatives=3, seed=4)
    window.editor.load_text("今天天气真好，")
    window.editor.moveCursor(QTextCursor.MoveOperation.End)
    window.controller.continue_text()
    qtbot.waitUntil(lambda: window.controller.state == PENDING and bool(window.controller.candidates), timeout=20000)
    candidates = window.controller.candidates
    assert 2 <= len(candidates) <= 3 and len(set(candidates)) == len(candidates)
    assert window.editor.suggestion_text() == candidates[0]
    window.controller.cycle(1)
    assert window.editor.suggestion_text() == candidates[1]
    window.controller.accept()
    assert window.editor.user_text() == "今天天气真好，" + candidates[1]


def _rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs /proc for the memory figure")
def test_soak_stop_accept_or_reject_at_any_moment(qtbot, make_window, slow_gpt2_dir):
    """Continue, then Stop, Accept or Reject after 0-30 ms, many times, with the default 3 candidates:
    no error is ever shown, every run ends, and memory does not grow with the cycles."""
    window = make_window(engine_loader, model=str(slow_gpt2_dir), device="cpu", max_new_tokens=24)
    assert window.generation_settings().alternatives == 3
    errors, shown, summaries = [], [], []
    window.controller.error.connect(errors.append)
    window.host.worker.finished.connect(lambda _rid, summary: summaries.append(summary))
    window.show_error = lambda message, actions=(): shown.append(message)
    window.editor.load_text("Once upon a time there was a small editor")
    rng = random.Random(7)
    actions = {"stop": window.controller.stop, "accept": window.controller.accept,
               "reject": window.controller.reject}
    rss = []
    for cycle in range(150):
        window.editor.moveCursor(QTextCursor.MoveOperation.End)
        assert window.controller.continue_text(), cycle
        qtbot.wait(rng.choice([0, 0, 1, 3, 10, 30]))  # 0: before the first token
        actions[rng.choice(sorted(actions))]()
        if window.controller.state == PENDING:
            window.controller.reject()
        qtbot.waitUntil(lambda: window.controller.state == IDLE, timeout=10000)
        if cycle in (30, 149):
            rss.append(_rss_mib())
        if len(window.editor.toPlainText()) > 2000:
            window.editor.load_text("Once upon a time there was a small editor")
    window.controller.stop()
    assert errors == [] and shown == []
    assert rss[1] - rss[0] < 64, rss  # MiB between cycle 30 and the last
    # Both kinds of moment were hit: runs stopped before any token, and runs that wrote text.
    assert sum(1 for s in summaries if s.new_tokens == 0) >= 5
    assert sum(1 for s in summaries if s.new_tokens > 0) >= 20
