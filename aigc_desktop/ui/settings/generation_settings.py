"""Generation settings: what the editor asks the model for (defaults and ranges from engine/text/options.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...engine.text.options import (
    DEFAULT_MODEL,
    DEVICE_CHOICES,
    MAX_NEW_TOKENS,
    REPETITION_PENALTY,
    SERVER_TIMEOUT,
    SUGGESTED_NO_REPEAT_NGRAM,
    TEMPERATURE,
    TOP_K,
    TOP_P,
)

# The editor's own options (the generation options' defaults and ranges are in engine/text/options.py).
DEFAULT_CANDIDATES = 3  # per Continue, cycled with Alt+] / Alt+[
AUTO_SUGGEST_DELAY_RANGE = (100, 5000)
AUTO_SUGGEST_TOKENS_RANGE = (1, 64)


@dataclass
class GenerationSettings:
    model: str = DEFAULT_MODEL
    device: str = "auto"  # one of DEVICE_CHOICES, or cuda:N
    max_new_tokens: int = MAX_NEW_TOKENS.default
    temperature: float = TEMPERATURE.default
    top_k: int = TOP_K.default
    top_p: float = TOP_P.default
    repetition_penalty: float = REPETITION_PENALTY.default
    no_repeat_ngram_size: int = SUGGESTED_NO_REPEAT_NGRAM  # never repeat a run of this many tokens; 0: off
    seed: int | None = None  # None = random each run
    length_mode: str = "length"  # one of LENGTH_MODES: length (max new tokens) | sentence | paragraph
    stop_strings: tuple[str, ...] = ()  # also stop when one of these is written
    fast_mode: bool = True  # the fast runtime on the CPU: int8 in blocks of 16 (README: Performance)
    alternatives: int = DEFAULT_CANDIDATES
    auto_suggest: bool = False  # suggest while typing, after a pause
    auto_suggest_delay_ms: int = 800
    auto_suggest_tokens: int = 8
    use_server: bool = False  # continue with a model on an inference server instead of a local one
    server_url: str = ""  # e.g. http://127.0.0.1:8080 (llama.cpp), http://gpu-box:8000 (vLLM)
    server_model: str = ""  # blank: the server's first model
    server_timeout: float = SERVER_TIMEOUT.default


def is_device_choice(value: object) -> bool:
    """auto, cpu, cuda, mps, or one GPU of several: cuda:0, cuda:1, ..."""
    return isinstance(value, str) and (value in DEVICE_CHOICES or re.fullmatch(r"cuda:\d{1,2}", value) is not None)
