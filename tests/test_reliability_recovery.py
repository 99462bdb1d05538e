"""Issue 7, crash recovery inside one process: the recovery store, autosave, restore.

(The real kill -9 tests, with the app in a subprocess, are in test_reliability_crash.py.)
"""

from __future__ import annotations

import json
import os
import time

import pytest
from fake_backend import FakeBackend, fake_loader
from PySide6.QtWidgets import QMessageBox

from aigc_desktop.ui.document import recovery as recovery_module
from aigc_desktop.ui.suggestion.continuation import IDLE, PENDING
from aigc_desktop.ui.document.document_io import TextFormat, encode_text
from aigc_desktop.ui.document.recovery import RecoveryStore, default_recovery_dir

TRICKY = "first line\n第二行 🐉 emoji\r\n\ttab \u2028 and a lone \ud800 surrogate\n\n"


def simulate_crash(store: RecoveryStore) -> None:
    """What kill -9 does to a session: its lock is released, its files stay."""
    if store._lock_fd is not None:
        os.close(store._lock_fd)
        store._lock_fd = None
    store._closed = True


def entry_files(folder) -> list[str]:
    return sorted(p.name for p in folder.glob("*.json")) if folder.is_dir() else []


# ----- the store --------------------------------------------------------------------------


def test_data_dir_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("AIGC_DESKTOP_DATA_DIR", str(tmp_path / "x"))
    assert default_recovery_dir() == tmp_path / "x" / "recovery"
    monkeypatch.delenv("AIGC_DESKTOP_DATA_DIR")
    assert default_recovery_dir().name == "recovery"


def test_entries_keep_text_exactly_and_their_details(tmp_path):
    folder = tmp_path / "recovery"
    a = RecoveryStore(folder)
    fmt = TextFormat("gb18030", False, "\r\n")
    a.write("doc1", TRICKY, "/some/file.txt", fmt)
    a.write("doc2", "untitled text", None, TextFormat())
    assert not a.orphaned()  # its own entries are not offered to itself
    simulate_crash(a)
    b = RecoveryStore(folder)
    entries = {e.document: e for e in b.orphaned()}
    assert set(entries) == {"doc1", "doc2"}
    assert entries["doc1"].text == TRICKY
    assert entries["doc1"].path == "/some/file.txt" and entries["doc1"].format == fmt
    assert entries["doc2"].path is None and entries["doc2"].name == "Untitled"
    assert abs(entries["doc1"].saved_at - time.time()) < 60
    raw = json.loads(entries["doc1"].file.read_bytes().decode("utf-8", "surrogatepass"))
    assert raw["text"] == TRICKY and raw["path"] == "/some/file.txt"
    b.close()


def test_live_instances_never_see_or_delete_each_others_files(tmp_path):
    folder = tmp_path / "recovery"
    a, b = RecoveryStore(folder), RecoveryStore(folder)
    a.write("doc1", "A's text", None, TextFormat())
    b.write("doc1", "B's text", None, TextFormat())
    assert b.orphaned() == [] and a.orphaned() == []
    assert len(entry_files(folder)) == 2
    a.close()  # a normal exit with an entry left (never happens in the window, but is safe)
    assert [e.text for e in b.orphaned()] == ["A's text"]
    assert len(entry_files(folder)) == 2  # looking never deletes
    b.remove("doc1")
    assert [e.text for e in RecoveryStore(folder).orphaned()] == ["A's text"]


def test_claim_is_exclusive_and_moves_the_entry(tmp_path):
    folder = tmp_path / "recovery"
    a = RecoveryStore(folder)
    a.write("doc1", "text", None, TextFormat())
    simulate_crash(a)
    b, c = RecoveryStore(folder), RecoveryStore(folder)
    (entry_b,), (entry_c,) = b.orphaned(), c.orphaned()
    document, claimed = b.claim(entry_b)
    assert claimed.session == b.session and claimed.text == "text"
    with pytest.raises(OSError):
        c.claim(entry_c)
    assert c.orphaned() == []  # it is b's now, and b is running
    assert not (folder / f"{a.session}.lock").exists()  # the dead session is cleaned up
    b.remove(document)
    b.close()
    c.close()
    assert list(folder.iterdir()) == []


def test_garbage_and_leftover_temp_files(tmp_path):
    folder = tmp_path / "recovery"
    folder.mkdir()
    (folder / "x--y.json").write_text("{not json", encoding="utf-8")
    (folder / "p--q.json").write_text('{"format": "something else"}', encoding="utf-8")
    a = RecoveryStore(folder)
    a.write("doc1", "t", None, TextFormat())
    simulate_crash(a)
    leftover = folder / f".{a.session}--doc1.json.1234.tmp"
    leftover.write_text("half", encoding="utf-8")
    b = RecoveryStore(folder)
    assert [e.text for e in b.orphaned()] == ["t"]
    assert not leftover.exists()
    assert (folder / "x--y.json").exists()  # not ours to delete


def test_lock_is_taken_before_any_entry_exists(tmp_path):
    folder = tmp_path / "recovery"
    a = RecoveryStore(folder)
    a.write("doc1", "t", None, TextFormat())
    assert (folder / f"{a.session}.lock").exists()
    assert RecoveryStore(folder).is_live(a.session)
    a.remove("doc1")
    a.close()
    assert list(folder.iterdir()) == []


# ----- autosave in the window -----------------------------------------------------------


@pytest.fixture
def window(make_window):
    return make_window(fake_loader(FakeBackend(delay=0.005)))


def _entries(window):
    return window.document.recovery.own_entries()


def test_autosave_after_a_pause_and_during_continuous_typing(qtbot, window):
    window.editor.setFocus()
    qtbot.keyClicks(window.editor, "a")
    assert _entries(window) == []
    qtbot.waitUntil(lambda: len(_entries(window)) == 1, timeout=1600)  # ~1 s after the last key
    assert _entries(window)[0].text == "a" and _entries(window)[0].path is None
    # Typing that never pauses for a second is still saved at least every 2 s.
    started = time.monotonic()
    while time.monotonic() - started < 2.6:
        qtbot.keyClicks(window.editor, "b")
        qtbot.wait(150)
        if _entries(window)[0].text != "a":
            break
    assert _entries(window)[0].text.startswith("ab")
    assert time.monotonic() - started < 2.5


def test_suggestion_is_never_in_the_recovery_file_unless_accepted(qtbot, window):
    backend = window.host.worker._backend
    backend.pieces = [f" w{i}" for i in range(40)]
    window.editor.insertPlainText("User text.")
    window.controller.continue_text()
    qtbot.waitUntil(lambda: window.editor.suggestion_text() != "", timeout=3000)
    cursor = window.editor.textCursor()
    cursor.setPosition(0)
    window.editor.setTextCursor(cursor)
    qtbot.keyClicks(window.editor, "My ")
    window.document.autosaver.flush()
    assert _entries(window)[0].text == "My User text."
    qtbot.waitUntil(lambda: window.controller.state == PENDING, timeout=5000)
    window.document.autosaver.flush()
    assert _entries(window)[0].text == "My User text."
    window.controller.accept()
    window.document.autosaver.flush()
    assert _entries(window)[0].text == "My User text." + "".join(backend.pieces)


def test_entry_removed_after_clean_save_discard_undo_and_close(qtbot, window, tmp_path):
    folder = window.document.recovery.folder
    path = tmp_path / "doc.txt"
    path.write_text("saved", encoding="utf-8")
    assert window.document.open_file(str(path))
    qtbot.keyClicks(window.editor, "x")
    window.document.autosaver.flush()
    assert len(entry_files(folder)) == 1
    assert window.document.save()
    assert entry_files(folder) == []
    # Undo back to the saved text: nothing unsaved, nothing to recover.
    window.editor.insertPlainText("y")  # a paste: its own undo step
    window.document.autosaver.flush()
    assert len(entry_files(folder)) == 1
    window.editor.undo()
    window.document.autosaver.flush()
    assert entry_files(folder) == []
    # New, with Discard.
    qtbot.keyClicks(window.editor, "z")
    window.document.autosaver.flush()
    window.document.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    window.document.new_document()
    assert entry_files(folder) == []
    # An Untitled draft, then closing with Discard.
    qtbot.keyClicks(window.editor, "draft")
    window.document.autosaver.flush()
    assert len(entry_files(folder)) == 1
    assert window.close()
    assert list(folder.iterdir()) == []  # the lock went too


def test_cancelled_close_keeps_the_entry(qtbot, window):
    qtbot.keyClicks(window.editor, "draft")
    window.document.autosaver.flush()
    window.document.ask_save_changes = lambda: QMessageBox.StandardButton.Cancel
    assert not window.close()
    assert [e.text for e in _entries(window)] == ["draft"]


def test_autosave_failure_says_so_once_and_recovers(qtbot, window, monkeypatch, reliability_tally):
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    reliability_tally["faults injected"] += 1
    monkeypatch.setattr(recovery_module, "write_bytes_atomic", full)
    qtbot.keyClicks(window.editor, "abc")
    window.document.autosaver.flush()
    assert "recovery folder" in window.banner.text() and "No space left" in window.banner.text()
    window.banner.dismiss()
    qtbot.keyClicks(window.editor, "d")
    window.document.autosaver.flush()
    assert not window.banner.isVisible()  # not repeated on every keystroke
    assert window.editor.user_text() == "abcd"
    monkeypatch.undo()
    qtbot.keyClicks(window.editor, "e")
    window.document.autosaver.flush()
    assert [e.text for e in _entries(window)] == ["abcde"]


# ----- restoring --------------------------------------------------------------------------


def test_restore_in_a_new_window_is_exact_modified_and_keeps_path_and_format(qtbot, make_window, tmp_path,
                                                                             reliability_tally):
    path = tmp_path / "story.txt"
    original = "从前有一座山。\r\n".encode("gb18030")
    path.write_bytes(original)
    first = make_window(fake_loader(FakeBackend()))
    assert first.document.open_file(str(path))
    first.editor.moveCursor(first.editor.textCursor().MoveOperation.End)
    first.editor.insertPlainText("山里有座庙。🐉")
    first.document.autosaver.flush()
    (written,) = _entries(first)
    simulate_crash(first.document.recovery)

    second = make_window(fake_loader(FakeBackend()))
    entries = second.recovery_offer.offer_recovery()
    assert [e.text for e in entries] == [written.text]
    assert second.recovery_banner.isVisible()
    assert "story.txt" in second.recovery_banner.text()
    assert second.recovery_offer.restore_recovered()
    assert second.editor.user_text() == written.text
    reliability_tally["bytes lost"] += abs(len(second.editor.user_text()) - len(written.text))
    assert second.document.path == str(path)
    assert second.document.text_format == TextFormat("gb18030", False, "\r\n")
    assert second.isWindowModified() and second.windowTitle().startswith("story.txt")
    assert not second.recovery_banner.isVisible()
    assert path.read_bytes() == original  # restoring writes nothing to the document itself
    # It is this window's entry now; saving writes the original encoding and removes it.
    assert [e.text for e in _entries(second)] == [written.text]
    assert second.document.save()
    assert path.read_bytes() == encode_text(written.text, TextFormat("gb18030", False, "\r\n"))
    assert _entries(second) == []
    assert second.document.recovery.orphaned() == []


def test_banner_buttons_restore_and_discard_each_entry(qtbot, make_window):
    crashed = RecoveryStore(default_recovery_dir())
    crashed.write("doc1", "older", None, TextFormat())
    time.sleep(0.01)
    crashed.write("doc2", "newer", None, TextFormat())
    simulate_crash(crashed)
    window = make_window(fake_loader(FakeBackend()))
    assert [e.text for e in window.recovery_offer.offer_recovery()] == ["newer", "older"]
    assert "1 more" in window.recovery_banner.text()
    buttons = {b.text(): b for b in window.recovery_banner._buttons}
    buttons["Discard"].click()
    assert [e.text for e in window.recovery_offer.recovered_entries()] == ["older"]
    buttons = {b.text(): b for b in window.recovery_banner._buttons}
    buttons["Restore"].click()
    assert window.editor.user_text() == "older" and window.document.path is None
    assert window.isWindowModified()
    assert not window.recovery_banner.isVisible()
    assert window.recovery_offer.offer_recovery() == []


def test_restore_over_unsaved_text_asks_first(qtbot, make_window):
    crashed = RecoveryStore(default_recovery_dir())
    crashed.write("doc1", "recovered", None, TextFormat())
    simulate_crash(crashed)
    window = make_window(fake_loader(FakeBackend()))
    qtbot.keyClicks(window.editor, "current")
    window.recovery_offer.offer_recovery()
    window.document.ask_save_changes = lambda: QMessageBox.StandardButton.Cancel
    assert not window.recovery_offer.restore_recovered()
    assert window.editor.user_text() == "current"
    assert len(window.recovery_offer.recovered_entries()) == 1  # still offered
    window.document.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    assert window.recovery_offer.restore_recovered()
    assert window.editor.user_text() == "recovered"


def test_entry_restored_elsewhere_meanwhile_gives_a_message(qtbot, make_window):
    crashed = RecoveryStore(default_recovery_dir())
    crashed.write("doc1", "recovered", None, TextFormat())
    simulate_crash(crashed)
    window = make_window(fake_loader(FakeBackend()))
    (entry,) = window.recovery_offer.offer_recovery()
    other = RecoveryStore(default_recovery_dir())
    other.claim(other.orphaned()[0])
    assert not window.recovery_offer.restore_recovered(entry)
    assert "no longer there" in window.banner.text()
    assert window.editor.user_text() == ""
    other.close()


def test_restored_document_keeps_being_autosaved(qtbot, make_window):
    crashed = RecoveryStore(default_recovery_dir())
    crashed.write("doc1", "recovered", None, TextFormat())
    simulate_crash(crashed)
    window = make_window(fake_loader(FakeBackend()))
    window.recovery_offer.offer_recovery()
    assert window.recovery_offer.restore_recovered()
    window.editor.moveCursor(window.editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(window.editor, " and more")
    window.document.autosaver.flush()
    assert [e.text for e in _entries(window)] == ["recovered and more"]
    assert window.controller.state == IDLE
