"""Word and character counts for the status bar (pure Python, no Qt).

Counting follows what Word and LibreOffice show: alphabetic scripts count runs of
letters/digits as words, while CJK text (which has no spaces) counts every
ideograph, kana or hangul character as one word. Characters are the
non-whitespace characters, one by one.
"""

from __future__ import annotations

import functools
import re
import sys
import time
import unicodedata

# Han ideographs (with extensions and compatibility forms), the 々/〇 marks, kana and
# hangul. Each of these characters is one word.
_CJK_RE = re.compile(
    "["
    "\u3005\u3007"  # 々 iteration mark, 〇 ideographic zero
    "\u3041-\u3096\u309d-\u309f"  # hiragana
    "\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff\uff66-\uff9d"  # katakana, not the ・ middle dot
    "\u1100-\u11ff\u3131-\u318e\uac00-\ud7af"  # hangul jamo and syllables
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs
    "\U00020000-\U0003134f"  # CJK extensions B..G
    "]"
)

# A run of letters/digits. Inside it, apostrophes, hyphens and underscores join letters
# ("don't", "well-known", "snake_case"), and "." or "," join digits ("3.14", "1,000").
_WORD_RE = re.compile(r"[^\W_]+(?:(?:['\u2019\-\u2010\u2011_]|(?<=\d)[.,](?=\d))[^\W_]+)*")
_SPACE_RE = re.compile(r"\s")

_SKIN_TONES = range(0x1F3FB, 0x1F400)  # emoji modifiers: part of the emoji before them


@functools.cache
def _tables() -> tuple[dict[int, str | None], dict[int, str | None]]:
    """str.translate tables (built on first use, ~0.1 s, so imports stay fast)."""
    for_words: dict[int, str | None] = {}
    for_chars: dict[int, str | None] = {cp: None for cp in _SKIN_TONES}
    for cp in range(sys.maxunicode + 1):
        category = unicodedata.category(chr(cp))
        if category in ("Mn", "Mc", "Me"):
            # Combining marks are not str.isalnum() but belong to the letter before
            # them ("cafe\u0301", Devanagari vowel signs): drop them so words stay whole.
            for_words[cp] = None
        elif category == "Cf":
            # Invisible format characters (zero-width space/joiner, BOM) separate words.
            for_words[cp] = " "
        if category in ("Mn", "Me", "Cf"):
            # These take no place of their own (accents, emoji variation selector, ZWJ).
            for_chars[cp] = None
    return for_words, for_chars


def count_words_and_chars(text: str) -> tuple[int, int]:
    """Return (words, characters) for text; characters exclude whitespace."""
    for_words, for_chars = _tables()

    # Count CJK characters as words, then blank them so that "abc中文def" leaves
    # "abc" and "def" as two separate alphabetic words.
    rest, cjk_words = _CJK_RE.subn(" ", text.translate(for_words))
    words = cjk_words + len(_WORD_RE.findall(rest))

    visible = text.translate(for_chars)
    chars = len(visible) - len(_SPACE_RE.findall(visible))
    return words, chars


def count_in_slices(text: str, slice_size: int = 65536) -> tuple[int, int]:
    """count_words_and_chars in pieces cut at whitespace (no word spans one), yielding the GIL
    between pieces: a helper thread counting a long document never holds the window up."""

    words = chars = 0
    start = 0
    while start < len(text):
        end = min(len(text), start + slice_size)
        while end < len(text) and not text[end].isspace():
            end += 1  # never cut a word in two
        w, c = count_words_and_chars(text[start:end])
        words, chars = words + w, chars + c
        start = end
        time.sleep(0)  # let the GUI thread run
    return words, chars
