"""What the user asks for: one continuation of some text."""

from __future__ import annotations

from dataclasses import dataclass, field

from .options import (
    ALTERNATIVES,
    LENGTH_MODES,
    MAX_NEW_TOKENS,
    NO_REPEAT_NGRAM_SIZE,
    REPETITION_PENALTY,
    SEED_RANGE,
    TEMPERATURE,
    TOP_K,
    TOP_P,
)

# Below this, sampling is greedy in all but name, and dividing the logits by the temperature
# overflows (to inf, then NaN probabilities): such temperatures mean greedy.
GREEDY_BELOW = 1e-3


@dataclass(frozen=True)
class ContinuationRequest:
    context: str
    max_new_tokens: int = MAX_NEW_TOKENS.default
    temperature: float = TEMPERATURE.default  # 0 (or anything below GREEDY_BELOW) means greedy
    top_k: int = TOP_K.default  # 0 disables
    top_p: float = TOP_P.default  # 1.0 disables
    repetition_penalty: float = REPETITION_PENALTY.default  # 1.0 disables
    no_repeat_ngram_size: int = NO_REPEAT_NGRAM_SIZE.default  # 0 disables
    seed: int | None = None  # None: a fresh random seed each run
    stop_sequences: tuple[str, ...] = field(default_factory=tuple)
    stop_at: str = "length"  # or "sentence" / "paragraph" (LENGTH_MODES)
    alternatives: int = ALTERNATIVES.default  # candidates generated together; the first one streams
    # Per-token probabilities and alternatives wanted (the probability view). The local engine
    # has them for free; a server may not (llama-cpp-python decodes at half speed with them).
    probabilities: bool = True

    @property
    def greedy(self) -> bool:
        return self.temperature < GREEDY_BELOW

    def validate(self) -> None:
        """Raise ValueError with a message a user can act on."""
        if not self.context or not self.context.strip():
            raise ValueError("There is no text to continue: the context is empty.")
        if not MAX_NEW_TOKENS.allows(self.max_new_tokens):
            raise ValueError(f"max new tokens must be between {MAX_NEW_TOKENS.low} and {MAX_NEW_TOKENS.high}.")
        if not TEMPERATURE.allows(self.temperature):  # also refuses NaN, as every check here
            raise ValueError(f"temperature must be between {TEMPERATURE.low:g} and {TEMPERATURE.high:g} "
                             "(0 means greedy).")
        if not TOP_K.allows(self.top_k):
            raise ValueError("top-k must be 0 (off) or a positive number.")
        if not TOP_P.allows(self.top_p):
            raise ValueError(f"top-p must be greater than {TOP_P.low:g} and at most {TOP_P.high:g}.")
        if not REPETITION_PENALTY.allows(self.repetition_penalty):
            raise ValueError(f"repetition penalty must be greater than {REPETITION_PENALTY.low:g} (1 means off).")
        if not NO_REPEAT_NGRAM_SIZE.allows(self.no_repeat_ngram_size):
            raise ValueError("no-repeat n-gram size must be 0 (off) or positive.")
        if self.seed is not None and not SEED_RANGE[0] <= self.seed <= SEED_RANGE[1]:
            raise ValueError("seed must be a non-negative integer.")
        if self.stop_at not in LENGTH_MODES:
            raise ValueError(f"stop_at must be one of {', '.join(LENGTH_MODES)}.")
        if not ALTERNATIVES.allows(self.alternatives):
            raise ValueError(f"alternatives must be between {ALTERNATIVES.low} and {ALTERNATIVES.high}.")
        if any(not s for s in self.stop_sequences):
            raise ValueError("stop sequences must not be empty strings.")
