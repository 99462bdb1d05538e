"""A training's settings, its progress reports and its result: plain data, no torch.

The window builds the settings and reads the reports while the training itself runs in
another process (learning_process.py), so these travel between the two and stay light.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class TrainingSettings:
    minutes: float = 10.0  # training stops after this long, whatever the epochs say
    epochs: int = 3  # at most this many passes over the training text
    rank: int = 16
    alpha: int = 32
    dropout: float = 0.05
    learning_rate: float = 1e-3
    block_tokens: int = 256  # tokens per training sequence
    batch_size: int = 4  # sequences per optimiser step
    checkpoint_seconds: float = 60.0
    seed: int = 0

    def to_dict(self) -> dict:
        return asdict(self)

    def resume_key(self) -> dict:
        """What must match for a checkpoint to be resumed (the time limit may change)."""
        data = self.to_dict()
        data.pop("minutes")
        data.pop("checkpoint_seconds")
        return data


@dataclass(frozen=True)
class TrainingProgress:
    step: int
    total_steps: int
    loss: float | None  # the last step's training loss
    elapsed_seconds: float
    seconds_left: float
    note: str = ""  # e.g. "resumed from step 12", "out of memory: 2 sequences at a time"


@dataclass
class TrainingResult:
    steps: int
    total_steps: int
    losses: list[float] = field(default_factory=list)
    seconds: float = 0.0
    cancelled: bool = False  # stopped by the user; the checkpoint is kept for resuming
    resumed_from: int = 0
    micro_batch: int = 0  # sequences per forward pass in the end (smaller after running out of memory)
