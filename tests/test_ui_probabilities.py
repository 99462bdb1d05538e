"""The probability view: colours from the same run, hover alternatives, click to use another word."""

from __future__ import annotations

import dataclasses

import math

import pytest
from PySide6.QtCore import QEvent, QPoint
from PySide6.QtGui import QHelpEvent, QTextCursor
from PySide6.QtWidgets import QApplication, QToolTip

from aigc_desktop.engine.local.generator import Generator
from aigc_desktop.ui.suggestion.continuation import PENDING, STREAMING
from aigc_desktop.ui.suggestion.probability_view import BANDS, band_colour, visible
from aigc_desktop.ui.suggestion.worker import engine_loader

CONTEXT = "今天天气真好，我想去公园散步。"


@pytest.fixture
def window(qtbot, make_window, tiny_chinese_dir):
    window = make_window(engine_loader, model=str(tiny_chinese_dir), device="cpu", temperature=0.0,
                         max_new_tokens=6, alternatives=1)
    window.editor.load_text(CONTEXT)
    window.editor.moveCursor(QTextCursor.MoveOperation.End)
    window.probability_view_action.trigger()
    window.controller.continue_text()
    qtbot.waitUntil(lambda: window.controller.state != STREAMING, timeout=20000)
    assert window.controller.state == PENDING
    return window


def engine_events(tiny_chinese, window):
    """The same run as the window's: its request, on the engine in the window's mode (fast on a CPU)."""
    from aigc_desktop.engine.local.loading import enable_fast_mode

    loaded = dataclasses.replace(tiny_chinese, fast=None)
    enable_fast_mode(loaded, int8=window.generation_settings().fast_mode)
    run = Generator(loaded).stream(window.controller._make_request(CONTEXT, 0))
    return [e for e in run if e.text]


def test_colours_come_from_the_runs_own_probabilities(window, tiny_chinese):
    assert window.status.probability_legend.isVisible()
    spans = window.editor.probabilities.spans()
    events = engine_events(tiny_chinese, window)
    assert [s.text for s in spans] == [e.text for e in events]
    for span, event in zip(spans, events):
        assert span.info.probability == pytest.approx(math.prod(event.probabilities))
        assert len(span.info.alternatives) >= 1
    selections = window.editor.extraSelections()
    coloured = {s.cursor.selectedText(): s.format.background().color() for s in selections[:-1]}
    for span in spans:
        assert coloured[span.text] == band_colour(span.info.probability)
    assert band_colour(0.9) == BANDS[0][2] and band_colour(0.05) == BANDS[2][2]


def test_hover_shows_alternatives(qtbot, window):
    span = window.editor.probabilities.spans()[0]
    cursor = QTextCursor(window.editor.document())
    cursor.setPosition(span.start)
    point = window.editor.cursorRect(cursor).center() + QPoint(2, 0)
    event = QHelpEvent(QEvent.Type.ToolTip, point, window.editor.viewport().mapToGlobal(point))
    QApplication.sendEvent(window.editor, event)
    qtbot.waitUntil(lambda: QToolTip.isVisible(), timeout=2000)
    text = QToolTip.text()
    assert "%" in text and visible(span.info.alternatives[0][0]) in text


def test_click_another_word_rewrites_from_there(qtbot, window):
    spans = window.editor.probabilities.spans()
    target = spans[1]
    prefix = spans[0].text
    alternative = next(t for t, _ in target.info.alternatives if t != target.text)
    window.candidates.show_token_alternatives(target, QPoint(0, 0))
    labels = [a.text() for a in window.candidates.alternatives_menu.actions()]
    assert any(visible(alternative) in label for label in labels)
    chosen = next(a for a in window.candidates.alternatives_menu.actions() if a.text().startswith(visible(alternative) + "  "))
    chosen.trigger()
    window.candidates.alternatives_menu.close()
    qtbot.waitUntil(lambda: window.controller.state == PENDING, timeout=20000)
    suggestion = window.editor.suggestion_text()
    assert suggestion.startswith(prefix + alternative)
    assert window.editor.user_text() == CONTEXT  # still only a suggestion
    assert len(suggestion) > len(prefix + alternative)  # the model wrote on from there


def test_colours_survive_accept_until_the_text_changes(qtbot, window):
    count = len(window.editor.probabilities.spans())
    window.controller.accept()
    assert len(window.editor.probabilities.spans()) == count
    first = window.editor.probabilities.spans()[0]
    cursor = window.editor.textCursor()
    cursor.setPosition(first.start + len(first.text))
    window.editor.setTextCursor(cursor)
    qtbot.keyClicks(window.editor, "x")  # typed between two spans: both keep their colour
    assert len(window.editor.probabilities.spans()) == count
    cursor.setPosition(first.start)
    cursor.setPosition(first.start + len(first.text), QTextCursor.MoveMode.KeepAnchor)
    window.editor.setTextCursor(cursor)
    qtbot.keyClicks(window.editor, "y")  # the span's own text replaced: its colour goes
    assert len(window.editor.probabilities.spans()) == count - 1
    window.probability_view_action.trigger()
    assert not window.status.probability_legend.isVisible()
    assert len(window.editor.extraSelections()) == 0


def test_pending_text_keeps_its_look_under_the_colours(window):
    from PySide6.QtGui import QTextFormat

    selections = window.editor.extraSelections()
    pending = selections[-1]  # drawn last: its grey text and dotted underline over the colours
    assert len(selections) > 1
    assert pending.format.hasProperty(QTextFormat.Property.ForegroundBrush)
    assert pending.format.underlineStyle() != pending.format.UnderlineStyle.NoUnderline
    assert not pending.format.hasProperty(QTextFormat.Property.BackgroundBrush)  # the colours show
