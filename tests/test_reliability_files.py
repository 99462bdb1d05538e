"""Issue 7, files: encodings and newlines round-trip byte for byte; bad files, failed saves
and files changed by other programs give messages and never lose text."""

from __future__ import annotations

import codecs
import errno
import os
import random

import pytest
from fake_backend import FakeBackend, fake_loader
from PySide6.QtCore import QEvent, Qt

from aigc_desktop.ui.document import document as document_module
from aigc_desktop.ui.document import document_io
from aigc_desktop.ui.document.document_io import (
    DocumentError,
    TextFormat,
    decode_text,
    encode_text,
    read_document,
    write_text_file_atomic,
)

CHINESE = "从前有一座山，山里有座庙。\n庙里有个老和尚：“讲故事！”\n第二行 ABC 123。\n\n最后一行"
MIXED = "Once upon a time 🐉 — café\n从前有一座山。\n\tindented\n\n最后一行 end"

# (encoding, bom, sample): every encoding the editor reads and writes back.
ENCODINGS = [
    ("utf-8", False, MIXED),
    ("utf-8", True, MIXED),
    ("utf-16-le", True, MIXED),
    ("utf-16-be", True, MIXED),
    ("gb18030", False, CHINESE),
]
NEWLINE_IDS = {"\n": "LF", "\r\n": "CRLF"}


def lost_bytes(expected: bytes, actual: bytes) -> int:
    """How many bytes of expected did not come back (0 when identical)."""
    if expected == actual:
        return 0
    same = sum(1 for a, b in zip(expected, actual) if a == b)
    return max(len(expected) - same, 1)


def file_bytes(encoding: str, bom: bool, text: str, newline: str, trailing: bool) -> bytes:
    text = text + ("\n" if trailing else "")
    return encode_text(text, TextFormat(encoding, bom, newline))


@pytest.fixture
def window(make_window):
    return make_window(fake_loader(FakeBackend()))


# ----- round trips ----------------------------------------------------------------------


@pytest.mark.parametrize("trailing", [False, True], ids=["no-final-newline", "final-newline"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=NEWLINE_IDS.get)
@pytest.mark.parametrize(("encoding", "bom", "sample"), ENCODINGS,
                         ids=[TextFormat(e, b).encoding_label for e, b, _ in ENCODINGS])
def test_open_and_save_unchanged_is_byte_identical(window, tmp_path, reliability_tally,
                                                   encoding, bom, sample, newline, trailing):
    data = file_bytes(encoding, bom, sample, newline, trailing)
    if bom:
        assert data.startswith({"utf-8": codecs.BOM_UTF8, "utf-16-le": codecs.BOM_UTF16_LE,
                                "utf-16-be": codecs.BOM_UTF16_BE}[encoding])
    path = tmp_path / "doc.txt"
    path.write_bytes(data)
    assert window.document.open_file(str(path))
    assert window.editor.user_text() == sample + ("\n" if trailing else "")
    assert window.document.text_format == TextFormat(encoding, bom, newline)
    assert TextFormat(encoding, bom, newline).label in window.status.format_label.text()
    assert not window.isWindowModified()
    assert window.document.save()
    reliability_tally["bytes lost"] += lost_bytes(data, path.read_bytes())
    assert path.read_bytes() == data


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=NEWLINE_IDS.get)
@pytest.mark.parametrize(("encoding", "bom", "sample"), ENCODINGS,
                         ids=[TextFormat(e, b).encoding_label for e, b, _ in ENCODINGS])
def test_edit_and_save_keeps_encoding_and_newlines(qtbot, window, tmp_path, encoding, bom, sample, newline):
    path = tmp_path / "doc.txt"
    path.write_bytes(file_bytes(encoding, bom, sample, newline, True))
    assert window.document.open_file(str(path))
    cursor = window.editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    window.editor.setTextCursor(cursor)
    window.editor.insertPlainText("新的一行")  # QTest can only type ASCII
    qtbot.keyClick(window.editor, Qt.Key.Key_Return)
    qtbot.keyClicks(window.editor, "end")
    assert window.document.save()
    assert path.read_bytes() == file_bytes(encoding, bom, sample + "\n新的一行\nend", newline, False)


@pytest.mark.parametrize(("encoding", "bom"), document_io.SAVE_ENCODINGS)
def test_save_with_encoding_converts_and_keeps_using_it(window, tmp_path, encoding, bom):
    path = tmp_path / "doc.txt"
    path.write_bytes(CHINESE.replace("\n", "\r\n").encode("utf-8"))
    assert window.document.open_file(str(path))
    assert window.document.save_with_encoding(encoding, bom)
    expected = encode_text(CHINESE, TextFormat(encoding, bom, "\r\n"))
    assert path.read_bytes() == expected
    assert read_document(path).text == CHINESE
    assert window.encoding_menu.encoding_actions[(encoding, bom)].isChecked()
    window.document.open_file(str(path))  # and it is recognised when opened again
    assert window.document.text_format == TextFormat(encoding, bom, "\r\n")


def test_save_with_newline_choice(window, tmp_path):
    path = tmp_path / "doc.txt"
    path.write_bytes(b"a\nb\n")
    assert window.document.open_file(str(path))
    assert window.document.save_with_newline("\r\n")
    assert path.read_bytes() == b"a\r\nb\r\n"
    assert window.encoding_menu.newline_actions["\r\n"].isChecked()


def test_new_document_saves_as_utf8_lf(window, tmp_path):
    window.editor.insertPlainText("新文档\nline")
    target = tmp_path / "new.txt"
    assert window.document._write(str(target))
    assert target.read_bytes() == "新文档\nline".encode("utf-8")


def test_mixed_newlines_take_the_most_common_style(tmp_path):
    path = tmp_path / "mixed.txt"
    path.write_bytes(b"a\r\nb\r\nc\nd")
    document = read_document(path)
    assert document.text == "a\nb\nc\nd"
    assert document.format.newline == "\r\n"
    assert decode_text(b"old\rmac\rfile")[1].newline == "\r"
    assert decode_text(b"no newline")[1].newline == "\n"


# ----- detection and bad input ------------------------------------------------------------


BAD_FILES = {
    "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
    "nul-in-text": b"hello\x00world",
    "utf-32-le": b"\xff\xfe\x00\x00" + "hello".encode("utf-32-le"),
    "utf-32-be": b"\x00\x00\xfe\xff" + "hello".encode("utf-32-be"),
    "utf-16-odd-length": b"\xff\xfeh\x00i",
    "utf-16-lone-surrogate": b"\xff\xfe" + b"\x00\xd8a\x00",
    "utf-16-binary": b"\xff\xfe" + b"a\x00\x00\x00\x01\x00",
    "latin-1": "café résumé naïve".encode("latin-1"),
    "windows-1252-quotes": "“smart” quotes — and € in cp1252".encode("cp1252"),
    "bad-utf8-after-bom": codecs.BOM_UTF8 + b"ok \xff\xfe bad",
    "truncated-gbk": "中文".encode("gbk")[:-1],
    "lone-gbk-char-in-ascii": b"caf" + "中".encode("gbk") + b"s and more plain ascii",
    "shift-jis": "日本語のテキストです。".encode("shift_jis"),
    "control-chars": b"\x1b[31mred\x1b[0m " + "中文".encode("gbk"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_files_are_refused_with_a_message(window, tmp_path, reliability_tally, name):
    reliability_tally["bad inputs tried"] += 1
    window.editor.insertPlainText("keep me")
    window.document.ask_save_changes = lambda: pytest.fail("no prompt when opening fails")
    path = tmp_path / f"{name}.txt"
    path.write_bytes(BAD_FILES[name])
    with pytest.raises(DocumentError) as info:
        read_document(path)
    assert str(path) in str(info.value)
    assert not window.document.open_file(str(path), ask_to_save=False)
    assert window.banner.isVisible() and window.banner.text() == str(info.value)
    assert window.editor.user_text() == "keep me"


def test_gbk_is_detected_but_only_for_chinese_text():
    text, fmt = decode_text("今天天气真好，我想去公园散步。".encode("gbk"))
    assert fmt.encoding == "gb18030" and text == "今天天气真好，我想去公园散步。"
    text, fmt = decode_text("价格：5元\r\n数量：3个".encode("gb2312"))
    assert fmt == TextFormat("gb18030", False, "\r\n") and text == "价格：5元\n数量：3个"
    with pytest.raises(DocumentError):
        decode_text("àé".encode("latin-1") + b" plain")


def test_random_bytes_are_refused_or_come_back_identical(reliability_tally):
    """Any byte string is either refused or, once read, written back exactly (newlines aside)."""
    rng = random.Random(7)
    pieces = [b"abc ", b"\r\n", b"\n", "中文".encode("gbk"), "中文".encode("utf-8"), b"\xff", b"\xfe",
              b"\x00", codecs.BOM_UTF8, b"\xff\xfe", "😀".encode("utf-8"), bytes([rng.randrange(256)])]
    accepted = 0
    for _ in range(400):
        reliability_tally["bad inputs tried"] += 1
        data = b"".join(rng.choice(pieces) for _ in range(rng.randrange(1, 12)))
        if rng.random() < 0.3:
            data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40)))
        try:
            text, fmt = decode_text(data)
        except DocumentError as exc:
            assert str(exc)
            continue
        accepted += 1
        written = encode_text(text, fmt)
        crlf = data.count(b"\r\n")
        styles = sum(1 for n in (crlf, data.count(b"\r") - crlf, data.count(b"\n") - crlf) if n)
        if styles <= 1 and not fmt.encoding.startswith("utf-16"):  # one newline style: exact bytes
            reliability_tally["bytes lost"] += lost_bytes(data, written)
            assert written == data
        assert decode_text(written)[0] == text  # the text itself always survives
    assert accepted > 30


def test_missing_folder_and_vanished_file_messages(window, tmp_path):
    assert not window.document.open_file(str(tmp_path / "nope" / "missing.txt"), ask_to_save=False)
    assert "does not exist" in window.banner.text()
    assert not window.document.open_file(str(tmp_path), ask_to_save=False)
    assert "folder" in window.banner.text()


def test_pipe_and_device_are_refused_without_blocking(window, tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert not window.document.open_file(str(fifo), ask_to_save=False)
    assert "not a regular file" in window.banner.text()
    if os.path.exists("/dev/zero"):
        assert not window.document.open_file("/dev/zero", ask_to_save=False)


def test_permission_denied_reading(window, tmp_path, monkeypatch, reliability_tally):
    path = tmp_path / "secret.txt"
    path.write_text("secret", encoding="utf-8")

    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    reliability_tally["faults injected"] += 1
    monkeypatch.setattr(document_io, "open", denied, raising=False)  # root reads anything: inject it
    assert not window.document.open_file(str(path), ask_to_save=False)
    assert "permission" in window.banner.text()


def test_io_error_reading(window, tmp_path, monkeypatch, reliability_tally):
    path = tmp_path / "doc.txt"
    path.write_text("x", encoding="utf-8")

    def broken(*args, **kwargs):
        raise OSError(errno.EIO, "Input/output error")

    reliability_tally["faults injected"] += 1
    monkeypatch.setattr(document_io, "open", broken, raising=False)
    assert not window.document.open_file(str(path), ask_to_save=False)
    assert "Input/output error" in window.banner.text()


def test_large_file_asks_first(window, tmp_path, monkeypatch):
    big = tmp_path / "big.txt"
    with open(big, "wb") as f:
        f.truncate(document_io.MAX_SIZE_WITHOUT_ASKING + 1)  # sparse: never read when declined
    asked = []
    window.document.ask_open_large_file = lambda path, size: asked.append((path, size)) or False
    window.editor.insertPlainText("still here")
    assert not window.document.open_file(str(big), ask_to_save=False)
    assert asked == [(str(big), document_io.MAX_SIZE_WITHOUT_ASKING + 1)]
    assert window.editor.user_text() == "still here"

    small_limit = 10
    monkeypatch.setattr(document_module, "MAX_SIZE_WITHOUT_ASKING", small_limit)
    doc = tmp_path / "doc.txt"
    doc.write_text("more than ten bytes", encoding="utf-8")
    window.document.ask_open_large_file = lambda path, size: asked.append((path, size)) or True
    window.document.ask_save_changes = lambda: document_module.QMessageBox.StandardButton.Discard
    assert window.document.open_file(str(doc))
    assert window.editor.user_text() == "more than ten bytes"
    assert len(asked) == 2


# ----- failed saves -----------------------------------------------------------------------


class _FailingFile:
    def __init__(self, f):
        self._f = f

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._f.close()
        return False

    def write(self, data):
        self._f.write(data[: len(data) // 2])  # half of it lands, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name):
        return getattr(self._f, name)


def _fault(name, code):
    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    real_fdopen = os.fdopen
    if name == "write":
        return "fdopen", lambda fd, *a, **k: _FailingFile(real_fdopen(fd, *a, **k))
    if name == "open":  # creating the temporary file: what a read-only folder does
        return "open", fail
    return name, fail


SAVE_FAULTS = [
    ("replace", errno.ENOSPC, "disk is full"),
    ("fsync", errno.ENOSPC, "disk is full"),
    ("write", errno.ENOSPC, "disk is full"),
    ("open", errno.EACCES, "permission denied"),
    ("open", errno.EROFS, "read-only"),
    ("replace", errno.EIO, "Input/output error"),
    ("chmod", errno.EPERM, "permission denied"),
]


@pytest.mark.parametrize(("where", "code", "message"), SAVE_FAULTS,
                         ids=[f"{w}-{errno.errorcode[c]}" for w, c, _ in SAVE_FAULTS])
def test_failed_save_keeps_old_file_and_shows_message(qtbot, window, tmp_path, monkeypatch, reliability_tally,
                                                      where, code, message):
    folder = tmp_path / "docs"
    folder.mkdir()
    path = folder / "doc.txt"
    original = "原来的内容\r\nline two\r\n".encode("gb18030")
    path.write_bytes(original)
    assert window.document.open_file(str(path))
    window.editor.insertPlainText("新的文字")
    qtbot.keyClicks(window.editor, " new words")
    typed = window.editor.user_text()
    window.document.autosaver.flush()
    name, fault = _fault(where, code)
    reliability_tally["faults injected"] += 1
    monkeypatch.setattr(document_io.os, name, fault)
    assert not window.document.save()
    monkeypatch.undo()
    assert message in window.banner.text()
    assert "doc.txt" in window.banner.text()
    reliability_tally["bytes lost"] += lost_bytes(original, path.read_bytes())
    assert path.read_bytes() == original
    assert sorted(p.name for p in folder.iterdir()) == ["doc.txt"]  # no temp file left
    assert window.isWindowModified() and window.editor.user_text() == typed
    # The unsaved text is still in the recovery folder, and saving works once the fault is gone.
    assert [e.text for e in window.document.recovery.own_entries()] == [typed]
    assert window.document.save()
    assert path.read_bytes() == typed.replace("\n", "\r\n").encode("gb18030")
    assert window.document.recovery.own_entries() == []


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root ignores folder permissions")
def test_save_into_really_read_only_folder(window, tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    path = folder / "doc.txt"
    path.write_text("original", encoding="utf-8")
    assert window.document.open_file(str(path))
    window.editor.insertPlainText("more ")
    folder.chmod(0o500)
    try:
        assert not window.document.save()
        assert "permission denied" in window.banner.text()
        assert path.read_text(encoding="utf-8") == "original"
    finally:
        folder.chmod(0o700)


def test_save_prompt_on_close_with_failing_save_keeps_window_open(qtbot, window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    path = tmp_path / "doc.txt"
    path.write_text("original", encoding="utf-8")
    assert window.document.open_file(str(path))
    qtbot.keyClicks(window.editor, "more")
    window.document.ask_save_changes = lambda: QMessageBox.StandardButton.Save
    monkeypatch.setattr(document_io.os, "replace", _fault("replace", errno.ENOSPC)[1])
    assert not window.close()  # the save failed: the window stays, with the text
    monkeypatch.undo()
    assert window.isVisible() and "disk is full" in window.banner.text()
    assert path.read_text(encoding="utf-8") == "original"


# ----- the file changes on disk -------------------------------------------------------------


def _change_on_disk(path, data: bytes) -> None:
    path.write_bytes(data)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))


def test_changed_on_disk_reload(qtbot, window, tmp_path):
    path = tmp_path / "doc.txt"
    path.write_bytes("第一版\r\n".encode("gbk"))
    assert window.document.open_file(str(path))
    assert window.document.check_file_changed() == "unchanged"
    _change_on_disk(path, "第二版，别的程序写的\n".encode("utf-8"))
    asked = []
    window.document.ask_reload_changed_file = lambda p: asked.append(p) or True
    assert window.document.check_file_changed() == "reloaded"
    assert asked == [str(path)]
    assert window.editor.user_text() == "第二版，别的程序写的\n"
    assert window.document.text_format == TextFormat("utf-8", False, "\n")
    assert not window.isWindowModified()


def test_changed_on_disk_keep_marks_modified_and_asks_once(qtbot, window, tmp_path):
    path = tmp_path / "doc.txt"
    path.write_text("mine", encoding="utf-8")
    assert window.document.open_file(str(path))
    window.editor.moveCursor(window.editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(window.editor, " plus edits")
    _change_on_disk(path, b"theirs")
    asked = []
    window.document.ask_reload_changed_file = lambda p: asked.append(p) or False
    assert window.document.check_file_changed() == "kept"
    assert window.document.check_file_changed() == "unchanged"  # asked once per change
    assert len(asked) == 1
    assert window.editor.user_text() == "mine plus edits" and window.isWindowModified()
    assert window.document.save()
    assert path.read_text(encoding="utf-8") == "mine plus edits"
    assert window.document.check_file_changed() == "unchanged"  # our own save is not "another program"


def test_keep_unmodified_document_still_marks_it_modified(window, tmp_path):
    path = tmp_path / "doc.txt"
    path.write_text("mine", encoding="utf-8")
    assert window.document.open_file(str(path))
    _change_on_disk(path, b"theirs")
    window.document.ask_reload_changed_file = lambda p: False
    assert window.document.check_file_changed() == "kept"
    assert window.isWindowModified()  # closing now asks, so "mine" is not silently dropped


def test_touched_but_same_content_is_not_a_change(window, tmp_path):
    path = tmp_path / "doc.txt"
    path.write_text("same", encoding="utf-8")
    assert window.document.open_file(str(path))
    _change_on_disk(path, b"same")
    window.document.ask_reload_changed_file = lambda p: pytest.fail("nothing changed")
    assert window.document.check_file_changed() == "unchanged"


def test_deleted_on_disk_keeps_text_and_says_so(window, tmp_path):
    path = tmp_path / "doc.txt"
    path.write_text("only copy", encoding="utf-8")
    assert window.document.open_file(str(path))
    path.unlink()
    assert window.document.check_file_changed() == "missing"
    assert "moved or deleted" in window.banner.text()
    assert window.isWindowModified() and window.editor.user_text() == "only copy"
    assert window.document.save()
    assert path.read_text(encoding="utf-8") == "only copy"


def test_reload_failure_keeps_the_document(window, tmp_path):
    path = tmp_path / "doc.txt"
    path.write_text("good text", encoding="utf-8")
    assert window.document.open_file(str(path))
    _change_on_disk(path, b"\x00binary now")
    window.document.ask_reload_changed_file = lambda p: True
    assert window.document.check_file_changed() == "kept"
    assert "binary" in window.banner.text()
    assert window.editor.user_text() == "good text"


def test_activation_checks_the_file(qtbot, window, tmp_path):
    path = tmp_path / "doc.txt"
    path.write_text("v1", encoding="utf-8")
    assert window.document.open_file(str(path))
    _change_on_disk(path, b"v2")
    asked = []
    window.document.ask_reload_changed_file = lambda p: asked.append(p) or True
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    window.changeEvent(QEvent(QEvent.Type.ActivationChange))
    qtbot.waitUntil(lambda: bool(asked), timeout=2000)
    assert window.editor.user_text() == "v2"


def test_file_watcher_notices_change_while_window_is_active(qtbot, window, tmp_path):
    path = tmp_path / "doc.txt"
    path.write_text("v1", encoding="utf-8")
    assert window.document.open_file(str(path))
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    asked = []
    window.document.ask_reload_changed_file = lambda p: asked.append(p) or True
    _change_on_disk(path, b"v2 from another program")
    qtbot.waitUntil(lambda: bool(asked), timeout=5000)
    assert window.editor.user_text() == "v2 from another program"
    # Our own saves (an atomic replace) are not reported.
    window.editor.insertPlainText("x")
    asked.clear()
    assert window.document.save()
    qtbot.wait(300)
    assert asked == []


def test_write_returns_the_state_the_check_compares_with(tmp_path):
    path = tmp_path / "a.txt"
    state = write_text_file_atomic(path, "abc", TextFormat("utf-16-le", True, "\r\n"))
    assert state.size == path.stat().st_size == 8
    assert read_document(path).disk == state
