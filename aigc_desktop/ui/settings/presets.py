"""Sampling presets: built-in Precise / Balanced / Creative, and the user's own."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP

from ...engine.text.options import (
    NO_REPEAT_NGRAM_SIZE,
    SUGGESTED_NO_REPEAT_NGRAM,
    TEMPERATURE,
    TOP_K,
    TOP_P,
    NumberOption,
)
from .generation_settings import GenerationSettings

SAMPLING_FIELDS = ("temperature", "top_k", "top_p", "repetition_penalty", "no_repeat_ngram_size")


@dataclass(frozen=True)
class Preset:
    name: str
    temperature: float
    top_k: int
    top_p: float
    repetition_penalty: float
    no_repeat_ngram_size: int = 0  # 0: off

    def apply_to(self, settings: GenerationSettings) -> GenerationSettings:
        return dataclasses.replace(settings, **{f: getattr(self, f) for f in SAMPLING_FIELDS})

    def matches(self, settings: GenerationSettings) -> bool:
        return all(abs(float(getattr(self, f)) - float(getattr(settings, f))) < 1e-6 for f in SAMPLING_FIELDS)

    @classmethod
    def from_settings(cls, name: str, settings: GenerationSettings) -> "Preset":
        return cls(name, *(getattr(settings, f) for f in SAMPLING_FIELDS))


# The names stay English in settings; the window shows them translated (MainWindow's tr).
# str(): QT_TRANSLATE_NOOP returns its text unchanged, but is typed as returning object.
# Each never repeats a run of 4 tokens: on SmolLM2-135M that removed every visible loop at the
# smallest cost in perplexity; a repetition penalty cost more and removed no more (README,
# "Repetition": python -m aigc_desktop.bench.repetition).
NO_REPEAT_NGRAM = SUGGESTED_NO_REPEAT_NGRAM
BUILT_IN = (
    Preset(str(QT_TRANSLATE_NOOP("MainWindow", "Precise")), 0.3, 20, 0.9, 1.0, NO_REPEAT_NGRAM),  # the likeliest words
    Preset(str(QT_TRANSLATE_NOOP("MainWindow", "Balanced")), 0.8, 50, 0.95, 1.0, NO_REPEAT_NGRAM),  # the defaults
    Preset(str(QT_TRANSLATE_NOOP("MainWindow", "Creative")), 1.1, 0, 0.98, 1.0, NO_REPEAT_NGRAM),  # freer word choice
)
# The built-in presets before repetition control (the benchmark compares against them).
BUILT_IN_BEFORE = {"Precise": (1.15, 0), "Balanced": (1.0, 0), "Creative": (1.0, 0)}


def to_json(presets: list[Preset]) -> str:
    return json.dumps([dataclasses.asdict(p) for p in presets], ensure_ascii=False)


def from_json(text: object) -> list[Preset]:
    """User presets from settings; anything malformed is skipped, never fatal."""
    try:
        items = json.loads(text) if isinstance(text, str) and text else []
    except ValueError:
        return []
    presets = []
    for item in items if isinstance(items, list) else []:
        try:
            preset = Preset(str(item["name"]), float(item["temperature"]), int(item["top_k"]),
                            float(item["top_p"]), float(item["repetition_penalty"]),
                            int(item.get("no_repeat_ngram_size", 0)))  # presets saved before it existed
        except (KeyError, TypeError, ValueError):
            continue
        if preset.name.strip() and _offered(TEMPERATURE, preset.temperature) and TOP_P.allows(preset.top_p) \
                and TOP_K.allows(preset.top_k) and _offered(NO_REPEAT_NGRAM_SIZE, preset.no_repeat_ngram_size):
            presets.append(preset)
    return presets


def _offered(option: NumberOption, value: float) -> bool:
    low, high = option.offered
    return low <= value <= high
