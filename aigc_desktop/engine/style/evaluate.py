"""What a style learned, said honestly: held-out perplexity before and after, and samples side by side."""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field

import torch

from .corpus import _CJK, _WORD, count_words

_WORD_OR_CJK = re.compile(f"{_CJK.pattern}|{_WORD.pattern}")

MAX_EVAL_BLOCKS = 48  # bounds the time evaluation takes on a long held-out text
PROMPTS = 3
PROMPT_WORDS = 24
SAMPLE_TOKENS = 40


@dataclass
class Sample:
    prompt: str
    without_style: str
    with_style: str


@dataclass
class Evaluation:
    perplexity_before: float
    perplexity_after: float
    held_out_tokens: int
    samples: list[Sample] = field(default_factory=list)

    @property
    def change(self) -> float:
        """Relative change of the held-out perplexity (-0.25: 25% lower, i.e. better)."""
        return self.perplexity_after / self.perplexity_before - 1.0

    def to_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        return (f"Held-out perplexity {self.perplexity_before:.2f} -> {self.perplexity_after:.2f} "
                f"({self.change:+.1%}) on {self.held_out_tokens:,} tokens the style never saw.")


def perplexity(model, blocks: torch.Tensor, batch: int = 4) -> float:
    """exp(mean token loss) over blocks ([n, length] token ids), at most MAX_EVAL_BLOCKS of them."""
    if len(blocks) == 0:
        return float("nan")
    blocks = blocks[:MAX_EVAL_BLOCKS]
    device = next(model.parameters()).device
    total, count = 0.0, 0
    with torch.inference_mode():
        for piece in torch.split(blocks, batch):
            ids = piece.to(device)
            loss = model(input_ids=ids, labels=ids).loss
            tokens = ids.shape[0] * (ids.shape[1] - 1)
            total += float(loss) * tokens
            count += tokens
    return math.exp(total / count)


def prompts_from(held_out: list[str], n: int = PROMPTS, words: int = PROMPT_WORDS) -> list[str]:
    """n prompts taken from the held-out text, spread through it, each its paragraph's first words."""
    text = "\n\n".join(held_out)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if count_words(p) >= 6]
    if len(paragraphs) >= n:
        picked = [paragraphs[i * len(paragraphs) // n] for i in range(n)]
    else:  # few paragraphs: start at n points spread through the words
        starts = [m.start() for m in _WORD_OR_CJK.finditer(text)]
        picked = [text[starts[i * len(starts) // n]:].strip() for i in range(n)] if starts else []
    out = []
    for paragraph in picked:
        ends = [m.end() for m in _WORD_OR_CJK.finditer(paragraph)]
        out.append(paragraph[: ends[min(words, len(ends)) - 1]] if ends else paragraph)
    return out


def continue_text(model, tokenizer, prompt: str, prefix_ids: tuple[int, ...] = (), seed: int = 0,
                  new_tokens: int = SAMPLE_TOKENS) -> str:
    """A sampled continuation (same seed with and without the style, so the difference is the style's)."""
    device = next(model.parameters()).device
    window = getattr(model.config, "n_positions", None) or getattr(model.config, "max_position_embeddings", 1024)
    ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    ids = list(prefix_ids) + ids[-max(window - new_tokens - len(prefix_ids), 1):]
    torch.manual_seed(seed)
    pad = getattr(tokenizer, "pad_token_id", None)
    eos = getattr(tokenizer, "eos_token_id", None)
    with torch.inference_mode():
        out = model.generate(input_ids=torch.tensor([ids], device=device), max_new_tokens=new_tokens,
                             do_sample=True, temperature=0.8, top_k=50, top_p=0.95,
                             pad_token_id=pad if pad is not None else eos)
    return tokenizer.decode(out[0, len(ids):], skip_special_tokens=True)


def evaluate(peft_model, tokenizer, held_blocks: torch.Tensor, held_out: list[str],
             prefix_ids: tuple[int, ...] = (), seed: int = 0) -> Evaluation:
    """Compare the model with its adapter switched off and on, on text the training never saw."""
    peft_model.eval()
    with peft_model.disable_adapter():
        before = perplexity(peft_model, held_blocks)
    after = perplexity(peft_model, held_blocks)
    samples = []
    for index, prompt in enumerate(prompts_from(held_out)):
        with peft_model.disable_adapter():
            plain = continue_text(peft_model, tokenizer, prompt, prefix_ids, seed + index)
        styled = continue_text(peft_model, tokenizer, prompt, prefix_ids, seed + index)
        samples.append(Sample(prompt, plain, styled))
    tokens = min(len(held_blocks), MAX_EVAL_BLOCKS) * max(held_blocks.shape[1] - 1, 0) if len(held_blocks) else 0
    return Evaluation(before, after, tokens, samples)
