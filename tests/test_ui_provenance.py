"""AI provenance: spans of model-written text follow edits, persist beside the file, and label exports."""

from __future__ import annotations

import json

from fake_backend import FakeBackend, fake_loader
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from aigc_desktop.ui.suggestion.continuation import PENDING
from aigc_desktop.ui.document.provenance import HIGHLIGHT, export_text, sidecar_path, text_hash


def accept_continuation(qtbot, window, at_end=True):
    if at_end:
        window.editor.moveCursor(QTextCursor.MoveOperation.End)
    window.controller.continue_text()
    qtbot.waitUntil(lambda: window.controller.state == PENDING, timeout=5000)
    qtbot.keyClick(window.editor, Qt.Key.Key_Tab)


def ranges(window):
    return [(s.start, s.end) for s in window.editor.provenance.spans()]


def setup(qtbot, make_window, pieces=(" the model wrote this",), text="I wrote this."):
    window = make_window(fake_loader(FakeBackend(pieces=list(pieces))))
    window.editor.load_text(text)
    window.editor.setFocus()
    accept_continuation(qtbot, window)
    return window


def test_accepted_text_becomes_a_span_with_model_settings_and_time(qtbot, make_window):
    window = setup(qtbot, make_window)
    assert ranges(window) == [(13, 34)]
    span = window.editor.provenance.spans()[0]
    assert span.model == window.session.model_info.source == "test-model"
    assert span.settings["temperature"] == window.generation_settings().temperature
    assert span.time.endswith("+00:00")
    window._update_counts()
    assert window.status.ai_share_label.text() == "AI 62%"  # 21 of 34 characters


def test_spans_follow_typing_before_inside_and_after(qtbot, make_window):
    window = setup(qtbot, make_window)
    cursor = window.editor.textCursor()
    cursor.setPosition(0)
    window.editor.setTextCursor(cursor)
    qtbot.keyClicks(window.editor, ">> ")  # before: the span moves
    assert ranges(window) == [(16, 37)]
    window.editor.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(window.editor, " Me again.")  # after: not the model's
    assert ranges(window) == [(16, 37)]
    cursor.setPosition(16 + len(" the model"))
    window.editor.setTextCursor(cursor)
    qtbot.keyClicks(window.editor, " (edited)")  # inside: those characters are human
    assert ranges(window) == [(16, 26), (35, 46)]
    text = window.editor.user_text()
    assert [text[a:b] for a, b in ranges(window)] == [" the model", " wrote this"]


def test_spans_survive_undo_and_redo_of_other_edits(qtbot, make_window):
    window = setup(qtbot, make_window)
    window.editor.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(window.editor, " More.")
    window.editor.undo()
    assert ranges(window) == [(13, 34)]
    window.editor.redo()
    assert ranges(window) == [(13, 34)] and window.editor.user_text().endswith(" More.")
    while window.editor.user_text() != "I wrote this.":
        window.editor.undo()  # the typing, then the continuation itself
    assert ranges(window) == []


def test_saved_beside_the_file_and_restored_on_open(qtbot, make_window, tmp_path):
    window = setup(qtbot, make_window)
    path = tmp_path / "draft.md"
    window.document.path = str(path)
    assert window.document.save()
    sidecar = json.loads(sidecar_path(path).read_text(encoding="utf-8"))
    assert sidecar["sha256"] == text_hash(path.read_text(encoding="utf-8"))
    assert [(s["start"], s["end"]) for s in sidecar["spans"]] == [(13, 34)]
    assert path.read_text(encoding="utf-8") == "I wrote this. the model wrote this"  # text unchanged
    window.document.new_document()
    assert ranges(window) == []
    window.document.open_file(str(path))
    assert ranges(window) == [(13, 34)]
    window.provenance_view_action.trigger()
    highlights = [s for s in window.editor.extraSelections() if s.format.background().color() == HIGHLIGHT]
    assert [(s.cursor.selectionStart(), s.cursor.selectionEnd()) for s in highlights] == [(13, 34)]


def test_file_changed_elsewhere_drops_spans_with_a_notice(qtbot, make_window, tmp_path):
    window = setup(qtbot, make_window)
    path = tmp_path / "draft.txt"
    window.document.path = str(path)
    window.document.save()
    window.document.new_document()
    path.write_text("Someone else rewrote the start. the model wrote this", encoding="utf-8")
    window.document.open_file(str(path))
    assert ranges(window) == []
    assert "changed outside" in window.banner.text()


def test_adjacent_spans_export_as_one_mark():
    text = "Start. one two three."
    assert export_text(text, [(6, 10), (10, 14), (14, 21)], "L", "markdown") == "> L\n\nStart.<mark> one two three.</mark>"
    assert export_text(text, [(6, 10), (11, 14)], "L", "markdown") == "> L\n\nStart.<mark> one</mark> <mark>two</mark> three."


def test_reload_with_matching_text_restores_spans_and_clears_the_notice(qtbot, make_window, tmp_path):
    window = setup(qtbot, make_window)
    path = tmp_path / "draft.txt"
    window.document.path = str(path)
    window.document.save()
    original = path.read_text(encoding="utf-8")
    path.write_text("Someone else rewrote the start. the model wrote this", encoding="utf-8")
    assert window.document.reload_from_disk()
    assert ranges(window) == [] and "changed outside" in window.banner.text()
    path.write_text(original, encoding="utf-8")  # the outside change is undone
    assert window.document.reload_from_disk()
    assert ranges(window) == [(13, 34)]
    assert not window.banner.isVisible()


def test_export_output_exactly():
    text = "Hi <b>. AI part\nmore."
    spans = [(8, 15)]
    assert export_text(text, spans, "LABEL", "text") == "LABEL\n\nHi <b>. AI part\nmore."
    assert export_text(text, spans, "LABEL", "markdown") == "> LABEL\n\nHi <b>. <mark>AI part</mark>\nmore."
    assert export_text(text, spans, "本文包含AI内容", "html") == (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body>\n'
        '<p class="ai-label">本文包含AI内容</p>\n'
        '<p>Hi &lt;b&gt;. <mark class="ai">AI part</mark><br>\nmore.</p>\n</body></html>\n')


def test_export_with_label_from_the_window(qtbot, make_window, tmp_path, monkeypatch):
    from aigc_desktop.ui.document.export_dialog import ExportLabelDialog

    window = setup(qtbot, make_window)
    out = tmp_path / "labelled.md"
    window.export.ask_export_path = lambda: str(out)
    seen = []

    def accept_as_shown(self):  # the real dialog, answered at once
        seen.append(self)
        return ExportLabelDialog.DialogCode.Accepted

    monkeypatch.setattr(ExportLabelDialog, "exec", accept_as_shown)
    assert window.export.export_with_label()
    assert out.read_text(encoding="utf-8") == (
        f"> This document contains AI-generated text, written with aigc-desktop ({window.session.model_info.name}).\n\n"
        "I wrote this.<mark> the model wrote this</mark>")
    dialog = seen[0]
    assert "{model}" not in dialog.preview.toPlainText()  # the preview shows what will be written
    assert dialog.preview.toPlainText() == out.read_text(encoding="utf-8")
    dialog.label_edit.setText("本文部分内容由 AI 生成")
    assert dialog.preview.toPlainText().startswith("> 本文部分内容由 AI 生成\n\n")  # live
    window.export.ask_export_label = lambda label, model, render: ("本文部分内容由 AI 生成", "本文部分内容由 AI 生成")
    assert window.export.export_with_label()
    assert out.read_text(encoding="utf-8").startswith("> 本文部分内容由 AI 生成\n\n")
    assert window.settings.ai_label() == "本文部分内容由 AI 生成"  # remembered
