"""Training a LoRA adapter (peft) on a loaded model: stoppable, resumable, bounded in time.

The model passed in is changed (peft injects adapter layers into it): give this a
model loaded for training alone, never the one the editor generates with, so a
failed or cancelled training cannot touch what the user is writing with.

A checkpoint (adapter, optimiser state and position in the data, one safetensors
file written atomically) is kept at least every `checkpoint_seconds`, so Cancel or
a crash loses at most that much training.
"""

from __future__ import annotations

import errno
import json
import math
import os
import time
from pathlib import Path
from typing import Callable

import torch

from ..text.stop_flag import StopFlag
from .errors import StyleError
from .pause_flag import PauseFlag
from .training_settings import TrainingProgress, TrainingResult, TrainingSettings

CHECKPOINT_FILE = "checkpoint.safetensors"
_WARMUP_STEPS = 4

# Module names LoRA adapts, per family: every attention and MLP projection.
GPT2_TARGETS = ("c_attn", "c_proj", "c_fc")  # transformers' Conv1D, weight stored [in, out]
LLAMA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


def lora_targets(model: torch.nn.Module) -> tuple[tuple[str, ...], bool]:
    """(module names to adapt, fan_in_fan_out) for this model, or StyleError when unsupported."""
    from transformers.pytorch_utils import Conv1D

    leaves: dict[str, type] = {}
    for name, module in model.named_modules():
        leaves.setdefault(name.rsplit(".", 1)[-1], type(module))
    if all(leaves.get(t) is Conv1D for t in GPT2_TARGETS):
        return GPT2_TARGETS, True
    if all(leaves.get(t) is torch.nn.Linear for t in LLAMA_TARGETS):
        return LLAMA_TARGETS, False
    model_type = getattr(getattr(model, "config", None), "model_type", None) or type(model).__name__
    if any("quantized" in kind.__module__ for kind in leaves.values()):
        raise StyleError(f"This '{model_type}' model is loaded in fast CPU (int8) mode, which cannot learn; "
                         "load it without fast CPU mode.")
    raise StyleError(f"Learning a style is not supported for '{model_type}' models: "
                     "GPT-2 and Llama-family models (such as SmolLM2) are.")


def lora_config(targets: tuple[str, ...], fan_in_fan_out: bool, settings: TrainingSettings):
    from peft import LoraConfig

    return LoraConfig(r=settings.rank, lora_alpha=settings.alpha, lora_dropout=settings.dropout,
                      target_modules=list(targets), fan_in_fan_out=fan_in_fan_out, bias="none",
                      task_type="CAUSAL_LM")


def token_blocks(tokenizer, texts: list[str], block_tokens: int, prefix_ids: tuple[int, ...] = (),
                 eos_id: int | None = None) -> torch.Tensor:
    """The texts as one token stream cut into [n, block_tokens] rows, each starting with prefix_ids.

    A last piece shorter than a quarter block is dropped (too little context to learn from).
    """
    stream: list[int] = []
    # One batch call: a fast tokenizer releases the GIL for a batch (not for a single text), so
    # tokenizing megabytes in the training thread never holds the window's thread up.
    encoded = tokenizer(list(texts), add_special_tokens=False, verbose=False)["input_ids"] if texts else []
    for ids in encoded:
        stream.extend(ids)
        if eos_id is not None:
            stream.append(eos_id)
    body = block_tokens - len(prefix_ids)
    rows = []
    for start in range(0, len(stream), body):
        piece = stream[start:start + body]
        if len(piece) < body and (len(piece) < body // 4 or rows):
            break
        rows.append(list(prefix_ids) + piece)
    if not rows:
        return torch.zeros((0, block_tokens), dtype=torch.long)
    width = max(len(r) for r in rows)
    return torch.tensor([r + [r[-1]] * (width - len(r)) for r in rows], dtype=torch.long)


def _is_out_of_memory(exc: BaseException) -> bool:
    if isinstance(exc, torch.OutOfMemoryError):
        return True
    text = str(exc).lower()
    return isinstance(exc, RuntimeError) and ("out of memory" in text or "can't allocate memory" in text)


class _Checkpoint:
    """One safetensors file: adapter, optimiser state, and where the training stood (as JSON metadata)."""

    def __init__(self, folder: Path, key: dict) -> None:
        self.path = folder / CHECKPOINT_FILE
        self.key = json.dumps(key, sort_keys=True)

    def save(self, model, optimizer, state: dict) -> None:
        from peft import get_peft_model_state_dict
        from safetensors.torch import save_file

        tensors = {f"adapter.{k}": v.detach().cpu().contiguous() for k, v in get_peft_model_state_dict(model).items()}
        saved = optimizer.state_dict()
        for index, values in saved["state"].items():
            for name, value in values.items():
                tensors[f"optimizer.{index}.{name}"] = torch.as_tensor(value).detach().cpu().contiguous()
        tensors["rng.cpu"] = torch.get_rng_state()  # the model's own dropout draws from it
        if torch.cuda.is_available():
            tensors["rng.cuda"] = torch.cuda.get_rng_state()
        metadata = {"key": self.key, "state": json.dumps(state),
                    "param_groups": json.dumps(saved["param_groups"])}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        staging = self.path.with_name(self.path.name + ".partial")
        try:
            save_file(tensors, str(staging), metadata=metadata)
            os.replace(staging, self.path)  # the old checkpoint stays whole until the new one is
        except OSError as exc:
            staging.unlink(missing_ok=True)
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise StyleError(f"The disk is full: the training checkpoint could not be saved in "
                                 f"{self.path.parent}. Free some space and train again to resume.") from None
            raise StyleError(f"Could not save the training checkpoint in {self.path.parent}: "
                             f"{exc.strerror or exc}.") from None

    def load(self, model, optimizer) -> dict | None:
        """Restore model and optimizer from a checkpoint made for this same training; its state, or None."""
        from peft import set_peft_model_state_dict
        from safetensors import safe_open

        if not self.path.is_file():
            return None
        try:
            with safe_open(str(self.path), framework="pt") as handle:
                metadata = handle.metadata() or {}
                if metadata.get("key") != self.key:
                    return None  # another model, other text or other settings: start afresh
                tensors = {name: handle.get_tensor(name) for name in handle.keys()}
            state = json.loads(metadata["state"])
            groups = json.loads(metadata["param_groups"])
        except (OSError, ValueError, KeyError, RuntimeError):
            return None  # a damaged checkpoint is no reason to fail: train from the start
        adapter = {k[len("adapter."):]: v for k, v in tensors.items() if k.startswith("adapter.")}
        set_peft_model_state_dict(model, adapter)
        per_param: dict[int, dict] = {}
        for name, value in tensors.items():
            if name.startswith("optimizer."):
                _, index, key = name.split(".", 2)
                per_param.setdefault(int(index), {})[key] = value
        optimizer.load_state_dict({"state": per_param, "param_groups": groups})
        if "rng.cpu" in tensors:
            torch.set_rng_state(tensors["rng.cpu"])
        if "rng.cuda" in tensors and torch.cuda.is_available():
            torch.cuda.set_rng_state(tensors["rng.cuda"])
        return state

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


def train_adapter(model, blocks: torch.Tensor, settings: TrainingSettings, workdir: Path, resume_key: dict,
                  stop: StopFlag | None = None, progress: Callable[[TrainingProgress], None] | None = None,
                  clock: Callable[[], float] = time.monotonic, pause: PauseFlag | None = None):
    """Wrap model with a LoRA adapter and train it on blocks; returns (peft model, TrainingResult).

    Resumes from workdir's checkpoint when it was made for the same resume_key
    (base model, data, settings). A cancelled run leaves its checkpoint for resuming.
    A paused one saves a checkpoint, waits, and goes on where it was; the pause is not
    counted against the time limit.
    """
    from peft import get_peft_model

    if len(blocks) == 0:
        raise StyleError("The text is too short to make even one training sequence.")
    targets, fan_in_fan_out = lora_targets(model)
    stop = stop or StopFlag()
    device = next(model.parameters()).device
    torch.manual_seed(settings.seed)
    peft_model = get_peft_model(model, lora_config(targets, fan_in_fan_out, settings))
    trainable = [p for p in peft_model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=settings.learning_rate, weight_decay=0.0)
    checkpoint = _Checkpoint(Path(workdir), {**resume_key, "settings": settings.resume_key()})
    steps_per_epoch = math.ceil(len(blocks) / settings.batch_size)
    total = steps_per_epoch * settings.epochs
    state = checkpoint.load(peft_model, optimizer) or {}
    step, elapsed = int(state.get("step", 0)), float(state.get("elapsed", 0.0))
    losses: list[float] = list(state.get("losses", []))
    micro = int(state.get("micro_batch", settings.batch_size))
    result = TrainingResult(steps=step, total_steps=total, losses=losses, resumed_from=step, micro_batch=micro)
    budget = settings.minutes * 60.0
    started, last_saved = clock() - elapsed, clock()
    note = f"resumed from step {step}" if step else ""

    def per_step_seconds() -> float:
        return (clock() - started - float(state.get("elapsed", 0.0))) / max(step - result.resumed_from, 1)

    def report(loss):
        spent = clock() - started
        left = max(budget - spent, 0.0)
        if step > result.resumed_from:  # no step timed yet: the time limit is all that is known
            left = min(left, per_step_seconds() * (total - step))
        if progress is not None:
            progress(TrainingProgress(step, total, loss, spent, left, note))

    def save():
        checkpoint.save(peft_model, optimizer, {"step": step, "elapsed": clock() - started, "losses": losses,
                                                "micro_batch": micro})

    report(losses[-1] if losses else None)
    peft_model.train()
    while step < total:
        if pause is not None and pause.is_paused() and not stop.is_set():
            paused_at = clock()
            save()  # a pause left overnight, or a crash meanwhile, loses nothing
            note = "paused"
            report(losses[-1] if losses else None)  # after the save: "a checkpoint is kept" is then true
            pause.wait_while_paused(stop)
            started += clock() - paused_at  # the pause is not training time
            last_saved = clock()
            note = ""
            if not stop.is_set():
                report(losses[-1] if losses else None)
        if stop.is_set():
            save()
            result.cancelled = True
            break
        spent = clock() - started
        if spent >= budget or (step > result.resumed_from and spent + per_step_seconds() > budget):
            break  # time is up, or the next step would overrun it
        epoch, position = divmod(step, steps_per_epoch)
        order = torch.randperm(len(blocks), generator=torch.Generator().manual_seed(settings.seed + epoch))
        batch = blocks[order[position * settings.batch_size:(position + 1) * settings.batch_size]]
        for group in optimizer.param_groups:
            group["lr"] = settings.learning_rate * min(1.0, (step + 1) / _WARMUP_STEPS)
        while True:
            try:
                loss = _step(peft_model, optimizer, batch, micro, device)
                break
            except Exception as exc:
                if not _is_out_of_memory(exc):
                    raise
                optimizer.zero_grad(set_to_none=True)
                if device.type == "cuda":
                    torch.cuda.empty_cache()
                if micro == 1:
                    raise StyleError("Out of memory even when training on one sequence at a time: close other "
                                     "programs or choose a smaller model.") from None
                micro = max(1, micro // 2)
                note = f"out of memory: now {micro} sequence(s) at a time"
        step += 1
        losses.append(loss)
        result.steps, result.micro_batch = step, micro
        report(loss)
        if clock() - last_saved >= settings.checkpoint_seconds:
            save()
            last_saved = clock()
    if not result.cancelled:
        save()  # should evaluating or saving the style fail, training need not be repeated
    peft_model.eval()
    result.seconds = clock() - started
    return peft_model, result


def _step(model, optimizer, batch: torch.Tensor, micro: int, device) -> float:
    """One optimiser step over batch, in pieces of `micro` sequences (gradients accumulated)."""
    optimizer.zero_grad(set_to_none=True)
    total = 0.0
    pieces = torch.split(batch, micro)
    for piece in pieces:
        ids = piece.to(device)
        loss = model(input_ids=ids, labels=ids).loss
        (loss * len(piece) / len(batch)).backward()
        total += float(loss.detach()) * len(piece) / len(batch)
    optimizer.step()
    return total
