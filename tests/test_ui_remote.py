"""The editor on an inference server: the same Continue flow, errors as messages, privacy shown."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QTextCursor
from sse_server import API_KEY, SSEServer

from aigc_desktop.ui.settings import secrets
from aigc_desktop.ui.suggestion.continuation import PENDING
from aigc_desktop.engine.server.server_address import server_source
from aigc_desktop.ui.suggestion.worker import engine_loader


@pytest.fixture(scope="module")
def server():
    with SSEServer() as running:
        yield running


def open_on(qtbot, make_window, url, **overrides):
    window = make_window(engine_loader, use_server=True, server_url=url, **overrides)
    window.editor.load_text("Once upon a time")
    window.editor.moveCursor(QTextCursor.MoveOperation.End)
    return window


def test_continue_accept_through_a_server_and_privacy_shown(qtbot, make_window, server, gui_event_loop):
    window = open_on(qtbot, make_window, server.url("llamacpp"), alternatives=1)
    assert window.session.model_info is not None and window.session.model_info.source == server_source(server.url("llamacpp"))
    assert window.status.privacy_label.isVisible() and "127.0.0.1" in window.status.privacy_label.text()
    window.status.probability_legend.show()  # a crowded status bar squeezes the others, never the privacy notice
    window.resize(640, window.height())
    qtbot.waitUntil(lambda: window.width() <= 700)
    label = window.status.privacy_label
    assert label.width() >= label.fontMetrics().horizontalAdvance(label.text())
    window.status.probability_legend.hide()
    window.controller.continue_text()
    qtbot.waitUntil(lambda: window.controller.state == PENDING, timeout=10000)
    assert window.editor.suggestion_text().startswith(" there was a little girl")
    window.controller.accept()
    assert window.editor.user_text().startswith("Once upon a time there was")
    sent = [r for r in server.requests if r.path.endswith("/v1/completions")][-1]
    assert sent.body["prompt"] == "Once upon a time" and sent.body["stream"] is True
    assert "logprobs" not in sent.body  # the probability view is off: the server is spared them


def test_a_server_named_by_model_with_the_default_preset_continues(qtbot, make_window, server, gui_event_loop):
    """`aigc-desktop --model URL` with Balanced's no-repeat n-gram: the server is asked without it, not refused."""
    window = make_window(engine_loader, model=server_source(server.url("llamacpp")), no_repeat_ngram_size=4,
                         alternatives=1)
    window.editor.load_text("Once upon a time")
    window.editor.moveCursor(QTextCursor.MoveOperation.End)
    assert window.generation_settings().no_repeat_ngram_size == 4 and not window.generation_settings().use_server
    window.controller.continue_text()
    qtbot.waitUntil(lambda: window.controller.state == PENDING, timeout=10000)
    assert window.editor.suggestion_text().startswith(" there was a little girl")
    assert not window.banner.isVisible()
    window.controller.accept()
    assert window.editor.provenance.spans()[-1].settings["no_repeat_ngram_size"] == 0  # what really wrote it


def test_probabilities_and_candidates_from_the_server(qtbot, make_window, server, gui_event_loop):
    window = open_on(qtbot, make_window, server.url("vllm-logprobs"), alternatives=1)
    window.probability_view_action.trigger()
    window.controller.continue_text()
    qtbot.waitUntil(lambda: window.controller.state == PENDING, timeout=10000)
    assert [r for r in server.requests if r.path.endswith("/v1/completions")][-1].body["logprobs"] == 5
    spans = window.editor.probabilities.spans()
    assert spans and all(0 < s.info.probability <= 1 for s in spans)
    assert any(s.info.alternatives for s in spans)
    window.controller.reject()
    n2 = open_on(qtbot, make_window, server.url("vllm-n2"), alternatives=2)
    n2.controller.continue_text()
    qtbot.waitUntil(lambda: n2.controller.state == PENDING and len(n2.controller.candidates) == 2, timeout=10000)


@pytest.mark.parametrize("on_event_loop", [True, False], ids=["qasync-loop", "worker-thread"])
def test_stop_closes_the_stream_at_once(qtbot, make_window, server, request, on_event_loop):
    if on_event_loop:
        request.getfixturevalue("gui_event_loop")
    window = open_on(qtbot, make_window, server.url("slow"))
    hung_up = len([d for d in server.disconnects if d.scenario == "slow"])
    window.controller.continue_text()
    qtbot.waitUntil(lambda: window.editor.suggestion_text() != "", timeout=10000)
    window.stop_action.trigger()
    shown = window.editor.toPlainText()
    qtbot.waitUntil(lambda: len([d for d in server.disconnects if d.scenario == "slow"]) > hung_up, timeout=5000)
    assert window.editor.toPlainText() == shown
    assert window.controller.state == PENDING


def test_server_runs_stream_on_the_gui_event_loop_without_the_worker_thread(qtbot, make_window, server,
                                                                          gui_event_loop):
    import threading

    from PySide6.QtCore import Qt

    window = open_on(qtbot, make_window, server.url("llamacpp"), alternatives=1)
    threads = []
    window.host.worker.chunk.connect(lambda *_: threads.append(threading.current_thread()),
                                     Qt.ConnectionType.DirectConnection)
    window.controller.continue_text()
    assert window.host.active_task is not None  # a task on the loop, not a queued call to the thread
    qtbot.waitUntil(lambda: window.controller.state == PENDING, timeout=10000)
    assert threads and set(threads) == {threading.main_thread()}
    assert window.editor.suggestion_text().startswith(" there was a little girl")


def test_cut_stream_keeps_the_text_pending_with_a_message(qtbot, make_window, server):
    window = open_on(qtbot, make_window, server.url("cut"))
    window.controller.continue_text()
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=10000)
    assert "cut" in window.banner.text().lower()
    assert window.controller.state == PENDING and window.editor.suggestion_text()
    assert window.editor.user_text() == "Once upon a time"


def test_wrong_or_missing_key_and_unreachable_server_are_messages(qtbot, make_window, server):
    window = open_on(qtbot, make_window, server.url("auth"))
    assert "API key" in window.banner.text()
    assert window.session.model_info is None and window.editor.user_text() == "Once upon a time"
    secrets.store_api_key(server.url("auth"), API_KEY)
    try:
        keyed = open_on(qtbot, make_window, server.url("auth"))
        assert keyed.session.model_info is not None
        keyed.controller.continue_text()
        qtbot.waitUntil(lambda: keyed.controller.state == PENDING, timeout=10000)
        auth = [r for r in server.requests if r.path.startswith("/auth/v1/completions")][-1]
        assert auth.headers.get("Authorization") == f"Bearer {API_KEY}"
    finally:
        secrets.store_api_key(server.url("auth"), "")
    closed = open_on(qtbot, make_window, "http://127.0.0.1:9")
    assert closed.banner.isVisible() and closed.session.model_info is None


def test_settings_list_the_servers_models_and_keep_the_key_out_of_qsettings(qtbot, server, tmp_path):
    from PySide6.QtCore import QSettings

    from aigc_desktop.ui.settings.generation_settings import GenerationSettings
    from aigc_desktop.ui.settings.user_settings import AppSettings
    from aigc_desktop.ui.settings.settings_dialog import SettingsDialog

    dialog = SettingsDialog(GenerationSettings(use_server=True, server_url=server.url("models")))
    qtbot.addWidget(dialog)
    dialog.refresh_models_button.click()
    qtbot.waitUntil(lambda: dialog.server_model_combo.count() == 2, timeout=5000)
    assert [dialog.server_model_combo.itemText(i) for i in range(2)] == ["gpt2", "gpt2-medium"]
    dialog.server_model_combo.setCurrentText("gpt2-medium")
    dialog.api_key_edit.setText("sk-secret")
    dialog.api_key_edit.textEdited.emit("sk-secret")
    chosen = dialog.result_settings()
    assert (chosen.use_server, chosen.server_url, chosen.server_model) == (True, server.url("models"), "gpt2-medium")
    assert dialog.api_key == "sk-secret"
    ini = tmp_path / "s.ini"
    AppSettings(QSettings(str(ini), QSettings.Format.IniFormat)).save_generation(chosen)
    assert "sk-secret" not in ini.read_text(encoding="utf-8")


def test_a_server_that_ignores_candidates_is_told_not_hidden(qtbot, make_window, server, gui_event_loop):
    window = open_on(qtbot, make_window, server.url("llama-cpp-python"), alternatives=2)
    window.controller.continue_text()
    qtbot.waitUntil(lambda: window.controller.state == PENDING and window.banner.isVisible(), timeout=10000)
    assert "1 of the 2 candidates" in window.banner.text()
    assert window.editor.suggestion_text() and window.controller.candidates == []


def test_a_servers_notices_are_translated(qtbot, make_window, server, gui_event_loop):
    """The engine names the notice; the window says it in the interface's language."""
    from PySide6.QtCore import QCoreApplication

    from aigc_desktop.app import install_translations

    installed = install_translations(QCoreApplication.instance(), "zh_CN")
    try:
        window = open_on(qtbot, make_window, server.url("lossy-logprobs"), alternatives=2)
        notices = []
        window.host.worker.notice.connect(notices.append)
        window.probability_view_action.trigger()
        window.editor.load_text("今天天气真好，")
        window.editor.moveCursor(QTextCursor.MoveOperation.End)
        window.controller.continue_text()
        qtbot.waitUntil(lambda: window.controller.state == PENDING and len(notices) == 2, timeout=10000)
        assert window.editor.suggestion_text() == "我们去公园。"  # continued without the lossy probabilities
        assert "概率视图" in notices[0] and "127.0.0.1" in notices[0]
        assert "只返回了 1 个候选（共请求 2 个）" in notices[1]
        assert window.banner.isVisible() and window.banner.text() in notices
    finally:
        for translator in installed:
            QCoreApplication.instance().removeTranslator(translator)
