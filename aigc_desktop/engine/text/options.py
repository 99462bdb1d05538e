"""Generation options as data: each option's default, the range a request may hold, and the range the editor offers.

One place for each: ContinuationRequest's defaults and validation, the CLI's defaults and the
editor's settings (stored values, the Settings dialog) all read them from here. The editor offers
a narrower range than a request may hold where a wider one only invites mistakes (4,096 new tokens
in an editor, a temperature of 10).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

Number = TypeVar("Number", int, float)


@dataclass(frozen=True)
class NumberOption(Generic[Number]):
    default: Number
    low: Number  # the least a request may hold (see `low_open`)
    high: Number | None  # the most a request may hold; None: no limit
    # What the editor's Settings dialog offers; a stored value outside it counts as garbage, so a
    # hand-edited settings file cannot feed the engine a bad request.
    offered: tuple[Number, Number]
    low_open: bool = False  # low itself is not allowed (top-p, the repetition penalty)

    def allows(self, value: Number) -> bool:
        """value is within what a request may hold (NaN never is)."""
        above = value > self.low if self.low_open else value >= self.low
        return above and (self.high is None or value <= self.high)


MAX_NEW_TOKENS = NumberOption(64, 1, 4096, offered=(1, 2048))
TEMPERATURE = NumberOption(0.8, 0.0, 10.0, offered=(0.0, 5.0))  # 0: greedy
TOP_K = NumberOption(50, 0, None, offered=(0, 1000))  # 0: off
TOP_P = NumberOption(0.95, 0.0, 1.0, offered=(0.01, 1.0), low_open=True)  # 1: off
REPETITION_PENALTY = NumberOption(1.0, 0.0, None, offered=(0.5, 3.0), low_open=True)  # 1: off
NO_REPEAT_NGRAM_SIZE = NumberOption(0, 0, None, offered=(0, 10))  # 0: off, a request's default
# What the editor's presets and `continue` use: never repeat a run of 4 tokens. On SmolLM2-135M that
# removed every visible loop at the smallest cost in perplexity (README, "Repetition").
SUGGESTED_NO_REPEAT_NGRAM = 4
SEED_RANGE = (0, 2**63 - 1)  # what torch's generator takes; no seed: a fresh one each run
ALTERNATIVES = NumberOption(1, 1, 5, offered=(1, 5))  # candidates per run (the editor asks for 3)
SERVER_TIMEOUT = NumberOption(30.0, 0.0, None, offered=(1.0, 600.0), low_open=True)  # seconds

# Where a run stops besides max_new_tokens: the editor's Length setting and `continue --stop-at`.
LENGTH_MODES = ("length", "sentence", "paragraph")

DEFAULT_MODEL = "openai-community/gpt2"
DEVICE_CHOICES = ("auto", "cpu", "cuda", "mps")  # engine/local/devices.py turns one into a torch device
