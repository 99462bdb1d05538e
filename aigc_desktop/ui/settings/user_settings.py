"""Persistent user settings (generation options, recent files, font, line spacing, window geometry).

QSettings hands values back with platform-dependent types (INI files and some
backends return every number as a string, a one-item list as a plain string), so
every read converts and validates, and falls back to the default field by field.
"""

from __future__ import annotations

import base64
import math
import os
import re
from dataclasses import fields

from PySide6.QtCore import QByteArray, QSettings

from ...engine.text import options
from ..window.writing_surface import DEFAULT_TEXT_WIDTH, TEXT_WIDTHS
from .generation_settings import (
    AUTO_SUGGEST_DELAY_RANGE,
    AUTO_SUGGEST_TOKENS_RANGE,
    GenerationSettings,
    is_device_choice,
)
from .presets import Preset, from_json, to_json

FONT_SIZE_RANGE = (4, 200)
LINE_SPACINGS = (1.0, 1.15, 1.5, 2.0)  # View → Line Spacing

MAX_RECENT_FILES = 10
DEFAULT_FONT_POINT_SIZE = 12


def _to_int(value: object, lo: int, hi: int) -> int | None:
    """value as an int within [lo, hi], or None when it is missing or garbage."""
    if isinstance(value, bool):  # bool is an int subclass, but never a valid count
        return None
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    elif isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            return None
    if not isinstance(value, int) or not lo <= value <= hi:
        return None
    return value


def _to_float(value: object, lo: float, hi: float) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        value = float(value)
    elif isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    if math.isnan(value) or not lo <= value <= hi:
        return None
    return value


def _to_bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("true", "1", "yes", "on"):
            return True
        if text in ("false", "0", "no", "off"):
            return False
    return None


def _to_str_list(value: object) -> list[str]:
    if isinstance(value, str):  # INI files return a one-item list as a plain string
        return [value] if value else []
    if isinstance(value, (list, tuple)):
        return [item for item in value if isinstance(item, str) and item]
    return []


def _language_code(value: object) -> str:
    """A locale name such as "en" or "zh_CN", or "" (the system's language) for anything else."""
    if isinstance(value, str) and re.fullmatch(r"[a-z]{2,3}(_[A-Z][A-Za-z]{1,3})?", value.strip()):
        return value.strip()
    return ""


_FS_BYTES = "fsbytes:"  # a path that is not valid Unicode (non-UTF-8 bytes on Linux), kept as base64


def _path_to_setting(path: str) -> str:
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:  # surrogate escapes: QSettings would turn them into "?"
        return _FS_BYTES + base64.b64encode(os.fsencode(path)).decode("ascii")


def _path_from_setting(value: str) -> str | None:
    if not value.startswith(_FS_BYTES):
        return value
    try:
        return os.fsdecode(base64.b64decode(value[len(_FS_BYTES):], validate=True))
    except (ValueError, UnicodeError):
        return None


def _path_key(path: str) -> str:
    # Two spellings of the same file must not appear twice in the menu.
    return os.path.normcase(os.path.abspath(path))


class AppSettings:
    """Typed access to the application's QSettings."""

    def __init__(self, qsettings: QSettings | None = None):
        if qsettings is None:
            qsettings = QSettings("aigc-desktop", "aigc-desktop")
        self._qs = qsettings

    def _store(self, key: str, value: object) -> None:
        self._qs.setValue(key, value)
        self._qs.sync()  # write now: a crash later must not lose the user's choice

    # --- generation options -------------------------------------------------------

    def generation(self) -> GenerationSettings:
        d = GenerationSettings()
        g = self._qs.value

        model = g("generation/model")
        device = g("generation/device")
        max_new_tokens = _to_int(g("generation/max_new_tokens"), *options.MAX_NEW_TOKENS.offered)
        temperature = _to_float(g("generation/temperature"), *options.TEMPERATURE.offered)
        top_k = _to_int(g("generation/top_k"), *options.TOP_K.offered)
        top_p = _to_float(g("generation/top_p"), *options.TOP_P.offered)
        penalty = _to_float(g("generation/repetition_penalty"), *options.REPETITION_PENALTY.offered)
        ngram = _to_int(g("generation/no_repeat_ngram_size"), *options.NO_REPEAT_NGRAM_SIZE.offered)
        length_mode = g("generation/length_mode")
        if length_mode == "tokens":  # the name settings used before the engine's ("length")
            length_mode = "length"
        if length_mode not in options.LENGTH_MODES:
            # Settings from before length modes had a "stop at sentence end" switch.
            length_mode = "sentence" if _to_bool(g("generation/stop_at_sentence")) else d.length_mode
        stop_strings = tuple(s for s in _to_str_list(g("generation/stop_strings")) if s)
        fast_mode = _to_bool(g("generation/fast_mode"))
        alternatives = _to_int(g("generation/alternatives"), *options.ALTERNATIVES.offered)
        auto_suggest = _to_bool(g("generation/auto_suggest"))
        auto_delay = _to_int(g("generation/auto_suggest_delay_ms"), *AUTO_SUGGEST_DELAY_RANGE)
        auto_tokens = _to_int(g("generation/auto_suggest_tokens"), *AUTO_SUGGEST_TOKENS_RANGE)
        use_server = _to_bool(g("generation/use_server"))
        server_url = g("generation/server_url")
        server_model = g("generation/server_model")
        server_timeout = _to_float(g("generation/server_timeout"), *options.SERVER_TIMEOUT.offered)

        # An empty stored seed means "random"; garbage also falls back to random.
        raw_seed = g("generation/seed")
        seed = None if raw_seed in (None, "") else _to_int(raw_seed, *options.SEED_RANGE)

        return GenerationSettings(
            model=model.strip() if isinstance(model, str) and model.strip() else d.model,
            device=device if is_device_choice(device) else d.device,
            max_new_tokens=d.max_new_tokens if max_new_tokens is None else max_new_tokens,
            temperature=d.temperature if temperature is None else temperature,
            top_k=d.top_k if top_k is None else top_k,
            top_p=d.top_p if top_p is None else top_p,
            repetition_penalty=d.repetition_penalty if penalty is None else penalty,
            no_repeat_ngram_size=d.no_repeat_ngram_size if ngram is None else ngram,
            seed=seed,
            length_mode=length_mode,
            stop_strings=stop_strings,
            fast_mode=d.fast_mode if fast_mode is None else fast_mode,
            alternatives=d.alternatives if alternatives is None else alternatives,
            auto_suggest=d.auto_suggest if auto_suggest is None else auto_suggest,
            auto_suggest_delay_ms=d.auto_suggest_delay_ms if auto_delay is None else auto_delay,
            auto_suggest_tokens=d.auto_suggest_tokens if auto_tokens is None else auto_tokens,
            use_server=bool(use_server),
            server_url=server_url.strip() if isinstance(server_url, str) else "",
            server_model=server_model.strip() if isinstance(server_model, str) else "",
            server_timeout=d.server_timeout if server_timeout is None else server_timeout,
        )

    def save_generation(self, g: GenerationSettings) -> None:
        for field in fields(GenerationSettings):
            value = getattr(g, field.name)
            if field.name == "seed" and value is None:
                value = ""  # QSettings cannot store None portably
            if isinstance(value, tuple):
                value = list(value)
            self._qs.setValue(f"generation/{field.name}", value)
        self._qs.sync()

    # --- sampling presets ---------------------------------------------------------

    def user_presets(self) -> list[Preset]:
        return from_json(self._qs.value("presets/user"))

    def save_user_presets(self, presets: list[Preset]) -> None:
        self._store("presets/user", to_json(presets))

    # --- appearance ---------------------------------------------------------------

    def theme(self) -> str:
        value = self._qs.value("appearance/theme")
        return value if value in ("system", "light", "dark") else "system"

    def set_theme(self, name: str) -> None:
        self._store("appearance/theme", name)

    def font_family(self) -> str:
        value = self._qs.value("appearance/font_family")
        return value if isinstance(value, str) else ""

    def set_font_family(self, family: str) -> None:
        self._store("appearance/font_family", family)

    # --- AI label for exports ------------------------------------------------------

    def ai_label(self) -> str:
        value = self._qs.value("provenance/label")
        return value if isinstance(value, str) else ""

    def set_ai_label(self, label: str) -> None:
        self._store("provenance/label", label)

    # --- recent files -------------------------------------------------------------

    def recent_files(self) -> list[str]:
        """Most recent first, without duplicates, at most MAX_RECENT_FILES."""
        result: list[str] = []
        seen: set[str] = set()
        for value in _to_str_list(self._qs.value("recent_files")):
            path = _path_from_setting(value)
            if path is None:
                continue
            key = _path_key(path)
            if key not in seen:
                seen.add(key)
                result.append(path)
        return result[:MAX_RECENT_FILES]

    def add_recent_file(self, path: str) -> None:
        path = os.path.abspath(path)
        others = [p for p in self.recent_files() if _path_key(p) != _path_key(path)]
        self._store("recent_files", [_path_to_setting(p) for p in [path, *others][:MAX_RECENT_FILES]])

    def remove_recent_file(self, path: str) -> None:
        key = _path_key(path)
        self._store("recent_files", [_path_to_setting(p) for p in self.recent_files() if _path_key(p) != key])

    # --- appearance ---------------------------------------------------------------

    def font_point_size(self) -> int:
        size = _to_int(self._qs.value("editor/font_point_size"), *FONT_SIZE_RANGE)
        return DEFAULT_FONT_POINT_SIZE if size is None else size

    def set_font_point_size(self, size: int) -> None:
        lo, hi = FONT_SIZE_RANGE
        self._store("editor/font_point_size", max(lo, min(hi, int(size))))

    def line_spacing(self) -> float:
        """One of LINE_SPACINGS; anything else stored (garbage, a hand-edited 7) is 1.0."""
        value = _to_float(self._qs.value("editor/line_spacing"), min(LINE_SPACINGS), max(LINE_SPACINGS))
        return next((s for s in LINE_SPACINGS if value is not None and abs(s - value) < 1e-6), 1.0)

    def set_line_spacing(self, spacing: float) -> None:
        self._store("editor/line_spacing", spacing if spacing in LINE_SPACINGS else 1.0)

    def text_width(self) -> int:
        """Characters per line of the centred text column (View → Text Width); 0: the window's width."""

        value = _to_int(self._qs.value("editor/text_width"), 0, max(TEXT_WIDTHS))
        return value if value in TEXT_WIDTHS else DEFAULT_TEXT_WIDTH

    def set_text_width(self, chars: int) -> None:
        self._store("editor/text_width", chars if chars in TEXT_WIDTHS else DEFAULT_TEXT_WIDTH)

    # --- interface language (takes effect at the next start) ------------------------

    def language(self) -> str:
        """A code such as "en" or "zh_CN", or an empty string to follow the system's language."""
        return _language_code(self._qs.value("ui/language"))

    def set_language(self, code: str) -> None:
        self._store("ui/language", _language_code(code))

    def window_geometry(self) -> QByteArray | None:
        value = self._qs.value("window/geometry")
        if isinstance(value, (bytes, bytearray)):
            value = QByteArray(bytes(value))
        if isinstance(value, QByteArray) and not value.isEmpty():
            return value
        return None

    def set_window_geometry(self, geometry: QByteArray) -> None:
        self._store("window/geometry", QByteArray(geometry))
