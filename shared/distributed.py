"""Processes and devices: which rank this is under ``torchrun``, where it computes, and how
ranks agree on a value. Everything works unchanged in a single process."""

from __future__ import annotations

import os
import platform
from typing import Any

import torch
import torch.distributed as dist


def world_size() -> int:
    return dist.get_world_size() if dist.is_initialized() else int(os.environ.get("WORLD_SIZE", 1))


def rank() -> int:
    return dist.get_rank() if dist.is_initialized() else int(os.environ.get("RANK", 0))


def is_main_process() -> bool:
    """True on rank 0 (and when not distributed): the process that logs and saves."""
    return rank() == 0


def init_distributed() -> bool:
    """Join the process group torchrun describes; True if this call created it."""
    if int(os.environ.get("WORLD_SIZE", 1)) <= 1 or dist.is_initialized():
        return False
    backend = "nccl" if torch.cuda.is_available() else "gloo"
    if torch.cuda.is_available():
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", 0)))
    dist.init_process_group(backend)
    return True


def close_distributed() -> None:
    """Leave the process group :func:`init_distributed` created."""
    dist.destroy_process_group()


def gather_objects(obj: Any) -> list[Any]:
    """Every rank's ``obj`` on every rank (just ``[obj]`` when not distributed)."""
    if world_size() <= 1 or not dist.is_initialized():
        return [obj]
    gathered: list[Any] = [None] * world_size()
    dist.all_gather_object(gathered, obj)
    return gathered


def max_over_ranks(value: float, device: torch.device) -> float:
    """The largest ``value`` of all ranks (``value`` itself when not distributed)."""
    if world_size() <= 1 or not dist.is_initialized():
        return value
    tensor = torch.tensor([value], dtype=torch.float64, device=device)
    dist.all_reduce(tensor, op=dist.ReduceOp.MAX)
    return float(tensor)


def barrier() -> None:
    """Wait for every rank (nothing to wait for in a single process)."""
    if world_size() > 1:
        dist.barrier()


def hardware_description() -> str:
    """Where this process trains, for model cards: the GPU's name, else the CPU and threads."""
    if torch.cuda.is_available():
        return f"one {torch.cuda.get_device_name()} GPU"
    cpu = platform.processor() or platform.machine()
    threads = torch.get_num_threads()
    return f"{cpu}, {threads} CPU thread{'s' if threads > 1 else ''}, no GPU"


def default_device() -> torch.device:
    """This process's GPU when there is one, else the CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
    return torch.device("cpu")


def move_to(batch: Any, device: torch.device) -> Any:
    """Move every tensor in nested dicts, lists and tuples to ``device``."""
    if isinstance(batch, torch.Tensor):
        return batch.to(device, non_blocking=True)
    if isinstance(batch, dict):
        return {k: move_to(v, device) for k, v in batch.items()}
    if isinstance(batch, (list, tuple)):
        return type(batch)(move_to(v, device) for v in batch)
    return batch
