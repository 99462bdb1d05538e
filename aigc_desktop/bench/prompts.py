"""Prompts of an exact number of tokens, cut from real prose at word boundaries.

The engine tokenises the context text itself, so a prompt is text whose
encoding has exactly the wanted length; the raw `model.generate` side gets the
same ids (from the engine's own `encode_tail`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..engine.text.context import encode_tail

PASSAGE = """\
The draft had been open on her desk since the first grey light of morning, and by noon it had grown by \
no more than a paragraph. She read it again, crossed out a sentence about the harbour, and wrote it back \
in almost the same words. Outside, the fishing boats came in one after another, their engines low and \
patient, and the gulls followed them in wide, complaining circles.

Writing, she had decided years ago, was mostly a matter of staying in the chair. The good days were not \
the days when the words came easily; they were the days when she kept working after they stopped. Her \
grandfather had repaired clocks in a shop on the corner of the market square, and she remembered how he \
would sit for an hour with a single wheel in his tweezers, turning it to the light, before he decided \
that it was not the wheel at all but the spring behind it.

In the afternoon the wind changed. It brought rain against the window in short, hard bursts, and the \
street below emptied. She made tea, stood by the stove while the kettle worked itself up to a whistle, \
and thought about the woman in her story, who was standing at a railway station in a town she did not \
know, holding a letter she had not yet opened. What would she do? Would she open it on the platform, \
with the train already in sight, or would she keep it in her coat until she reached the sea?

There are two kinds of patience, her grandfather used to say. One waits for the world to change; the \
other changes the way it waits. She had never been sure which kind he meant to recommend, and now, \
forty years later, she suspected that he had not been sure either. The letter, she decided, would stay \
closed until the last page. Readers could forgive a great deal, but not a secret given away too early.

By evening the rain had passed and the harbour lights were coming on, one by one, along the wall. She \
saved the file, printed the new pages, and read them aloud to the empty room, as she always did, \
listening for the places where her voice hesitated. Those were the places that would need another day.
"""

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Prompt:
    text: str
    ids: list[int]  # what the engine feeds the model for this text (prefix ids included)
    tokens: int  # text tokens (without prefix ids)


def exact_prompt(tokenizer, n_tokens: int, prefix_ids: tuple[int, ...] = (), passage: str = PASSAGE) -> Prompt:
    """Text that encodes to exactly n_tokens tokens when possible (else the closest found)."""
    passage = passage.strip()
    text = passage
    while len(tokenizer.encode(text, add_special_tokens=False)) < n_tokens + 16:
        text += "\n" + passage

    def count(piece: str) -> int:
        return len(tokenizer.encode(piece, add_special_tokens=False))

    starts = [0] + [m.end() for m in _SPACE.finditer(text)]
    ends = [m.start() for m in _SPACE.finditer(text)] + [len(text)]
    best = None
    for end in reversed(ends[-200:]):
        candidates = [s for s in starts if s < end]
        lo, hi = 0, len(candidates) - 1  # count decreases as the start moves right
        while lo <= hi:
            mid = (lo + hi) // 2
            piece = text[candidates[mid]:end]
            c = count(piece)
            if best is None or abs(c - n_tokens) < abs(best[0] - n_tokens):
                best = (c, piece)
            if c == n_tokens:
                return _prompt(tokenizer, piece, prefix_ids)
            if c > n_tokens:
                lo = mid + 1
            else:
                hi = mid - 1
    if best is None:
        raise ValueError("the passage has no words to make a prompt of")
    return _prompt(tokenizer, best[1], prefix_ids)


def rotated_passage(k: int, passage: str = PASSAGE) -> str:
    """The passage with its paragraphs rotated k places: other text, same kind of prose."""
    paragraphs = passage.strip().split("\n\n")
    k %= len(paragraphs)
    return "\n\n".join(paragraphs[k:] + paragraphs[:k])


def _prompt(tokenizer, text: str, prefix_ids: tuple[int, ...]) -> Prompt:
    # A budget larger than the text: encode_tail encodes all of it, exactly as a generation does.
    ids = encode_tail(tokenizer, text, len(text) + len(prefix_ids) + 1, prefix_ids)
    return Prompt(text=text, ids=ids, tokens=len(ids) - len(prefix_ids))
