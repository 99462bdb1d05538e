"""Section `large_document`: a 5 MB mixed English and Chinese document in the editor.

- open: editor.load_text until the editor is painted;
- continue from its end: the GUI thread's context extraction (Editor.text_before),
  the engine's (encode_tail: only the tail is tokenised), and Continue pressed ->
  first text painted, with decode tokens/s as painted (the first Continue is
  cold; repeats reuse the engine's cache of that context), against the engine
  alone on the same context in the same rounds;
- keystroke -> paint latency while the document is open (QTest key clicks), and
  the longest GUI stall in the half second after typing (deferred word count).
"""

from __future__ import annotations

import random
import time

from ..engine.text.context import encode_tail
from .decode import engine_run
from .prompts import PASSAGE
from .stats import field, ratios, summary

CHINESE = (
    "今天天气真好，我想去公园散步。",
    "人工智能生成内容正在改变写作的方式。",
    "作者可以让模型继续写下去，然后决定保留哪些句子。",
    "窗外下着小雨，港口的灯一盏一盏地亮了起来。",
    "她把草稿又读了一遍，删掉了关于码头的那一句。",
    "写作大多是坐在椅子上不离开的功夫。",
    "祖父在市场广场拐角的小店里修理钟表。",
    "这封信要到最后一页才能打开。",
)


def make_document(size_bytes: int, seed: int = 0) -> str:
    """About size_bytes of UTF-8: paragraphs of English or Chinese sentences, some mixed."""
    rng = random.Random(seed)
    english = [s.strip() + "." for s in PASSAGE.replace("\n", " ").split(".") if s.strip()]
    parts, total = [], 0
    while total < size_bytes:
        kind = rng.random()
        if kind < 0.45:
            paragraph = " ".join(rng.choice(english) for _ in range(rng.randint(3, 7)))
        elif kind < 0.8:
            paragraph = "".join(rng.choice(CHINESE) for _ in range(rng.randint(3, 8)))
        else:
            paragraph = " ".join(rng.choice(english) + rng.choice(CHINESE) for _ in range(rng.randint(2, 4)))
        parts.append(paragraph)
        total += len(paragraph.encode("utf-8")) + 2
    text = "\n\n".join(parts)
    data = text.encode("utf-8")[:size_bytes]
    return data.decode("utf-8", "ignore")


def run(ctx) -> dict:
    args = ctx.args
    lm = ctx.loaded
    editor = ctx.editor
    n = args.new_tokens
    opens = [editor.load_large_document(args.large_doc_bytes) for _ in range(args.repeats)]
    keys = editor.keystroke_latency(max(5, 3 * args.repeats))
    after_typing = editor.idle_heartbeat(0.5)
    before, tails = [], []
    for _ in range(args.repeats):
        extracted = editor.context()
        before.append(extracted["seconds"])
        context = extracted["text"]
        started = time.perf_counter()
        ids = encode_tail(lm.tokenizer, context, lm.window - n, lm.prefix_ids)
        tails.append(time.perf_counter() - started)
    continues, engine = [], []
    for _ in range(args.repeats):
        continues.append(editor.continue_run(None, n))
        # The engine alone on the same context (cold), for what the editor adds with this document open.
        engine.append(engine_run(ctx.backend, context, n))
    editor.reject()
    return {
        "bytes": opens[0]["bytes"],
        "characters": opens[0]["characters"],
        "open_s": summary(o["open_s"] for o in opens),
        "text_before_s": summary(before),
        "encode_tail_s": summary(tails),
        "context_tokens": len(ids),
        # The first Continue starts cold; the engine reuses its cache for the same context afterwards.
        "continue_ttft_s": summary([continues[0]["ttft_s"]]),
        "continue_ttft_cached_s": summary(r["ttft_s"] for r in continues[1:]),
        "continue_decode_tps": summary(r["decode_tps"] for r in continues),
        "engine_ttft_s": field(engine, "ttft_s"),
        "engine_decode_tps": field(engine, "decode_tps"),
        "editor_over_engine_decode": ratios(continues, engine, "decode_tps"),
        "key_to_paint_s": keys["key_to_paint_s"],
        "key_handled_s": keys["key_handled_s"],
        "after_typing_gap_max_ms": after_typing["gap_max_ms"],
    }
