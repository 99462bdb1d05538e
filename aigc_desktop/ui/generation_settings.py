"""Generation settings: what the editor asks the model for, each field's default and the range the editor offers."""

from __future__ import annotations

import re
from dataclasses import dataclass

DEVICE_CHOICES = ("auto", "cpu", "cuda", "mps")  # same as engine.devices, which imports torch

# Allowed ranges, shared with the settings dialog. Stored values outside them are
# treated as garbage, so a hand-edited file cannot feed the engine a bad request.
MAX_NEW_TOKENS_RANGE = (1, 2048)
TEMPERATURE_RANGE = (0.0, 5.0)
TOP_K_RANGE = (0, 1000)
TOP_P_RANGE = (0.01, 1.0)
REPETITION_PENALTY_RANGE = (0.5, 3.0)
NO_REPEAT_NGRAM_RANGE = (0, 10)  # 0: off
SEED_RANGE = (0, 2**63 - 1)  # what the engine accepts
ALTERNATIVES_RANGE = (1, 5)
LENGTH_MODES = ("tokens", "sentence", "paragraph")
AUTO_SUGGEST_DELAY_RANGE = (100, 5000)
AUTO_SUGGEST_TOKENS_RANGE = (1, 64)


@dataclass
class GenerationSettings:
    model: str = "openai-community/gpt2"
    device: str = "auto"  # auto|cpu|cuda|mps
    max_new_tokens: int = 64
    temperature: float = 0.8
    top_k: int = 50
    top_p: float = 0.95
    repetition_penalty: float = 1.0
    no_repeat_ngram_size: int = 0  # never repeat a run of this many tokens; 0: off
    seed: int | None = None  # None = random each run
    length_mode: str = "tokens"  # tokens (max new tokens) | sentence | paragraph
    stop_strings: tuple[str, ...] = ()  # also stop when one of these is written
    fast_mode: bool = True  # the fast runtime on the CPU: int8 in blocks of 16 (README: Performance)
    alternatives: int = 3  # candidates per Continue, cycled with Alt+] / Alt+[
    auto_suggest: bool = False  # suggest while typing, after a pause
    auto_suggest_delay_ms: int = 800
    auto_suggest_tokens: int = 8
    use_server: bool = False  # continue with a model on an inference server instead of a local one
    server_url: str = ""  # e.g. http://127.0.0.1:8080 (llama.cpp), http://gpu-box:8000 (vLLM)
    server_model: str = ""  # blank: the server's first model
    server_timeout: float = 30.0


def is_device_choice(value: object) -> bool:
    """auto, cpu, cuda, mps, or one GPU of several: cuda:0, cuda:1, ..."""
    return isinstance(value, str) and (value in DEVICE_CHOICES or re.fullmatch(r"cuda:\d{1,2}", value) is not None)
