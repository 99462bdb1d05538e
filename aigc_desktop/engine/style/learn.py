"""Learning a named style end to end: text in, checked, trained, evaluated, saved.

The model given is trained in place (adapter layers injected): load one for this
alone. The style appears in the store only when all went well; a failure or a
Cancel leaves the base model files and every other style untouched.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..text.stop_flag import StopFlag
from .apply import describe_base
from .corpus import Corpus
from .errors import StyleError
from .evaluate import Evaluation, evaluate
from .pause_flag import PauseFlag
from .store import ADAPTER_FILE, Style, StyleStore, check_name
from .training import (
    TrainingProgress,
    TrainingResult,
    TrainingSettings,
    lora_targets,
    token_blocks,
    train_adapter,
)


@dataclass
class LearnOutcome:
    style: Style | None  # None when cancelled (a checkpoint is kept; learning again resumes)
    training: TrainingResult
    evaluation: Evaluation | None


def training_dir(store: StyleStore, name: str) -> Path:
    return store.root / ".training" / check_name(name)


def learn_style(loaded, corpus: Corpus, name: str, store: StyleStore, settings: TrainingSettings | None = None,
                stop: StopFlag | None = None, progress: Callable[[TrainingProgress], None] | None = None,
                replace: bool = False, pause: PauseFlag | None = None) -> LearnOutcome:
    settings = settings or TrainingSettings()
    name = check_name(name)
    if store.exists(name) and not replace:
        raise StyleError(f"A style called '{name}' already exists; choose another name.")
    corpus.check_enough()
    lora_targets(loaded.model)  # an unsupported model says so before any work
    base = describe_base(loaded)
    tokenizer, prefix = loaded.tokenizer, tuple(loaded.prefix_ids)
    eos = getattr(tokenizer, "eos_token_id", None)
    block = min(settings.block_tokens, loaded.window)
    train_texts, held_texts = corpus.split()
    train_blocks = token_blocks(tokenizer, train_texts, block, prefix, eos)
    held_blocks = token_blocks(tokenizer, held_texts, block, prefix, eos)
    if len(train_blocks) == 0 or len(held_blocks) == 0:
        raise StyleError(f"Only {corpus.words:,} words of text: learning a style needs more "
                         "(at least a few pages); add more of the writer's drafts.")
    workdir = training_dir(store, name)
    key = {"base": {k: base[k] for k in ("model_type", "vocab", "width", "layers", "probe")},
           "data": corpus.fingerprint(), "block": block}
    peft_model, result = train_adapter(loaded.model, train_blocks, settings, workdir, key, stop, progress,
                                       pause=pause)
    if result.cancelled:
        return LearnOutcome(None, result, None)
    evaluation = evaluate(peft_model, tokenizer, held_blocks, held_texts, prefix, settings.seed)
    from peft import LoraConfig, get_peft_model_state_dict
    from safetensors.torch import save_file

    config = peft_model.peft_config["default"]
    if not isinstance(config, LoraConfig):  # train_adapter makes a LoRA adapter
        raise StyleError("The adapter is not a LoRA adapter.")
    targets = config.target_modules  # training names them (a set); peft also allows a pattern
    targets = [targets] if isinstance(targets, str) else sorted(targets or ())
    staging = store.staging()
    try:
        weights = {k: v.detach().cpu().contiguous() for k, v in get_peft_model_state_dict(peft_model).items()}
        save_file(weights, str(staging / ADAPTER_FILE))
        config.save_pretrained(str(staging))
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise StyleError(f"Could not save the style '{name}': {exc.strerror or exc}.") from None
    style = Style(
        name=name,
        base=base,
        lora={"targets": targets, "fan_in_fan_out": bool(config.fan_in_fan_out),
              "rank": int(config.r), "alpha": config.lora_alpha},
        data={"files": corpus.records(), "words": corpus.words, "train_tokens": int(train_blocks.numel()),
              "held_out_tokens": int(held_blocks.numel())},
        settings=settings.to_dict(),
        training={"steps": result.steps, "total_steps": result.total_steps, "seconds": round(result.seconds, 1),
                  "losses": [round(x, 4) for x in result.losses], "micro_batch": result.micro_batch,
                  "resumed_from": result.resumed_from},
        evaluation=evaluation.to_dict(),
    )
    style = store.add(style, staging, replace=replace)
    shutil.rmtree(workdir, ignore_errors=True)  # the checkpoint is not needed once the style is saved
    return LearnOutcome(style, result, evaluation)
