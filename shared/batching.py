"""The order of training data: one epoch's batches as lists of example indices, drawn from
a generator seeded by the epoch alone, so a resumed run sees exactly the same batches."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

from shared.distributed import rank, world_size

BatchPlan = Callable[[int, torch.Generator], list[list[int]]]


def shuffled_batches(size: int, batch_size: int, generator: torch.Generator) -> list[list[int]]:
    """The default plan: a fresh permutation cut into full batches (one short batch only
    when the whole dataset is smaller than a batch)."""
    order = torch.randperm(size, generator=generator).tolist()
    if size < batch_size:
        return [order] if order else []
    return [order[i : i + batch_size] for i in range(0, size - batch_size + 1, batch_size)]


def bucketed_batches(
    lengths: Sequence[int], batch_size: int, generator: torch.Generator, pool: int = 50
) -> list[list[int]]:
    """Batches of similar lengths (less padding, faster RNNs), still shuffled: the data is
    permuted, cut into pools of ``pool`` batches, each pool sorted by length and cut into
    batches, and the batches shuffled. Use as ``batch_plan=lambda epoch, g:
    bucketed_batches(lengths, batch_size, g)``."""
    order = torch.randperm(len(lengths), generator=generator).tolist()
    batches = []
    span = batch_size * pool
    for start in range(0, len(order), span):
        chunk = sorted(order[start : start + span], key=lambda i: lengths[i])
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    if len(batches) > 1 and len(batches[-1]) < batch_size:
        batches.pop()  # keep every batch full, as DDP ranks must step together
    shuffle = torch.randperm(len(batches), generator=generator).tolist()
    return [batches[i] for i in shuffle]


def epoch_generator(seed: int, epoch: int) -> torch.Generator:
    """The generator behind one epoch's plan: a function of the seed and the epoch only."""
    return torch.Generator().manual_seed(seed * 1_000_003 + epoch)


def rank_batches(plan: list[list[int]]) -> list[list[int]]:
    """This rank's share of an epoch's batches; every rank gets as many (DDP needs that)."""
    n = world_size()
    usable = len(plan) - len(plan) % n
    return plan[rank() : usable : n]
