"""How fast and how precisely to step: the learning-rate schedule and the autocast type."""

from __future__ import annotations

import math

import torch

from shared.train_config import TrainConfig


def lr_factor(step: int, config: TrainConfig, time_share: float = 0.0) -> float:
    """Multiplier of ``config.lr`` at ``step`` (0-based): warm-up, then the chosen decay.

    ``time_share`` is the share of ``config.max_minutes`` spent; the decay follows it when
    it is further along than the steps.
    """
    if step < config.warmup_steps:
        return (step + 1) / config.warmup_steps
    if config.schedule == "constant":
        return 1.0
    span = max(1, config.max_steps - config.warmup_steps)
    progress = min(1.0, max((step - config.warmup_steps) / span, time_share))
    floor = config.min_lr_ratio
    if config.schedule == "linear":
        return floor + (1.0 - floor) * (1.0 - progress)
    return floor + (1.0 - floor) * 0.5 * (1.0 + math.cos(math.pi * progress))


def autocast_dtype(amp: str, device: torch.device) -> torch.dtype | None:
    """The mixed-precision type for ``amp`` (``auto``, ``bf16``, ``fp16``, ``off``) on
    ``device``; None means full precision."""
    if amp == "off":
        return None
    if device.type == "cuda":
        if amp == "fp16" or (amp == "auto" and not torch.cuda.is_bf16_supported()):
            return torch.float16
        return torch.bfloat16
    if amp == "bf16":
        return torch.bfloat16
    if amp == "fp16":
        raise ValueError("fp16 mixed precision needs a CUDA device; use bf16 or off on the CPU")
    return None
