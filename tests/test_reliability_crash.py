"""Issue 7, the real thing: the app in a subprocess is killed with SIGKILL and restarted.

The app has no automation interface; tests/app_driver.py starts the real app and runs a
script with `window` in scope once the window is shown, which types through QTest and
reports what it did in a JSON file.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from aigc_desktop.ui.document.document_io import TextFormat, encode_text

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

ROOT = Path(__file__).resolve().parents[1]
DRIVER = Path(__file__).resolve().parent / "app_driver.py"  # the real app, running a test script

PRELUDE = '''
import json, os, time
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

OUT = os.environ["AIGC_TEST_OUT"]
editor = window.editor

def report(**data):
    data["pid"] = os.getpid()
    with open(OUT + ".tmp", "w", encoding="utf-8") as f:
        json.dump(data, f)
    os.replace(OUT + ".tmp", OUT)

def later(ms, function):
    QTimer.singleShot(ms, function)

def when(condition, then, every=50):
    def poll():
        if condition():
            then()
        else:
            QTimer.singleShot(every, poll)
    poll()

def slow_down_model(seconds_per_token):
    """Wrap the loaded engine so that a run is still streaming when the test kills the app."""
    backend = window.host.worker._backend
    real = backend.stream
    def stream(request, stop):
        run = real(request, stop)
        class Slow:
            def __iter__(self):
                for event in run:
                    time.sleep(seconds_per_token)
                    yield event
            def __getattr__(self, name):
                return getattr(run, name)
        return Slow()
    backend.stream = stream
'''


class App:
    def __init__(self, tmp_path: Path, model_dir: Path, name: str, script: str, *args: str) -> None:
        self.out = tmp_path / f"{name}.json"
        script_path = tmp_path / f"{name}.py"
        script_path.write_text(PRELUDE + textwrap.dedent(script), encoding="utf-8")
        self.data_dir = tmp_path / "app-data"
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
            "AIGC_DESKTOP_DATA_DIR": str(self.data_dir),
            "AIGC_TEST_OUT": str(self.out),
            "HF_HUB_OFFLINE": "1",
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        }
        self.stderr_path = tmp_path / f"{name}.stderr"
        self.stderr = open(self.stderr_path, "wb")
        self.process = subprocess.Popen(
            [sys.executable, str(DRIVER), str(script_path), *args, "--model", str(model_dir), "--device", "cpu"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=self.stderr)

    def report(self, until=lambda r: True, timeout=60.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.out.exists():
                data = json.loads(self.out.read_text(encoding="utf-8"))
                if until(data):
                    return data
            assert self.process.poll() is None, f"app exited early: {self.errors()}"
            time.sleep(0.05)
        raise AssertionError(f"no report in time: {self.errors()}")

    def recovery_entries(self) -> list[dict]:
        folder = self.data_dir / "recovery"
        entries = []
        for file in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            try:
                data = file.read_bytes()
                entries.append({"file": file.name, "bytes": data,
                                **json.loads(data.decode("utf-8", "surrogatepass"))})
            except (OSError, ValueError):
                pass  # (never half-written; but it may be renamed while we look)
        return entries

    def wait_for_autosave(self, text: str, timeout=20.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for entry in self.recovery_entries():
                if entry["text"] == text:
                    return entry
            time.sleep(0.05)
        raise AssertionError(f"no recovery entry with {text!r}: {self.recovery_entries()}")

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        assert self.process.wait(10) == -signal.SIGKILL

    def wait_exit(self, timeout=30.0) -> tuple[int, float]:
        """(exit status, time.time() it was seen to exit)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code is not None:
                return code, time.time()
            time.sleep(0.01)
        self.process.kill()
        raise AssertionError(f"app did not exit: {self.errors()}")

    def errors(self) -> str:
        self.stderr.flush()
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")[-3000:]

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.stderr.close()


@pytest.fixture
def apps():
    started = []
    yield lambda *args: started.append(App(*args)) or started[-1]
    for app in started:
        app.close()


TYPE_AND_WAIT = '''
# No model is needed to type: keep torch from loading in this run (it is killed anyway).
window.host.worker._loader = lambda *args, **kwargs: time.sleep(60)

def type_text():
    editor.setFocus()
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    QTest.keyClicks(editor, " typed through the GUI")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    QTest.keyClicks(editor, "second line")
    editor.insertPlainText("，中文结尾")  # QTest types ASCII only: the rest as an input method would
    report(user_text=editor.user_text(), modified=window.isWindowModified())

later(200, type_text)
'''

RESTORE_SAVE_AND_QUIT_DURING_LOAD = '''
# This run's model load is slow, like a big model: quitting must not wait for it.
real_loader = window.host.worker._loader
def slow_loader(*args, **kwargs):
    time.sleep(60)
    return real_loader(*args, **kwargs)
window.host.worker._loader = slow_loader

def restore():
    offered = [[e.path, e.text] for e in window.recovery_offer.recovered_entries()]
    banner = window.recovery_banner.text()
    restored = window.recovery_offer.restore_recovered()
    result = dict(offered=offered, banner=banner, restored=restored, user_text=editor.user_text(),
                  path=window.document.path, modified=window.isWindowModified(), title=window.windowTitle(),
                  format=window.document.text_format.to_dict())
    result["saved"] = window.document.save()
    result["loading"] = window.session.model_info is None and window.host.worker_thread.isRunning()
    result["closing_at"] = time.time()
    report(**result)
    window.close()

later(500, restore)
'''


def test_kill_9_while_typing_then_restore(tmp_path, tiny_gpt2_dir, apps, reliability_tally):
    document = tmp_path / "故事.txt"
    fmt = TextFormat("gb18030", False, "\r\n")
    document.write_bytes(encode_text("从前有一座山。\n第二行", fmt))
    original = document.read_bytes()

    first = apps(tmp_path, tiny_gpt2_dir, "run1", TYPE_AND_WAIT, str(document))
    typed = first.report()
    assert typed["modified"]
    expected = "从前有一座山。\n第二行 typed through the GUI\nsecond line，中文结尾"
    assert typed["user_text"] == expected
    entry = first.wait_for_autosave(expected)
    assert entry["path"] == str(document) and entry["text_encoding"] == "gb18030"
    assert entry["text_newline"] == "\r\n"
    first.kill()
    reliability_tally["faults injected"] += 1
    assert document.read_bytes() == original  # the document itself was never touched
    (left,) = first.recovery_entries()
    assert left["bytes"] == entry["bytes"]  # what survived the kill is the last write

    second = apps(tmp_path, tiny_gpt2_dir, "run2", RESTORE_SAVE_AND_QUIT_DURING_LOAD, str(document))
    result = second.report()
    assert result["offered"] == [[str(document), expected]]
    assert "故事.txt" in result["banner"]
    assert result["restored"]
    assert result["user_text"] == left["text"]  # exactly the last write
    reliability_tally["bytes lost"] += abs(len(result["user_text"].encode()) - len(expected.encode()))
    assert result["path"] == str(document)
    assert result["modified"] and result["title"].startswith("故事.txt")
    assert result["format"] == fmt.to_dict()
    assert result["saved"]
    # Quitting while the model still loads: out within 2 s, cleanly, everything written.
    assert result["loading"]
    code, exited_at = second.wait_exit()
    errors = second.errors()
    assert code == 0, errors
    assert exited_at - result["closing_at"] < 2.0
    assert "QThread: Destroyed" not in errors and "Traceback" not in errors
    assert document.read_bytes() == encode_text(expected, fmt)
    assert list((second.data_dir / "recovery").iterdir()) == []  # saved: nothing left to recover


STREAM_AND_WAIT = '''
def start():
    editor.setFocus()
    QTest.keyClicks(editor, "Once upon a time")
    when(lambda: window.session.model_info is not None, first_continue)

def first_continue():
    slow_down_model(0.1)
    QTest.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    when(lambda: len(editor.suggestion_text()) >= 3, accept_and_continue)

def accept_and_continue():
    QTest.keyClick(editor, Qt.Key.Key_Tab)  # accept what has arrived, mid-stream
    QTest.keyClicks(editor, " The end")
    QTest.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    when(lambda: editor.suggestion_text() != "", keep_reporting)

def keep_reporting():
    report(user_text=editor.user_text(), suggestion=editor.suggestion_text(),
           document=editor.toPlainText(), state=window.controller.state)
    later(50, keep_reporting)

later(100, start)
'''

RESTORE_AND_QUIT_DURING_GENERATION = '''
def restore():
    offered = [[e.path, e.text] for e in window.recovery_offer.recovered_entries()]
    restored = window.recovery_offer.restore_recovered()
    result = dict(offered=offered, restored=restored, user_text=editor.user_text(), path=window.document.path,
                  modified=window.isWindowModified(), title=window.windowTitle())
    def generate():
        slow_down_model(0.05)
        editor.moveCursor(editor.textCursor().MoveOperation.End)
        window.continue_action.trigger()
        when(lambda: editor.suggestion_text() != "", quit)
    def quit():
        window.document.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
        result["state"] = window.controller.state
        result["closing_at"] = time.time()
        report(**result)
        window.close()
    when(lambda: window.session.model_info is not None, generate)

later(300, restore)
'''


def test_kill_9_while_streaming_keeps_only_the_users_text(tmp_path, tiny_gpt2_dir, apps, reliability_tally):
    first = apps(tmp_path, tiny_gpt2_dir, "run1", STREAM_AND_WAIT, "--max-new-tokens", "100")
    streaming = first.report(lambda r: r["state"] == "streaming")
    user_text = streaming["user_text"]
    assert user_text.startswith("Once upon a time") and user_text.endswith(" The end")
    assert len(user_text) > len("Once upon a time The end")  # the accepted part is the user's now
    entry = first.wait_for_autosave(user_text)
    last = first.report()
    assert last["state"] == "streaming" and last["suggestion"]  # still streaming at the kill
    first.kill()
    reliability_tally["faults injected"] += 1
    (left,) = first.recovery_entries()
    assert left["bytes"] == entry["bytes"]
    assert left["text"] == user_text  # never the pending suggestion
    assert left["path"] is None

    second = apps(tmp_path, tiny_gpt2_dir, "run2", RESTORE_AND_QUIT_DURING_GENERATION)
    result = second.report()
    assert result["offered"] == [[None, user_text]]
    assert result["restored"] and result["user_text"] == user_text
    reliability_tally["bytes lost"] += abs(len(result["user_text"].encode()) - len(user_text.encode()))
    assert result["path"] is None and result["modified"] and result["title"].startswith("Untitled")
    # Quitting while it streams (answering Discard): out within 2 s, cleanly, nothing left behind.
    assert result["state"] == "streaming"
    code, exited_at = second.wait_exit()
    errors = second.errors()
    assert code == 0, errors
    assert exited_at - result["closing_at"] < 2.0
    assert "QThread: Destroyed" not in errors and "Traceback" not in errors
    assert list((second.data_dir / "recovery").iterdir()) == []


TYPE_THEN_WAIT = '''
window.host.worker._loader = lambda *args, **kwargs: time.sleep(60)  # no model needed

def type_text():
    editor.setFocus()
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    QTest.keyClicks(editor, " unsaved words")
    report(user_text=editor.user_text())

later(200, type_text)
'''


def test_sigterm_closes_at_once_and_keeps_unsaved_text_for_next_start(tmp_path, tiny_gpt2_dir, apps):
    path = tmp_path / "draft.txt"
    path.write_text("Saved part.", encoding="utf-8")
    app = apps(tmp_path, tiny_gpt2_dir, "term", TYPE_THEN_WAIT, str(path))
    typed = app.report(until=lambda r: "user_text" in r)["user_text"]
    assert typed == "Saved part. unsaved words"
    sent = time.time()
    app.process.send_signal(signal.SIGTERM)
    code, exited = app.wait_exit(timeout=10)
    assert code == 0 and exited - sent < 3.0, app.errors()
    assert "Traceback" not in app.errors()
    assert path.read_text(encoding="utf-8") == "Saved part."  # nothing saved without asking
    assert [e["text"] for e in app.recovery_entries()] == [typed]  # and nothing lost
