"""How much of a suggestion Ctrl+Right (a word) and Ctrl+Shift+Right (a line) take.

Chinese and Japanese have no spaces between words, so there a "word" is one
character, as in other editors without a segmenter.
"""

from __future__ import annotations

import re

from ...engine.text.detokenizer import CJK_CHARACTERS

_NEXT_WORD = re.compile(
    rf"\s*(?:[{CJK_CHARACTERS}]|[^\W_{CJK_CHARACTERS}]+(?:['’\-][^\W_{CJK_CHARACTERS}]+)*|[^\w\s]+|_+)",
)


def next_word(text: str) -> str:
    """The leading whitespace plus the first word (or CJK character, or run of punctuation)."""
    match = _NEXT_WORD.match(text)
    return match.group(0) if match else text


def next_line(text: str) -> str:
    """Up to and including the next line break (the whole text when there is none)."""
    cut = text.find("\n")
    return text if cut == -1 else text[: cut + 1]
