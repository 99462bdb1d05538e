"""Turning the user's text into the token ids the model sees.

Only the end of a long text matters: the model's window is small (1,024 tokens
for GPT-2) and a document can be megabytes. Tokenising just enough of the tail
keeps the cost proportional to the window, not to the document.
"""

from __future__ import annotations

import re

# Generous characters-per-token first guess; doubled until the budget is covered.
_CHARS_PER_TOKEN_GUESS = 8
# A space or newline before a word: tokenizers start a fresh word there.
_WORD_START = re.compile(r"\s(?=\S)")


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
        piece = text[-chars:] if cut else text
        if cut:
            # Cut at a word start when the first half of the slice has one: the tail of a word
            # can tokenize into several tokens the whole word never has.
            start = _WORD_START.search(piece, 0, len(piece) // 2)
            if start:
                piece = piece[start.start():]
        ids = tokenizer.encode(piece, add_special_tokens=False)
        if cut:
            # The first token may be half a word (or character) cut off by the slice: drop it.
            ids = ids[1:]
        if len(ids) >= budget or not cut:
            return list(prefix_ids) + ids[-budget:]
        chars *= 2
