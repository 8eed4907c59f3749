"""``TrainConfig``: how to optimise, kept apart from every model's architecture config."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class TrainConfig:
    """Optimisation settings, kept apart from every model's architecture config.

    Attributes:
        max_steps: optimizer steps in all.
        batch_size: examples per step and per process.
        lr: peak learning rate (AdamW).
        weight_decay: AdamW's decoupled weight decay.
        warmup_steps: linear warm-up from 0 to ``lr``.
        schedule: after warm-up: ``constant``, ``linear`` or ``cosine`` decay to
            ``min_lr_ratio * lr`` at ``max_steps``.
        min_lr_ratio: the floor of the decay, as a share of ``lr``.
        grad_clip: clip the global gradient norm to this (0: no clipping).
        eval_every: evaluate every N steps (0: only at the end).
        checkpoint_every: save a resumable checkpoint every N steps (0: only at the end).
        log_every: write a ``metrics.jsonl`` record every N steps.
        amp: mixed precision: ``auto`` (bf16 on CUDA where supported, else fp16; off on CPU),
            ``bf16``, ``fp16`` (CUDA only) or ``off``.
        seed: seeds the data order and every random generator.
        num_workers: DataLoader worker processes (random augmentation resumes exactly
            only with 0).
        max_minutes: stop after this many minutes of training, resumes included (0: no
            limit). The decay then runs on whichever of steps or time is further along, so
            the learning rate reaches its floor when the time is up.
        ema_decay: evaluate, select and export an exponential moving average of the weights
            (Polyak averaging; each step keeps this share of the average) instead of the
            weights themselves (0: off). Training itself is unchanged. The average lags
            the weights by about ``1 / (1 - ema_decay)`` steps, so it pays in runs many times
            that long (a video model 1000 steps into training scored far below its own
            weights at 0.998).
    """

    max_steps: int = 1000
    batch_size: int = 32
    lr: float = 1e-3
    weight_decay: float = 0.0
    warmup_steps: int = 0
    schedule: str = "cosine"
    min_lr_ratio: float = 0.05
    grad_clip: float = 1.0
    eval_every: int = 0
    checkpoint_every: int = 500
    log_every: int = 10
    amp: str = "auto"
    seed: int = 0
    num_workers: int = 0
    max_minutes: float = 0.0
    ema_decay: float = 0.0

    def __post_init__(self) -> None:
        if self.max_steps < 1:
            raise ValueError(f"max_steps must be >= 1, got {self.max_steps}")
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {self.batch_size}")
        if self.schedule not in ("constant", "linear", "cosine"):
            raise ValueError(f"schedule must be constant, linear or cosine, not {self.schedule!r}")
        if self.amp not in ("auto", "bf16", "fp16", "off"):
            raise ValueError(f"amp must be auto, bf16, fp16 or off, not {self.amp!r}")
        if self.max_minutes < 0:
            raise ValueError(f"max_minutes must be >= 0, got {self.max_minutes}")
        if not 0.0 <= self.ema_decay < 1.0:
            raise ValueError(f"ema_decay must be in [0, 1), got {self.ema_decay}")
