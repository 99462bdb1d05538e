"""ui/window/text_stats.py: counting words and characters (English words, CJK characters, slices)."""

from __future__ import annotations

import pytest

from aigc_desktop.ui.window.text_stats import count_words_and_chars


@pytest.mark.parametrize(
    ("text", "words", "chars"),
    [
        ("", 0, 0),
        ("   \n\t\u3000 ", 0, 0),  # includes the ideographic space
        ("Hello world", 2, 10),
        ("The quick brown fox.", 4, 17),
        ("don't stop the well-known rock-and-roll", 5, 35),
        ("It\u2019s fine", 2, 8),  # typographic apostrophe
        ("— ... !! ?", 0, 7),  # punctuation alone is not a word
        ("pi is 3.14, about 1,000 tries", 6, 24),
        ("今天天气很好", 6, 6),
        ("今天天气很好。", 6, 7),  # the full stop is a character, not a word
        ("Hello, world! 今天天气", 6, 16),
        ("abc中文def", 4, 8),  # CJK splits the Latin runs around it
        ("こんにちは、世界！", 7, 9),  # kana and kanji
        ("한국어 텍스트", 6, 6),  # hangul
        ("cafe\u0301 na\u00efve", 2, 9),  # a combining accent stays in its word
        ("👍", 0, 1),
        ("Nice 👍🏽 ❤️ 👨\u200d👩\u200d👧!", 1, 10),  # modifiers, VS16 and ZWJ take no place
        ("foo\u200bbar", 2, 6),  # a zero-width space separates words
    ],
)
def test_count_words_and_chars(text, words, chars):
    assert count_words_and_chars(text) == (words, chars)


def test_count_words_and_chars_multiline_mixed_document():
    text = "第一段：AI 写作。\n\nSecond paragraph, with 2 numbers: 42 and 7.\n"
    # Words: 第一段 (3) + AI (1) + 写作 (2) + Second paragraph with 2 numbers 42 and 7 (8).
    # Characters: "第一段：AI" 6 + "写作。" 3 + 36 in the English sentence.
    assert count_words_and_chars(text) == (14, 45)
def test_counting_in_slices_equals_counting_at_once():
    from aigc_desktop.ui.window.text_stats import count_in_slices, count_words_and_chars

    text = ("Don't split well-known words 今天天气真好，我想去公园散步。 3.14 e.g. 😀\n" * 3000)
    assert count_in_slices(text, slice_size=97) == count_words_and_chars(text)
    assert count_in_slices("") == (0, 0)
