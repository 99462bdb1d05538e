"""The writer's text a style learns from: read with bounds, counted, split 90/10.

Only plain text (.txt, .md) is read, as UTF-8; what a style keeps of it is each
file's name, size, word count and SHA-256, never the text itself.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .errors import StyleError

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
MIN_WORDS = 1000  # below this a held-out tenth is too small to say anything
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_TOTAL_BYTES = 64 * 1024 * 1024
MAX_FILES = 5000
HELD_OUT_SHARE = 0.10

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")
_WORD = re.compile(r"[^\s\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]+")
_BETWEEN_WORDS = re.compile(r"[\s\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")
_SLICE = 1 << 16  # characters counted at a time


def count_words(text: str) -> int:
    """Words as a reader counts them: runs of non-space letters, and each CJK character.

    Counted in slices cut where no word continues, yielding the GIL between them: a
    regex over megabytes would hold it, and the window's thread with it, for the whole count.
    """
    words, start = 0, 0
    while start < len(text):
        end = start + _SLICE
        if end < len(text):
            cut = _BETWEEN_WORDS.search(text, end)
            end = cut.start() if cut else len(text)
        piece = text[start:end]
        words += len(_CJK.findall(piece)) + len(_WORD.findall(piece))
        start = end
        time.sleep(0)  # let other threads (the window's) run
    return words


@dataclass(frozen=True)
class Document:
    name: str  # the file's name (or "this document"): shown, and kept in the style
    text: str
    sha256: str
    words: int

    @classmethod
    def from_text(cls, name: str, text: str) -> "Document":
        return cls(name, text, hashlib.sha256(text.encode("utf-8")).hexdigest(), count_words(text))

    def record(self) -> dict:
        """What a style keeps about this document (no text)."""
        return {"name": self.name, "sha256": self.sha256, "words": self.words,
                "characters": len(self.text)}


@dataclass(frozen=True)
class Corpus:
    documents: tuple[Document, ...]

    @property
    def words(self) -> int:
        return sum(d.words for d in self.documents)

    def records(self) -> list[dict]:
        return [d.record() for d in self.documents]

    def fingerprint(self) -> str:
        """Identifies this exact text, so a checkpoint is only resumed on the same data."""
        return hashlib.sha256("\n".join(sorted(d.sha256 for d in self.documents)).encode()).hexdigest()

    def check_enough(self, minimum: int = MIN_WORDS) -> None:
        if self.words < minimum:
            raise StyleError(
                f"Only {self.words:,} words of text: learning a style needs at least {minimum:,} words "
                "(about four pages); add more of the writer's drafts."
            )

    def split(self, held_out: float = HELD_OUT_SHARE) -> tuple[list[str], list[str]]:
        """(training texts, held-out texts): the last tenth of each document is held out.

        The tail, not random pieces: held-out text the model never saw a neighbour of
        makes the before/after perplexity honest.
        """
        train, held = [], []
        for doc in self.documents:
            cut = _boundary_near(doc.text, int(len(doc.text) * (1 - held_out)))
            if doc.text[:cut].strip():
                train.append(doc.text[:cut])
            if doc.text[cut:].strip():
                held.append(doc.text[cut:])
        return train, held


def _boundary_near(text: str, index: int) -> int:
    """The start of the paragraph, line or word nearest after index (index itself if none)."""
    for separator in ("\n\n", "\n", " "):
        found = text.find(separator, index)
        if found != -1 and found - index < 2000:
            return found + len(separator)
    return index


def collect_files(paths: Sequence[str | Path]) -> list[Path]:
    """The text files named, and those inside folders named (recursively, sorted)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES
                            and not any(part.startswith(".") for part in p.relative_to(path).parts))
            found.extend(inside)
        elif path.is_file():
            found.append(path)
        else:
            raise StyleError(f"{path} does not exist.")
        if len(found) > MAX_FILES:
            raise StyleError(f"More than {MAX_FILES:,} files: choose a smaller folder.")
    if not found:
        raise StyleError("No .txt or .md files were found in what was chosen.")
    return found


def read_corpus(paths: Sequence[str | Path]) -> Corpus:
    """Read every text file in paths (files or folders) as UTF-8, within size bounds."""
    documents, total = [], 0
    for path in collect_files(paths):
        if path.suffix.lower() not in TEXT_SUFFIXES:
            raise StyleError(f"{path.name} is not a .txt or .md file; only plain text can be learned from.")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise StyleError(f"{path.name} is larger than {MAX_FILE_BYTES // 2**20} MiB; split it or leave it out.")
        total += size
        if total > MAX_TOTAL_BYTES:
            raise StyleError(f"The files chosen add up to more than {MAX_TOTAL_BYTES // 2**20} MiB of text; "
                             "choose fewer.")
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise StyleError(f"Could not read {path.name}: {exc.strerror or exc}.") from None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise StyleError(f"{path.name} is not UTF-8 text; save it as UTF-8 and try again.") from None
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if text.strip():
            documents.append(Document.from_text(path.name, text))
    return Corpus(tuple(documents))
