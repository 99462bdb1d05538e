"""How long learning a style will take, from counts alone (no torch: the window asks this)."""

from __future__ import annotations

# Training tokens per second, scaled to a 100M-parameter model (time grows with parameters x
# tokens). Measured with SmolLM2-135M on the shared 2-core CPU under load (one step of 2 x 256
# tokens in 20-21 s: ~34 tokens/s per 100M); an idle machine is faster, and the time limit caps it.
TOKENS_PER_SECOND_100M = 30.0
TOKENS_PER_WORD = 1.35
TRAIN_SHARE = 0.9


def approx_parameters(config) -> int:
    """A transformer's parameter count from its config (embeddings, attention, MLP)."""
    width = getattr(config, "hidden_size", None) or getattr(config, "n_embd", 0) or 0
    layers = getattr(config, "num_hidden_layers", None) or getattr(config, "n_layer", 0) or 0
    vocab = getattr(config, "vocab_size", 0) or 0
    inner = getattr(config, "intermediate_size", None) or getattr(config, "n_inner", None) or 4 * width
    mlp = (3 if getattr(config, "intermediate_size", None) else 2) * width * inner
    return int(vocab * width + layers * (4 * width * width + mlp))


def estimate_seconds(words: int, parameters: int, epochs: int = 3, minutes: float = 10.0) -> float:
    """Training time for `words` of text on a model of `parameters`, at most the time limit."""
    tokens = words * TOKENS_PER_WORD * TRAIN_SHARE * epochs
    seconds = tokens / (TOKENS_PER_SECOND_100M * 1e8 / max(parameters, 1))
    return min(seconds, minutes * 60.0)
