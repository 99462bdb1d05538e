"""The engine's and document_io's messages in the interface's language.

The engine stays free of Qt and writes plain English sentences (the CLI prints them). Each
sentence shape below is a translatable message id, with %s where the engine puts a
parameter (a path, a model id, a nested reason; engine_templates.py lists them); localize()
recognises the shape, translates it, and puts the same parameters back, translating nested
messages too. A sentence the engine appends to another (a server's own words, the models it
offers) is taken off the end first; sentences joined by a space are translated one by one.
A sentence with no known shape is shown as it is. tests/test_engine_text.py and
tests/test_engine_text_server.py raise the real errors and check that each is recognised.
"""

from __future__ import annotations

import re
from functools import lru_cache

from PySide6.QtCore import QCoreApplication

from .engine_templates import TAILS, TEMPLATES

CONTEXT = "EngineMessages"
_SENTENCE_END = re.compile(r"(?<=[.!?…\"”)]) ")  # where a second sentence may start
_FULLWIDTH_END = ("。", "！", "？", "”", "）", "…")


def _compiled(template: object, prefix: str = "") -> re.Pattern:
    pattern = re.escape(str(template)).replace("%s", "(.+?)")  # str(): the NOOP is typed as object
    return re.compile(f"^{prefix}{pattern}$", re.S)


@lru_cache(maxsize=None)
def _patterns() -> tuple[tuple[re.Pattern, str, str], ...]:
    out = [(_compiled(template), CONTEXT, str(template)) for template in dict.fromkeys(TEMPLATES)]
    # The most specific shape first: "Could not load model '%s': its tokenizer is missing…" before
    # "Could not load model '%s': %s", and "Could not read “%s”: %s." before "Could not read %s: %s".
    out.sort(key=lambda item: -len(item[2].replace("%s", "")))
    return tuple(out)


@lru_cache(maxsize=None)
def _tails() -> tuple[tuple[re.Pattern, str], ...]:
    """(head, then the tail after one space) for each tail: the head as short as the text allows."""
    return tuple((_compiled(tail, r"(.+?[.!?…\"”)]) "), str(tail)) for tail in TAILS)


def _translate(template: str, parts: list[str]) -> str:
    translated = QCoreApplication.translate(CONTEXT, template)
    return translated % tuple(parts) if parts else translated


def _join(head: str, tail: str) -> str:
    """Two sentences: a space between English ones, none after a full-width stop."""
    return head + tail if head.endswith(_FULLWIDTH_END) else f"{head} {tail}"


def _whole(text: str) -> str | None:
    """text translated when its whole shape is known; else None."""
    for pattern, _context, template in _patterns():
        match = pattern.match(text)
        if match is not None:  # a parameter in straight quotes is a server's own words: kept as they are
            groups = match.groups()
            return _translate(template, list(groups) if '"%s"' in template else [localize(g) for g in groups])
    return None


def localize(text: str) -> str:
    """text in the interface's language when its shape is known; else text as it is."""
    if not text:
        return text
    lines = text.split("\n")
    if len(lines) > 1:
        return "\n".join(localize(line) for line in lines)
    for pattern, tail in _tails():  # before the whole text: "… answered %s." would swallow a tail
        match = pattern.match(text)
        if match is not None:
            head, *parts = match.groups()
            if tail.startswith("Fast mode"):  # its reason may be a known shape; a server's words are kept
                parts = [localize(part) for part in parts]
            return _join(localize(head), _translate(tail, parts))
    whole = _whole(text)
    if whole is not None:
        return whole
    # Sentences joined by a space (a load's notices): the first split after which the rest is known.
    for boundary in _SENTENCE_END.finditer(text):
        rest = _whole(text[boundary.end():])
        if rest is not None:
            return _join(localize(text[:boundary.start()]), rest)
    return text
