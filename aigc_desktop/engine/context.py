"""Turning the user's text into the token ids the model sees.

Only the end of a long text matters: the model's window is small (1,024 tokens
for GPT-2) and a document can be megabytes. Tokenising just enough of the tail
keeps the cost proportional to the window, not to the document.
"""

from __future__ import annotations

# Generous characters-per-token first guess; doubled until the budget is covered.
_CHARS_PER_TOKEN_GUESS = 8


def context_window(config) -> int:
    """The model's maximum sequence length in tokens."""
    for name in ("n_positions", "max_position_embeddings", "n_ctx", "max_sequence_length"):
        value = getattr(config, name, None)
        if isinstance(value, int) and value > 0:
            return value
    return 1024


def encode_tail(tokenizer, text: str, budget: int, prefix_ids: tuple[int, ...] = ()) -> list[int]:
    """Token ids of (the rightmost part of) text, at most `budget` long including prefix_ids.

    prefix_ids (e.g. a BERT tokenizer's [CLS]) always stay at the front.
    """
    budget -= len(prefix_ids)
    if budget < 1:
        raise ValueError("the model's window is too small for this many new tokens.")
    chars = budget * _CHARS_PER_TOKEN_GUESS
    while True:
        cut = chars < len(text)
        rest = _after_first_word(tokenizer, text[-chars:]) if cut else None
        if rest is not None:
            # The slice may cut a word, and a word's tail can tokenize into several tokens
            # the whole word never has: start at the next word.
            ids = tokenizer.encode(rest, add_special_tokens=False)
        else:
            ids = tokenizer.encode(text[-chars:] if cut else text, add_special_tokens=False)
            if cut:
                # The first token may be half a word cut off by the slice: drop it.
                ids = ids[1:]
        if len(ids) >= budget or not cut:
            return list(prefix_ids) + ids[-budget:]
        chars *= 2


def _after_first_word(tokenizer, piece: str) -> str | None:
    """piece from its second word on (as the tokenizer splits words); None if it cannot tell."""
    pre_tokenizer = getattr(getattr(tokenizer, "backend_tokenizer", None), "pre_tokenizer", None)
    if pre_tokenizer is None:
        return None
    words = pre_tokenizer.pre_tokenize_str(piece)
    return piece[words[1][1][0]:] if len(words) > 1 else ""
