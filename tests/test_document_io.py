"""ui/document/document_io.py: reading and atomically writing text files, with clear messages for every failure."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from aigc_desktop.ui.document import document_io
from aigc_desktop.ui.document.document_io import DocumentError, read_document, write_text_file_atomic

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
POSIX_ONLY = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


def read_text_file(path: Path | str) -> str:
    return read_document(path).text


def temp_leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_round_trip_chinese_text(tmp_path):
    path = tmp_path / "story.txt"
    text = "从前有一座山。\nOnce upon a time 🐉\n\n最后一行"
    write_text_file_atomic(path, text)
    assert path.read_bytes() == text.encode("utf-8")
    assert read_text_file(path) == text
    assert read_text_file(str(path)) == text  # str paths work too
    assert temp_leftovers(tmp_path) == []


def test_overwrite_existing_file(tmp_path):
    path = tmp_path / "doc.txt"
    path.write_text("old content that is longer than the new", encoding="utf-8")
    write_text_file_atomic(path, "new")
    assert read_text_file(path) == "new"
    assert temp_leftovers(tmp_path) == []


def test_read_strips_utf8_bom(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + "你好 BOM".encode("utf-8"))
    assert read_text_file(path) == "你好 BOM"


def test_read_normalises_newlines(tmp_path):
    path = tmp_path / "newlines.txt"
    path.write_bytes(b"windows\r\nold mac\runix\nend")
    assert read_text_file(path) == "windows\nold mac\nunix\nend"


def test_read_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert read_text_file(path) == ""


def test_read_refuses_binary(tmp_path):
    path = tmp_path / "image.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(DocumentError, match="binary"):
        read_text_file(path)


def test_read_nul_after_first_8kb_is_not_binary_but_still_utf8_text(tmp_path):
    path = tmp_path / "late-nul.txt"
    path.write_bytes(b"a" * 9000 + b"\0b")
    assert read_text_file(path) == "a" * 9000 + "\0b"


def test_read_utf16_and_gbk_too(tmp_path):
    """The one reader (read_text_file, which refused these, is gone) reads what Windows editors write."""
    path = tmp_path / "utf16.txt"
    path.write_bytes("hello".encode("utf-16"))
    assert read_text_file(path) == "hello"
    path = tmp_path / "gbk.txt"
    path.write_bytes("中文文本".encode("gbk"))
    assert read_text_file(path) == "中文文本"


def test_read_missing_file(tmp_path):
    with pytest.raises(DocumentError, match="does not exist"):
        read_text_file(tmp_path / "missing.txt")


def test_read_directory(tmp_path):
    with pytest.raises(DocumentError, match="folder"):
        read_text_file(tmp_path)


@POSIX_ONLY
@pytest.mark.skipif(IS_ROOT, reason="root can read any file")
def test_read_permission_denied(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("secret", encoding="utf-8")
    path.chmod(0o000)
    try:
        with pytest.raises(DocumentError, match="permission"):
            read_text_file(path)
    finally:
        path.chmod(0o600)


@POSIX_ONLY
def test_write_keeps_permission_bits_of_existing_file(tmp_path):
    path = tmp_path / "script.sh"
    path.write_text("echo old\n", encoding="utf-8")
    path.chmod(0o750)
    write_text_file_atomic(path, "echo new\n")
    assert path.stat().st_mode & 0o777 == 0o750
    assert path.read_text(encoding="utf-8") == "echo new\n"


@POSIX_ONLY
def test_write_new_file_follows_umask(tmp_path):
    old_umask = os.umask(0o027)
    try:
        write_text_file_atomic(tmp_path / "new.txt", "x")
    finally:
        os.umask(old_umask)
    assert (tmp_path / "new.txt").stat().st_mode & 0o777 == 0o640


@POSIX_ONLY
def test_write_through_symlink_keeps_the_link(tmp_path):
    target = tmp_path / "real.txt"
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    write_text_file_atomic(link, "new")
    assert link.is_symlink()
    assert target.read_text(encoding="utf-8") == "new"


def test_write_to_a_directory_path_fails(tmp_path):
    with pytest.raises(DocumentError, match="folder"):
        write_text_file_atomic(tmp_path, "text")


def test_write_into_missing_folder_fails(tmp_path):
    with pytest.raises(DocumentError, match="does not exist"):
        write_text_file_atomic(tmp_path / "no-such-folder" / "doc.txt", "text")


def test_write_refuses_text_that_is_not_encodable(tmp_path):
    path = tmp_path / "doc.txt"
    path.write_text("keep", encoding="utf-8")
    with pytest.raises(DocumentError, match="UTF-8"):
        write_text_file_atomic(path, "bad \ud800 surrogate")
    assert path.read_text(encoding="utf-8") == "keep"
    assert temp_leftovers(tmp_path) == []


@POSIX_ONLY
@pytest.mark.skipif(IS_ROOT, reason="root ignores folder permissions")
def test_write_into_read_only_folder(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    existing = folder / "doc.txt"
    existing.write_text("original", encoding="utf-8")
    folder.chmod(0o500)
    try:
        with pytest.raises(DocumentError, match="permission denied"):
            write_text_file_atomic(existing, "new text")
        with pytest.raises(DocumentError, match="permission denied"):
            write_text_file_atomic(folder / "new.txt", "new text")
        assert existing.read_text(encoding="utf-8") == "original"
        assert sorted(p.name for p in folder.iterdir()) == ["doc.txt"]
    finally:
        folder.chmod(0o700)


@pytest.mark.parametrize("failing", ["replace", "fsync"])
@pytest.mark.parametrize(
    "error",
    [OSError(errno.ENOSPC), OSError(errno.ENOSPC, "No space left on device")],
    ids=["errno-only", "errno-and-message"],
)
def test_write_disk_full_leaves_original_intact(tmp_path, monkeypatch, failing, error):
    path = tmp_path / "doc.txt"
    path.write_text("原来的内容", encoding="utf-8")

    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr(document_io.os, failing, fail)
    with pytest.raises(DocumentError, match="disk is full"):
        write_text_file_atomic(path, "新的内容" * 1000)
    monkeypatch.undo()

    assert path.read_text(encoding="utf-8") == "原来的内容"
    assert temp_leftovers(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.txt"]


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (errno.EACCES, "permission denied"),
        (errno.EROFS, "read-only"),
        (errno.EIO, "Input/output error"),
    ],
)
def test_write_other_failures_have_clear_messages(tmp_path, monkeypatch, code, message):
    path = tmp_path / "doc.txt"
    path.write_text("original", encoding="utf-8")

    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(document_io.os, "replace", fail)
    with pytest.raises(DocumentError, match=message) as info:
        write_text_file_atomic(path, "new")
    monkeypatch.undo()
    assert "doc.txt" in str(info.value)
    assert path.read_text(encoding="utf-8") == "original"
    assert temp_leftovers(tmp_path) == []


def test_write_interrupted_by_keyboard_interrupt_cleans_up(tmp_path, monkeypatch):
    path = tmp_path / "doc.txt"
    path.write_text("original", encoding="utf-8")

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(document_io.os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_text_file_atomic(path, "new")
    monkeypatch.undo()
    assert path.read_text(encoding="utf-8") == "original"
    assert temp_leftovers(tmp_path) == []


def test_max_size_constant():
    assert document_io.MAX_SIZE_WITHOUT_ASKING == 20 * 1024 * 1024
