"""The document's raw text and the user's text: how QTextDocument stores newlines (U+2029), NUL
kept out, and UTF-16-LE bytes so that positions match Qt's UTF-16 positions (see editor.py's mirror)."""

from __future__ import annotations

_PARAGRAPH = "\u2029"  # how QTextDocument stores a newline


def to_document(text: str) -> str:
    # A NUL (from a paste, a server or an old recovery file) becomes U+FFFD, one UTF-16 unit like
    # it: a file holding NUL bytes is refused as binary on opening, and it must not be one we saved.
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")


def to_raw(text: str) -> str:
    return to_document(text).replace("\n", _PARAGRAPH)


def to_plain(raw: str) -> str:
    return raw.replace(_PARAGRAPH, "\n").replace("\u2028", "\n")


def encode(text: str) -> bytes:
    """UTF-16-LE: two bytes per Qt position."""
    return text.encode("utf-16-le", "surrogatepass")


def decode(data: bytes) -> str:
    return data.decode("utf-16-le", "surrogatepass")
