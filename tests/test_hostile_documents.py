"""Documents, AI-label sidecars and recovery files from outside: planted links, malformed JSON,
odd names. The real window (offscreen) always opens, keeps every byte, and says what it ignored."""

from __future__ import annotations

import json
import os
import stat
import sys
import time
from pathlib import Path

import pytest
from fake_backend import FakeBackend, fake_loader
from PySide6.QtCore import QMimeData

from aigc_desktop.ui.document.document_io import TextFormat, read_document
from aigc_desktop.ui.document.provenance import MAX_SPANS, export_text, sidecar_path, text_hash
from aigc_desktop.ui.document.recovery import RecoveryStore, default_recovery_dir

TEXT = "Once upon a time there was a little editor. 从前有一个编辑器。\n"


@pytest.fixture
def window(make_window):
    return make_window(fake_loader(FakeBackend()))


def one_line_notice(window) -> str:
    text = window.banner.text()
    assert window.banner.isVisible() and text and "\n" not in text and "Traceback" not in text
    return text


def with_ai_span(window, path, start=0, end=10):
    assert window.document.open_file(str(path), ask_to_save=False)
    window.editor.provenance.add(start, end, "acme/model", {"temperature": 0.7}, "2026-01-01T00:00:00+00:00")


# ----- writing the sidecar -------------------------------------------------------------------


def test_a_planted_sidecar_link_is_replaced_never_followed(window, tmp_path, hostile_tally):
    hostile_tally["cases tried"] += 1
    doc, victim = tmp_path / "doc.txt", tmp_path / "victim.txt"
    doc.write_text(TEXT, encoding="utf-8")
    victim.write_bytes(b"the user's other file\n")
    sidecar_path(doc).symlink_to(victim)
    with_ai_span(window, doc)
    assert window.document.save()
    hostile_tally["bytes lost"] += 0 if victim.read_bytes() == b"the user's other file\n" else 1
    assert victim.read_bytes() == b"the user's other file\n"
    assert not sidecar_path(doc).is_symlink()
    assert json.loads(sidecar_path(doc).read_text("utf-8"))["spans"][0]["end"] == 10
    assert stat.S_IMODE(os.stat(sidecar_path(doc)).st_mode) != 0o777


def test_a_link_as_sidecar_is_not_followed_when_removing_either(window, tmp_path, hostile_tally):
    hostile_tally["cases tried"] += 1
    doc, victim = tmp_path / "doc.txt", tmp_path / "victim.txt"
    doc.write_text(TEXT, encoding="utf-8")
    victim.write_bytes(b"keep")
    sidecar_path(doc).symlink_to(victim)
    assert window.document.open_file(str(doc), ask_to_save=False)
    window.editor.insertPlainText("x")
    assert window.document.save()  # no spans: the sidecar (here the link) goes, its target stays
    assert victim.read_bytes() == b"keep" and not os.path.lexists(sidecar_path(doc))
    window.banner.dismiss()
    sidecar_path(doc).mkdir()  # a folder of that name is left alone, without an error
    window.editor.insertPlainText("z")
    assert window.document.save() and sidecar_path(doc).is_dir()
    assert not window.banner.isVisible(), window.banner.text()


def test_sidecar_is_written_atomically(window, tmp_path, monkeypatch, hostile_tally):
    hostile_tally["cases tried"] += 1
    doc = tmp_path / "doc.txt"
    doc.write_text(TEXT, encoding="utf-8")
    with_ai_span(window, doc)
    assert window.document.save()
    before = sidecar_path(doc).read_bytes()
    window.editor.provenance.add(12, 20, "acme/model")

    def failing_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    window.editor.insertPlainText("y")
    window.document.save()
    monkeypatch.undo()
    assert sidecar_path(doc).read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


# ----- reading the sidecar -------------------------------------------------------------------


def _sidecar(spans, sha=None, **extra) -> str:
    return json.dumps({"version": 1, "sha256": sha or text_hash(TEXT), "spans": spans, **extra})


GOOD_SHA = text_hash(TEXT)
MALFORMED_SIDECARS = {
    "not json": "{",
    "Infinity": _sidecar([]).replace("[]", '[{"start": 0, "end": Infinity}]'),
    "NaN": _sidecar([]).replace("[]", '[{"start": NaN, "end": 4}]'),
    "1e400": _sidecar([]).replace("[]", '[{"start": 0, "end": 1e400}]'),
    "5000-digit int": _sidecar([]).replace("[]", '[{"start": 0, "end": 1' + "0" * 5000 + "}]"),
    "nested 100000 deep": '{"sha256": "%s", "spans": %s}' % (GOOD_SHA, "[" * 100000 + "]" * 100000),
    "spans a dict": _sidecar({"start": 0}),
    "span a list": _sidecar([[0, 4]]),
    "start a string": _sidecar([{"start": "0", "end": 4}]),
    "start a bool": _sidecar([{"start": True, "end": 4}]),
    "start negative": _sidecar([{"start": -5, "end": 4}]),
    "start a float": _sidecar([{"start": 0.5, "end": 4}]),
    "settings a list": _sidecar([{"start": 0, "end": 4, "settings": [1, 2]}]),
    "model a number": _sidecar([{"start": 0, "end": 4, "model": 7}]),
    "sha a number": json.dumps({"sha256": 5, "spans": []}),
    "a list": "[]",
    "a string": '"hello"',
    "null": "null",
    "invalid utf-8": b"\xff\xfe{".decode("latin-1"),
    "too many spans": _sidecar([{"start": i, "end": i + 1} for i in range(MAX_SPANS + 1)]),
}


@pytest.mark.parametrize("name", sorted(MALFORMED_SIDECARS))
def test_a_malformed_sidecar_is_ignored_with_a_notice(window, tmp_path, name, hostile_tally):
    hostile_tally["cases tried"] += 1
    doc = tmp_path / "doc.txt"
    doc.write_text(TEXT, encoding="utf-8")
    data = MALFORMED_SIDECARS[name]
    sidecar_path(doc).write_bytes(data.encode("latin-1") if name == "invalid utf-8" else data.encode("utf-8"))
    assert window.document.open_file(str(doc), ask_to_save=False)
    assert window.editor.user_text() == TEXT
    assert window.editor.provenance.spans() == []
    assert "ignored" in one_line_notice(window)


@pytest.mark.parametrize("kind", ["fifo", "folder", "huge", "link to /dev/zero"])
def test_a_sidecar_that_is_no_regular_file_is_ignored_without_blocking(window, tmp_path, kind, hostile_tally):
    hostile_tally["cases tried"] += 1
    doc = tmp_path / "doc.txt"
    doc.write_text(TEXT, encoding="utf-8")
    side = sidecar_path(doc)
    if kind == "fifo":
        os.mkfifo(side)
    elif kind == "folder":
        side.mkdir()
    elif kind == "huge":
        with open(side, "wb") as f:
            f.truncate(64 << 20)
    else:
        side.symlink_to("/dev/zero")
    started = time.monotonic()
    assert window.document.open_file(str(doc), ask_to_save=False)
    assert time.monotonic() - started < 10
    assert window.editor.user_text() == TEXT and window.editor.provenance.spans() == []
    assert "ignored" in one_line_notice(window)


def test_overlapping_and_out_of_range_spans_are_merged_and_clipped(window, tmp_path, hostile_tally):
    hostile_tally["cases tried"] += 1
    doc = tmp_path / "doc.txt"
    doc.write_text(TEXT, encoding="utf-8")
    big = 10 ** 400
    spans = [{"start": 0, "end": 20}, {"start": 5, "end": 30}, {"start": 0, "end": 10}, {"start": 2, "end": 3},
             {"start": 40, "end": big}, {"start": big, "end": big + 1}]
    sidecar_path(doc).write_text(_sidecar(spans), encoding="utf-8")
    assert window.document.open_file(str(doc), ask_to_save=False)
    ranges = window.editor.provenance.user_ranges()
    assert ranges == [(0, 20), (20, 30), (40, len(TEXT))]
    assert window.editor.provenance.share(len(TEXT)) <= 1.0
    exported = export_text(TEXT, ranges, "LABEL", "markdown")
    assert exported.replace("<mark>", "").replace("</mark>", "") == "> LABEL\n\n" + TEXT
    assert not window.banner.isVisible()


def test_600000_spans_are_refused_fast_and_typing_stays_cheap(window, tmp_path, hostile_tally):
    hostile_tally["cases tried"] += 1
    text = "ab\n" * 600_000
    doc = tmp_path / "big.txt"
    doc.write_text(text, encoding="utf-8")
    spans = ",".join('{"start":%d,"end":%d}' % (3 * i, 3 * i + 1) for i in range(600_000))
    sidecar_path(doc).write_text('{"sha256":"%s","spans":[%s]}' % (text_hash(text), spans), encoding="utf-8")
    started = time.monotonic()
    assert window.document.open_file(str(doc), ask_to_save=False)
    assert time.monotonic() - started < 60  # a hang guard, not a speed goal
    assert len(window.editor.provenance.spans()) <= MAX_SPANS
    assert "ignored" in one_line_notice(window)
    for _ in range(20):  # typing works and the labels layer stays bounded
        window.editor.insertPlainText("z")
    assert len(window.editor.provenance.spans()) <= MAX_SPANS


# ----- recovery files ------------------------------------------------------------------------


def _entry(text="recovered text", **changes) -> dict:
    record = {"format": "aigc-desktop-recovery", "version": 1, "session": "1-dead", "pid": 1, "document": "doc1",
              "path": None, "text_encoding": "utf-8", "text_bom": False, "text_newline": "\n",
              "saved_at": 1700000000.0, "text": text}
    record.update(changes)
    return record


MALFORMED_ENTRIES = {
    "saved_at Infinity": json.dumps(_entry()).replace("1700000000.0", "Infinity"),
    "saved_at 1e400": json.dumps(_entry()).replace("1700000000.0", "1e400"),
    "saved_at 400 digits": json.dumps(_entry()).replace("1700000000.0", "9" * 400),
    "saved_at 5000 digits": json.dumps(_entry()).replace("1700000000.0", "9" * 5000),
    "saved_at a string": json.dumps(_entry(saved_at="yesterday")),
    "saved_at negative": json.dumps(_entry(saved_at=-1e300)),
    "nested deep": json.dumps(_entry()).replace('"pid": 1', '"pid": ' + "[" * 100000 + "]" * 100000),
    "text a list": json.dumps(_entry(text=["a"])),
    "path a number": json.dumps(_entry(path=5)),
    "path with NUL": json.dumps(_entry(path="/tmp/a\0b.txt")),
    "encoding bogus": json.dumps(_entry(text_encoding="rot13")),
    "encoding a dict": json.dumps(_entry(text_encoding={"a": 1})),
    "newline bogus": json.dumps(_entry(text_newline=["\n"])),
    "not an object": "[1, 2, 3]",
    "not utf-8": "\udcff",
}


def _write_entries(folder, entries: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for index, data in enumerate(entries.values()):
        (folder / f"9{index}-dead--doc1.json").write_bytes(data.encode("utf-8", "surrogateescape"))


def test_malformed_recovery_entries_never_stop_the_window(qtbot, make_window, hostile_tally):
    hostile_tally["cases tried"] += len(MALFORMED_ENTRIES)
    folder = default_recovery_dir()
    _write_entries(folder, MALFORMED_ENTRIES)
    good = RecoveryStore(folder)
    good.write("doc1", "the good one", None, TextFormat())
    good._lock_fd and os.close(good._lock_fd)
    good._lock_fd, good._closed = None, True
    window = make_window(fake_loader(FakeBackend()))
    entries = window.recovery_offer.offer_recovery()
    texts = sorted(e.text for e in entries)
    assert "the good one" in texts
    for entry in entries:  # whatever was kept is usable: a time to show and a real path or none
        assert 0 <= entry.saved_at < 1e11 and (entry.path is None or "\0" not in entry.path)
    assert window.recovery_banner.isVisible()
    assert "ignored" in window.banner.text()
    assert window.recovery_offer.restore_recovered(next(e for e in entries if e.text == "the good one"))
    assert window.editor.user_text() == "the good one"


def test_the_app_starts_with_hostile_recovery_files_and_a_255_byte_name(tmp_path, hostile_tally):
    """The real app, in a process: it starts, opens the file and shows its window."""
    import subprocess

    hostile_tally["cases tried"] += 1
    data = tmp_path / "data"
    _write_entries(data / "recovery", MALFORMED_ENTRIES)
    name = "长" * 80 + "x" * 11 + ".txt"  # 255 bytes
    assert len(os.fsencode(name)) == 255
    doc = tmp_path / name
    doc.write_text(TEXT, encoding="utf-8")
    out = tmp_path / "out.json"
    script = tmp_path / "script.py"
    script.write_text(
        "import json, os\nfrom PySide6.QtCore import QTimer\n"
        f"open({str(out)!r}, 'w').write(json.dumps({{'title': window.windowTitle(), "
        "'text': window.editor.user_text(), 'banner': window.banner.text()}))\n"
        "QTimer.singleShot(0, window.close_for_shutdown)\n", encoding="utf-8")
    env = {**os.environ, "AIGC_DESKTOP_DATA_DIR": str(data),
           "QT_QPA_PLATFORM": "offscreen", "HF_HUB_OFFLINE": "1", "XDG_CONFIG_HOME": str(tmp_path / "config")}
    driver = Path(__file__).resolve().parent / "app_driver.py"  # the real app, running the script once shown
    result = subprocess.run([sys.executable, str(driver), str(script), "--model", str(tmp_path / "no-model"), str(doc)],
                            capture_output=True, text=True, timeout=120, env=env)
    if result.returncode < 0:
        hostile_tally["crashes"] += 1
    if "Traceback" in result.stderr:
        hostile_tally["tracebacks"] += 1
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    shown = json.loads(out.read_text())
    assert shown["text"] == TEXT and shown["title"].startswith(name)


# ----- names and characters ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["x" * 251 + ".txt", "长" * 80 + "x" * 11 + ".txt", "x" * 240 + ".md"])
def test_names_near_255_bytes_save_and_reopen(window, tmp_path, name, hostile_tally):
    hostile_tally["cases tried"] += 1
    path = tmp_path / name
    path.write_text(TEXT, encoding="utf-8")
    with_ai_span(window, path)  # the sidecar's name would be too long: said, and the document is saved
    window.editor.insertPlainText("more ")
    assert window.document.save()
    assert read_document(path).text == window.editor.user_text()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert window.document.open_file(str(path), ask_to_save=False)


def test_save_keeps_owner_group_and_mode(window, tmp_path, hostile_tally):
    hostile_tally["cases tried"] += 1
    path = tmp_path / "shared.txt"
    path.write_text(TEXT, encoding="utf-8")
    os.chmod(path, 0o640)
    if os.geteuid() == 0:
        os.chown(path, 4321, 4322)
    before = os.stat(path)
    assert window.document.open_file(str(path), ask_to_save=False)
    window.editor.insertPlainText("edit ")
    assert window.document.save()
    after = os.stat(path)
    assert after.st_ino != before.st_ino  # really replaced (atomic save), not rewritten in place
    assert stat.S_IMODE(after.st_mode) == 0o640
    assert (after.st_uid, after.st_gid) == (before.st_uid, before.st_gid)


def test_a_non_utf8_file_name_survives_title_and_recent_files(window, tmp_path, hostile_tally):
    hostile_tally["cases tried"] += 1
    name = os.fsdecode(b"caf\xe9-\xff.txt")  # Latin-1 bytes: not UTF-8
    path = os.path.join(str(tmp_path), name)
    with open(os.fsencode(path), "wb") as f:
        f.write(TEXT.encode("utf-8"))
    assert window.document.open_file(path, ask_to_save=False)
    assert window.windowTitle().startswith("caf")
    window.editor.insertPlainText("x")
    assert window.document.save()
    assert os.path.exists(os.fsencode(path))
    window._fill_recent_menu()
    actions = [a for a in window.recent_menu.actions() if a.text()]
    assert actions
    assert window.document.open_file(window.settings.recent_files()[0], ask_to_save=False)
    assert window.editor.user_text() == "x" + TEXT


@pytest.mark.parametrize("how", ["paste", "server text"])
def test_a_nul_that_arrives_never_makes_the_saved_file_unreadable(window, tmp_path, how, hostile_tally):
    hostile_tally["cases tried"] += 1
    path = tmp_path / "nul.txt"
    path.write_text("start ", encoding="utf-8")
    assert window.document.open_file(str(path), ask_to_save=False)
    window.editor.moveCursor(window.editor.textCursor().MoveOperation.End)
    if how == "paste":
        mime = QMimeData()
        mime.setText("a\0b")
        window.editor.insertFromMimeData(mime)
    else:
        window.editor.start_suggestion(len("start "))
        window.editor.append_suggestion("c\0d")
        window.editor.accept_suggestion()
    assert window.document.save()
    assert window.document.open_file(str(path), ask_to_save=False)
    assert "\ufffd" in window.editor.user_text() and "\0" not in window.editor.user_text()
