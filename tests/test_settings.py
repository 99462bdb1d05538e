"""ui/settings/user_settings.py: typed, validated access to the stored settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QSettings

from aigc_desktop.ui.settings.generation_settings import GenerationSettings
from aigc_desktop.ui.settings.user_settings import AppSettings


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
