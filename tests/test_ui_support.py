"""Tests for the UI helper modules: text stats, settings, settings dialog, find bar, file I/O."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from aigc_desktop.ui import document_io
from aigc_desktop.ui.document_io import (
    DocumentError,
    read_text_file,
    write_text_file_atomic,
)
from aigc_desktop.ui.find_bar import FindBar
from aigc_desktop.ui.generation_settings import GenerationSettings
from aigc_desktop.ui.settings import AppSettings
from aigc_desktop.ui.settings_dialog import SettingsDialog
from aigc_desktop.ui.text_stats import count_words_and_chars

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
POSIX_ONLY = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


def test_helpers_do_not_import_torch_and_pure_ones_do_not_import_qt():
    # The window must appear before torch loads, and the pure helpers stay Qt-free.
    code = (
        "import sys\n"
        "import aigc_desktop.ui.text_stats, aigc_desktop.ui.document_io\n"
        "assert 'PySide6' not in sys.modules, 'pure helpers imported Qt'\n"
        "import aigc_desktop.ui.settings, aigc_desktop.ui.settings_dialog\n"
        "import aigc_desktop.ui.find_bar\n"
        "bad = [m for m in ('torch', 'transformers') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root)}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# --- text_stats ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words", "chars"),
    [
        ("", 0, 0),
        ("   \n\t\u3000 ", 0, 0),  # includes the ideographic space
        ("Hello world", 2, 10),
        ("The quick brown fox.", 4, 17),
        ("don't stop the well-known rock-and-roll", 5, 35),
        ("It\u2019s fine", 2, 8),  # typographic apostrophe
        ("— ... !! ?", 0, 7),  # punctuation alone is not a word
        ("pi is 3.14, about 1,000 tries", 6, 24),
        ("今天天气很好", 6, 6),
        ("今天天气很好。", 6, 7),  # the full stop is a character, not a word
        ("Hello, world! 今天天气", 6, 16),
        ("abc中文def", 4, 8),  # CJK splits the Latin runs around it
        ("こんにちは、世界！", 7, 9),  # kana and kanji
        ("한국어 텍스트", 6, 6),  # hangul
        ("cafe\u0301 na\u00efve", 2, 9),  # a combining accent stays in its word
        ("👍", 0, 1),
        ("Nice 👍🏽 ❤️ 👨\u200d👩\u200d👧!", 1, 10),  # modifiers, VS16 and ZWJ take no place
        ("foo\u200bbar", 2, 6),  # a zero-width space separates words
    ],
)
def test_count_words_and_chars(text, words, chars):
    assert count_words_and_chars(text) == (words, chars)


def test_count_words_and_chars_multiline_mixed_document():
    text = "第一段：AI 写作。\n\nSecond paragraph, with 2 numbers: 42 and 7.\n"
    # Words: 第一段 (3) + AI (1) + 写作 (2) + Second paragraph with 2 numbers 42 and 7 (8).
    # Characters: "第一段：AI" 6 + "写作。" 3 + 36 in the English sentence.
    assert count_words_and_chars(text) == (14, 45)


# --- settings -----------------------------------------------------------------------


@pytest.fixture
def ini_path(tmp_path) -> Path:
    return tmp_path / "settings.ini"


def make_settings(path: Path) -> AppSettings:
    return AppSettings(QSettings(str(path), QSettings.Format.IniFormat))


def test_generation_defaults_when_nothing_is_stored(ini_path):
    assert make_settings(ini_path).generation() == GenerationSettings()


def test_generation_round_trip(ini_path):
    chosen = GenerationSettings(
        model="/models/my gpt2, v2",
        device="cpu",
        max_new_tokens=200,
        temperature=0.35,
        top_k=0,
        top_p=0.5,
        repetition_penalty=1.25,
        seed=1234,
        length_mode="paragraph",
        stop_strings=("THE END", "\n\n"),
    )
    make_settings(ini_path).save_generation(chosen)
    assert make_settings(ini_path).generation() == chosen


def test_generation_seed_none_is_stored_as_empty_string(ini_path):
    settings = make_settings(ini_path)
    settings.save_generation(GenerationSettings(seed=None))
    raw = QSettings(str(ini_path), QSettings.Format.IniFormat).value("generation/seed")
    assert raw == ""
    assert settings.generation().seed is None


def test_generation_reads_numbers_stored_as_strings(ini_path):
    # A hand-written INI file: QSettings returns every value here as a string.
    ini_path.write_text(
        "[generation]\n"
        "model=gpt2-medium\n"
        "device=cuda\n"
        "max_new_tokens=128\n"
        "temperature=0\n"
        "top_k= 40 \n"
        "top_p=1\n"
        "repetition_penalty=1.3\n"
        "seed=42\n"
        "stop_at_sentence=true\n",
        encoding="utf-8",
    )
    assert make_settings(ini_path).generation() == GenerationSettings(
        model="gpt2-medium",
        device="cuda",
        max_new_tokens=128,
        temperature=0.0,
        top_k=40,
        top_p=1.0,
        repetition_penalty=1.3,
        seed=42,
        length_mode="sentence",  # migrated from the old "stop at sentence end" switch
    )


def test_generation_garbage_falls_back_per_field(ini_path):
    ini_path.write_text(
        "[generation]\n"
        "model=\n"
        "device=tpu\n"
        "max_new_tokens=lots\n"
        "temperature=nan\n"
        "top_k=-5\n"
        "top_p=0.7\n"  # valid: kept
        "repetition_penalty=99\n"
        "seed=-1\n"
        "stop_at_sentence=maybe\n",
        encoding="utf-8",
    )
    assert make_settings(ini_path).generation() == GenerationSettings(top_p=0.7)


def test_generation_garbage_seed_means_random(ini_path):
    qs = QSettings(str(ini_path), QSettings.Format.IniFormat)
    qs.setValue("generation/seed", "12x")
    qs.setValue("generation/max_new_tokens", 3.5)
    generation = AppSettings(qs).generation()
    assert generation.seed is None
    assert generation.max_new_tokens == GenerationSettings.max_new_tokens


def test_recent_files_most_recent_first_deduplicated_capped(ini_path, tmp_path):
    settings = make_settings(ini_path)
    assert settings.recent_files() == []
    paths = [str(tmp_path / f"doc{i}.txt") for i in range(12)]
    for path in paths:
        settings.add_recent_file(path)
    assert settings.recent_files() == list(reversed(paths))[:10]

    # Re-adding moves the file to the front, also when spelled differently.
    settings.add_recent_file(str(tmp_path / "sub" / ".." / "doc5.txt"))
    recent = make_settings(ini_path).recent_files()
    assert recent[0] == paths[5]
    assert recent.count(paths[5]) == 1
    assert len(recent) == 10

    settings.remove_recent_file(paths[5])
    assert paths[5] not in settings.recent_files()
    settings.remove_recent_file(str(tmp_path / "never-added.txt"))  # no error
    assert len(settings.recent_files()) == 9


def test_recent_files_single_entry_and_garbage_in_ini(ini_path):
    # INI files return a one-item list as a plain string.
    ini_path.write_text("[General]\nrecent_files=/home/me/notes.txt\n", encoding="utf-8")
    assert make_settings(ini_path).recent_files() == ["/home/me/notes.txt"]

    qs = QSettings(str(ini_path), QSettings.Format.IniFormat)
    qs.setValue("recent_files", 17)
    assert AppSettings(qs).recent_files() == []


def test_font_point_size(ini_path):
    settings = make_settings(ini_path)
    assert settings.font_point_size() == 12
    settings.set_font_point_size(16)
    assert make_settings(ini_path).font_point_size() == 16

    ini_path.write_text("[editor]\nfont_point_size=huge\n", encoding="utf-8")
    assert make_settings(ini_path).font_point_size() == 12


def test_window_geometry(ini_path):
    settings = make_settings(ini_path)
    assert settings.window_geometry() is None
    geometry = QByteArray(b"\x01\xd9\xd0\xcb\x00\x03\x00\x00geometry")
    settings.set_window_geometry(geometry)
    assert make_settings(ini_path).window_geometry() == geometry

    ini_path.write_text("[window]\ngeometry=not bytes\n", encoding="utf-8")
    assert make_settings(ini_path).window_geometry() is None


def test_default_qsettings_location_is_used_without_argument():
    qs = AppSettings()._qs
    assert (qs.organizationName(), qs.applicationName()) == ("aigc-desktop", "aigc-desktop")


# --- settings dialog ----------------------------------------------------------------


@pytest.fixture
def dialog(qtbot):
    dlg = SettingsDialog(GenerationSettings(seed=7))
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    return dlg


def ok_button(dlg: SettingsDialog):
    return dlg.button_box.button(QDialogButtonBox.StandardButton.Ok)


def type_into(qtbot, widget, text: str) -> None:
    widget.selectAll()
    qtbot.keyClick(widget, Qt.Key.Key_Delete)
    if text.isascii():
        qtbot.keyClicks(widget, text)
    else:
        widget.insert(text)  # QTest can only type Latin-1 keys; paste the rest


def test_dialog_shows_the_given_settings(qtbot):
    given = GenerationSettings(
        model="gpt2-large",
        device="mps",
        max_new_tokens=300,
        temperature=1.2,
        top_k=10,
        top_p=0.9,
        repetition_penalty=1.1,
        seed=99,
        length_mode="sentence",
        stop_strings=("THE END", "\n\n"),
    )
    dlg = SettingsDialog(given)
    qtbot.addWidget(dlg)
    assert dlg.result_settings() == given
    assert dlg.temperature_spin.toolTip() == "0 = always the most likely word"
    assert ok_button(dlg).isEnabled()


def test_dialog_result_reflects_what_the_user_typed(qtbot, dialog):
    type_into(qtbot, dialog.model_edit, "uer/gpt2-chinese-cluecorpussmall")
    dialog.device_combo.setCurrentIndex(dialog.device_combo.findData("cpu"))
    type_into(qtbot, dialog.max_new_tokens_spin, "256")
    type_into(qtbot, dialog.temperature_spin, "0")
    type_into(qtbot, dialog.top_k_spin, "20")
    type_into(qtbot, dialog.top_p_spin, "0.8")
    type_into(qtbot, dialog.repetition_penalty_spin, "1.2")
    type_into(qtbot, dialog.seed_edit, "")
    dialog.length_combo.setCurrentIndex(dialog.length_combo.findData("sentence"))
    type_into(qtbot, dialog.stop_strings_edit, "THE END | \\n\\n |  ")

    assert dialog.result_settings() == GenerationSettings(
        model="uer/gpt2-chinese-cluecorpussmall",
        device="cpu",
        max_new_tokens=256,
        temperature=0.0,
        top_k=20,
        top_p=0.8,
        repetition_penalty=1.2,
        seed=None,
        length_mode="sentence",
        stop_strings=("THE END", "\n\n"),
    )
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_dialog_spin_boxes_clamp_to_their_ranges(qtbot, dialog):
    type_into(qtbot, dialog.max_new_tokens_spin, "99999")
    assert dialog.result_settings().max_new_tokens <= 2048
    dialog.top_p_spin.setValue(0)
    assert dialog.result_settings().top_p == 0.01
    dialog.temperature_spin.setValue(9)
    assert dialog.result_settings().temperature == 5.0
    dialog.repetition_penalty_spin.setValue(0.1)
    assert dialog.result_settings().repetition_penalty == 0.5


def test_dialog_blank_model_means_default(qtbot, dialog):
    type_into(qtbot, dialog.model_edit, "   ")
    assert dialog.result_settings().model == GenerationSettings.model


@pytest.mark.parametrize("bad_seed", ["12a", "-3", "1.5", "١٢", str(2**63)])
def test_dialog_invalid_seed_disables_ok(qtbot, dialog, bad_seed):
    assert ok_button(dialog).isEnabled()
    assert dialog.seed_error_label.isHidden()

    type_into(qtbot, dialog.seed_edit, bad_seed)
    assert not ok_button(dialog).isEnabled()
    assert not dialog.seed_error_label.isHidden()
    assert dialog.seed_error_label.text()
    dialog.accept()  # even a direct accept() is refused
    assert dialog.result() != QDialog.DialogCode.Accepted

    type_into(qtbot, dialog.seed_edit, "2024")
    assert ok_button(dialog).isEnabled()
    assert dialog.seed_error_label.isHidden()
    assert dialog.result_settings().seed == 2024


def test_dialog_browse_folder_fills_the_model(qtbot, dialog, monkeypatch, tmp_path):
    calls = []

    def fake_get_existing_directory(parent, caption, start):
        calls.append(start)
        return str(tmp_path)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", fake_get_existing_directory)
    qtbot.mouseClick(dialog.browse_button, Qt.MouseButton.LeftButton)
    assert Path(dialog.model_edit.text()) == tmp_path

    # Cancelling the folder dialog keeps the current model.
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: "")
    qtbot.mouseClick(dialog.browse_button, Qt.MouseButton.LeftButton)
    assert Path(dialog.model_edit.text()) == tmp_path
    assert len(calls) == 1


def test_dialog_cancel_rejects(qtbot, dialog):
    cancel = dialog.button_box.button(QDialogButtonBox.StandardButton.Cancel)
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Rejected


# --- find bar -----------------------------------------------------------------------


@pytest.fixture
def find_setup(qtbot):
    window = QWidget()
    editor = QPlainTextEdit()
    bar = FindBar(editor)
    layout = QVBoxLayout(window)
    layout.addWidget(editor)
    layout.addWidget(bar)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield editor, bar  # the fixture keeps `window` (and so its children) alive


def selection(editor: QPlainTextEdit) -> tuple[int, int]:
    cursor = editor.textCursor()
    return cursor.selectionStart(), cursor.selectionEnd()


def put_cursor(editor: QPlainTextEdit, position: int) -> None:
    cursor = editor.textCursor()
    cursor.setPosition(position)
    editor.setTextCursor(cursor)


def test_find_bar_hidden_by_default(find_setup):
    _editor, bar = find_setup
    assert bar.isHidden()


def test_find_bar_show_prefills_selection(qtbot, find_setup):
    editor, bar = find_setup
    editor.setPlainText("alpha beta gamma")
    cursor = editor.textCursor()
    cursor.setPosition(6)
    cursor.setPosition(10, QTextCursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)

    bar.show_and_focus()
    assert not bar.isHidden()
    assert bar.line_edit.text() == "beta"
    assert bar.line_edit.selectedText() == "beta"  # typing replaces it


def test_find_bar_show_keeps_previous_term_for_multiline_or_no_selection(find_setup):
    editor, bar = find_setup
    editor.setPlainText("one\ntwo")
    bar.line_edit.setText("two")
    editor.selectAll()  # spans two lines
    bar.show_and_focus()
    assert bar.line_edit.text() == "two"
    put_cursor(editor, 0)
    bar.show_and_focus()
    assert bar.line_edit.text() == "two"


def test_find_next_steps_through_matches_and_wraps(find_setup):
    editor, bar = find_setup
    editor.setPlainText("cat dog cat bird cat")
    put_cursor(editor, 0)
    bar.line_edit.setText("cat")

    assert bar.find_next() and selection(editor) == (0, 3)
    assert bar.find_next() and selection(editor) == (8, 11)
    assert bar.find_next() and selection(editor) == (17, 20)
    assert bar.find_next() and selection(editor) == (0, 3)  # wrapped around
    assert not bar.is_not_found()


def test_find_previous_steps_backwards_and_wraps(find_setup):
    editor, bar = find_setup
    editor.setPlainText("cat dog cat bird cat")
    put_cursor(editor, 12)  # just after the second "cat"
    bar.line_edit.setText("cat")

    assert bar.find_previous() and selection(editor) == (8, 11)
    assert bar.find_previous() and selection(editor) == (0, 3)
    assert bar.find_previous() and selection(editor) == (17, 20)  # wrapped to the end
    assert bar.find_previous() and selection(editor) == (8, 11)


def test_find_match_case(find_setup):
    editor, bar = find_setup
    editor.setPlainText("Apple apple APPLE")
    put_cursor(editor, 0)
    bar.line_edit.setText("apple")

    assert bar.find_next() and selection(editor) == (0, 5)  # case-insensitive by default
    bar.match_case_check.setChecked(True)
    put_cursor(editor, 0)
    assert bar.find_next() and selection(editor) == (6, 11)
    assert bar.find_next() and selection(editor) == (6, 11)  # the only exact match

    bar.line_edit.setText("APPLE")
    assert bar.find_next() and selection(editor) == (12, 17)
    bar.line_edit.setText("aPPle")
    assert not bar.find_next()


def test_find_not_found_state(find_setup):
    editor, bar = find_setup
    editor.setPlainText("nothing to see here")
    put_cursor(editor, 3)
    bar.line_edit.setText("zebra")

    assert not bar.find_next()
    assert not bar.find_previous()
    assert bar.is_not_found()
    assert bar.line_edit.property("notFound") is True
    assert bar.status_label.text() == "Not found"
    assert selection(editor) == (3, 3)  # the editor's cursor did not move

    bar.line_edit.setText("see")
    assert bar.find_next()
    assert not bar.is_not_found()
    assert bar.status_label.text() == ""


def test_find_empty_term_is_not_an_error(find_setup):
    editor, bar = find_setup
    editor.setPlainText("text")
    bar.line_edit.setText("")
    assert not bar.find_next()
    assert not bar.is_not_found()


def test_find_cjk_text(find_setup):
    editor, bar = find_setup
    editor.setPlainText("今天天气很好。明天天气也好。")
    put_cursor(editor, 0)
    bar.line_edit.setText("天气")

    assert bar.find_next() and selection(editor) == (2, 4)
    assert editor.textCursor().selectedText() == "天气"
    assert bar.find_next() and selection(editor) == (9, 11)
    assert bar.find_next() and selection(editor) == (2, 4)
    assert bar.find_previous() and selection(editor) == (9, 11)
    bar.line_edit.setText("后天")
    assert not bar.find_next() and bar.is_not_found()


def test_find_as_you_type_extends_the_current_match(qtbot, find_setup):
    editor, bar = find_setup
    editor.setPlainText("tea team teapot")
    put_cursor(editor, 0)
    bar.show_and_focus()

    qtbot.keyClicks(bar.line_edit, "tea")
    assert selection(editor) == (0, 3)
    qtbot.keyClicks(bar.line_edit, "p")
    assert selection(editor) == (9, 13)
    qtbot.keyClicks(bar.line_edit, "x")
    assert bar.is_not_found()


def test_find_bar_keys_enter_shift_enter_escape(qtbot, find_setup):
    editor, bar = find_setup
    editor.setPlainText("one two one two one")
    put_cursor(editor, 0)
    bar.show_and_focus()
    bar.line_edit.setText("one")

    qtbot.keyClick(bar.line_edit, Qt.Key.Key_Return)
    assert selection(editor) == (0, 3)
    qtbot.keyClick(bar.line_edit, Qt.Key.Key_Enter)  # the keypad Enter key
    assert selection(editor) == (8, 11)
    qtbot.keyClick(bar.line_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert selection(editor) == (0, 3)

    editor.window().activateWindow()
    bar.line_edit.setFocus()
    qtbot.keyClick(bar.line_edit, Qt.Key.Key_Escape)
    assert bar.isHidden()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is editor)


def test_find_bar_escape_from_a_button_and_close_button(qtbot, find_setup):
    _editor, bar = find_setup
    bar.show_and_focus()
    qtbot.keyClick(bar.next_button, Qt.Key.Key_Escape)
    assert bar.isHidden()

    bar.show_and_focus()
    qtbot.mouseClick(bar.close_button, Qt.MouseButton.LeftButton)
    assert bar.isHidden()


def test_find_bar_buttons_search(qtbot, find_setup):
    editor, bar = find_setup
    editor.setPlainText("x a x a")
    put_cursor(editor, 0)
    bar.show_and_focus()
    bar.line_edit.setText("a")
    qtbot.mouseClick(bar.next_button, Qt.MouseButton.LeftButton)
    assert selection(editor) == (2, 3)
    qtbot.mouseClick(bar.next_button, Qt.MouseButton.LeftButton)
    assert selection(editor) == (6, 7)
    qtbot.mouseClick(bar.previous_button, Qt.MouseButton.LeftButton)
    assert selection(editor) == (2, 3)


# --- document_io --------------------------------------------------------------------


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


def test_read_refuses_utf16_with_a_clear_message(tmp_path):
    path = tmp_path / "utf16.txt"
    path.write_bytes("hello".encode("utf-16"))
    with pytest.raises(DocumentError, match="UTF-16"):
        read_text_file(path)


def test_read_refuses_non_utf8(tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes("中文文本".encode("gbk"))
    with pytest.raises(DocumentError, match="could not be read as UTF-8") as info:
        read_text_file(path)
    assert "gbk.txt" in str(info.value)


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


def test_counting_in_slices_equals_counting_at_once():
    from aigc_desktop.ui.text_stats import count_in_slices, count_words_and_chars

    text = ("Don't split well-known words 今天天气真好，我想去公园散步。 3.14 e.g. 😀\n" * 3000)
    assert count_in_slices(text, slice_size=97) == count_words_and_chars(text)
    assert count_in_slices("") == (0, 0)
