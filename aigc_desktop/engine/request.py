"""What the user asks for: one continuation of some text."""

from __future__ import annotations

from dataclasses import dataclass, field

STOP_AT_CHOICES = ("length", "sentence", "paragraph")
# Below this, sampling is greedy in all but name, and dividing the logits by the temperature
# overflows (to inf, then NaN probabilities): such temperatures mean greedy.
GREEDY_BELOW = 1e-3


@dataclass(frozen=True)
class ContinuationRequest:
    context: str
    max_new_tokens: int = 64
    temperature: float = 0.8  # 0 (or anything below GREEDY_BELOW) means greedy
    top_k: int = 50  # 0 disables
    top_p: float = 0.95  # 1.0 disables
    repetition_penalty: float = 1.0  # 1.0 disables
    no_repeat_ngram_size: int = 0  # 0 disables
    seed: int | None = None  # None: a fresh random seed each run
    stop_sequences: tuple[str, ...] = field(default_factory=tuple)
    stop_at: str = "length"  # or "sentence" / "paragraph"
    alternatives: int = 1  # candidates generated together; the first one streams
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
        if not 1 <= self.max_new_tokens <= 4096:
            raise ValueError("max new tokens must be between 1 and 4096.")
        if not 0 <= self.temperature <= 10:
            raise ValueError("temperature must be between 0 and 10 (0 means greedy).")
        if self.top_k < 0:
            raise ValueError("top-k must be 0 (off) or a positive number.")
        if not 0 < self.top_p <= 1:
            raise ValueError("top-p must be greater than 0 and at most 1.")
        if not self.repetition_penalty > 0:  # also refuses NaN
            raise ValueError("repetition penalty must be greater than 0 (1 means off).")
        if self.no_repeat_ngram_size < 0:
            raise ValueError("no-repeat n-gram size must be 0 (off) or positive.")
        if self.seed is not None and not 0 <= self.seed < 2**63:
            raise ValueError("seed must be a non-negative integer.")
        if self.stop_at not in STOP_AT_CHOICES:
            raise ValueError(f"stop_at must be one of {', '.join(STOP_AT_CHOICES)}.")
        if not 1 <= self.alternatives <= 5:
            raise ValueError("alternatives must be between 1 and 5.")
        if any(not s for s in self.stop_sequences):
            raise ValueError("stop sequences must not be empty strings.")
