"""Turning the user's text into the token ids the model sees.

Only the end of a long text matters: the model's window is small (1,024 tokens
for GPT-2) and a document can be megabytes. Tokenising just enough of the tail
keeps the cost proportional to the window, not to the document.
"""

from __future__ import annotations

import re

from .detokenizer import CJK_CHARACTERS

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


# Worst cases for a tokenizer we cannot run (a server's): byte-level BPE spends up to
# 3 tokens on a rare Chinese character and rarely fewer than 3 characters per token on
# other text. Over-estimating only sends a little less context than would fit.
_TOKENS_PER_CJK_CHAR, _CHARS_PER_OTHER_TOKEN = 3, 3


def estimated_tail(text: str, budget: int) -> str:
    """The end of text that surely fits `budget` tokens of an unknown tokenizer, cut at a word start."""

    cjk = re.compile(f"[{CJK_CHARACTERS}]")
    cost, start = 0.0, len(text)
    while start > 0:
        char = text[start - 1]
        cost += _TOKENS_PER_CJK_CHAR if cjk.match(char) else 1 / _CHARS_PER_OTHER_TOKEN
        if cost > budget:
            break
        start -= 1
    if start == 0:
        return text
    tail = text[start:]
    if not cjk.match(text[start - 1]) and not text[start - 1].isspace():
        # The cut fell inside a word (or a number): start at the next whole one, unless that loses everything.
        gap = re.search(r"\s", tail)
        if gap and gap.end() < len(tail):
            tail = tail[gap.end():]
    return tail
