"""The status bar at the default width: fields give way by priority, messages stay readable."""

from __future__ import annotations

from fake_backend import FakeBackend, fake_loader

from aigc_desktop.ui.suggestion.continuation import PENDING


def fill(window, qtbot):
    window.resize(960, 680)
    window.status.model_label.setText("SmolLM2-135M-Instruct.Q4_1.gguf · CPU int8")
    window.status.speed_label.setText("23.4 tokens/s")
    window.status.context_label.setText("context 1021/2048 tokens")
    window.status.ai_share_label.setText("AI 62%")
    window.status.candidate_label.setText("2/3")
    window._show_counts(1234, 56789)
    window.probability_view_action.trigger()
    qtbot.wait(50)


def visible_width(widget) -> int:
    return widget.width() if widget.isVisible() else 0


def test_fields_fit_at_960px_by_priority(qtbot, make_window):
    window = make_window(fake_loader(FakeBackend()))
    fill(window, qtbot)
    bar = window.statusBar()
    qtbot.waitUntil(lambda: all(w.width() <= w.maximumWidth() for w in bar.findChildren(type(window.status.count_label))))
    # Everything shown fits inside the bar: nothing is cut at the window's edge.
    right = max(w.geometry().right() for w in (window.status.count_label, window.status.model_label, window.status.state_label)
                if w.isVisible())
    assert right <= bar.width()
    # The state, the candidate and the model (perhaps shortened) are always there;
    # the speed goes before the word count does.
    assert window.status.state_label.width() >= window.status.state_label.sizeHint().width() - 2
    assert window.status.candidate_label.width() > 0 and window.status.model_label.width() >= 60
    dropped = bar.dropped()
    if window.status.count_label in dropped:
        assert window.status.speed_label in dropped and window.status.context_label in dropped
    assert window.status.model_label.text().startswith("SmolLM2-135M-Instruct.Q4_1.gguf")  # elided only when painted


def test_temporary_message_gets_room(qtbot, make_window):
    window = make_window(fake_loader(FakeBackend()))
    fill(window, qtbot)
    bar = window.statusBar()
    message = "Saved /home/writer/Documents/a rather long folder name/draft.md"
    bar.showMessage(message, 3000)
    qtbot.wait(50)
    used = sum(w.width() + 10 for w in bar.findChildren(type(window.status.count_label)) if w.isVisible() and w.width())
    needed = bar.fontMetrics().horizontalAdvance(message)
    assert bar.width() - used >= min(needed, int(bar.width() * 0.6)) - 20
    bar.clearMessage()
    qtbot.wait(50)
    assert window.status.speed_label.width() > 0 or window.status.speed_label in bar.dropped()


def test_counts_say_plural_and_spaces(qtbot, make_window, qapp):
    from aigc_desktop.app import install_translations

    translators = install_translations(qapp, "en")
    try:
        window = make_window(fake_loader(FakeBackend()))
        window._show_counts(1, 1)
        assert window.status.count_label.text() == "1 word · 1 character without spaces"
        window._show_counts(2, 10)
        assert window.status.count_label.text() == "2 words · 10 characters without spaces"
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)


def test_speed_and_context_update_after_a_stopped_run(qtbot, make_window):
    backend = FakeBackend(pieces=[f" w{i}" for i in range(200)], delay=0.02)
    window = make_window(fake_loader(backend))
    window.editor.load_text("Go")
    cursor = window.editor.textCursor()
    cursor.setPosition(2)
    window.editor.setTextCursor(cursor)
    window.controller.continue_text()
    qtbot.waitUntil(lambda: len(window.editor.suggestion_text()) > 12, timeout=5000)
    window.stop_action.trigger()
    assert window.controller.state == PENDING
    qtbot.waitUntil(lambda: window.status.context_label.text() != "", timeout=5000)
    assert "tokens/s" in window.status.speed_label.text()
