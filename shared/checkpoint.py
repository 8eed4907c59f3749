"""What a run folder keeps between runs: the resumable checkpoint (weights, optimizer,
schedule, every random generator, counters) and the ``metrics.jsonl`` log that must agree
with it after a crash."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

CHECKPOINT_NAME = "checkpoint.pt"
METRICS_NAME = "metrics.jsonl"


class RunFolderError(ValueError):
    """A run folder that cannot be resumed; the message names the file and what to do."""


def rng_state() -> dict[str, Any]:
    """Python's, NumPy's and PyTorch's generator states, as tensors and plain values."""
    np_state = np.random.get_state()
    return {
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        "numpy_keys": torch.from_numpy(np_state[1].astype(np.int64)),
        "numpy_rest": [int(np_state[2]), int(np_state[3]), float(np_state[4])],
        "python": random.getstate(),
    }


def set_rng_state(state: dict[str, Any]) -> None:
    """Put back what :func:`rng_state` returned."""
    torch.set_rng_state(state["torch"])
    if torch.cuda.is_available() and state["cuda"]:
        torch.cuda.set_rng_state_all(state["cuda"])
    pos, has_gauss, cached = state["numpy_rest"]
    keys = state["numpy_keys"].numpy().astype(np.uint32)
    np.random.set_state(("MT19937", keys, pos, has_gauss, cached))
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's and PyTorch's generators."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def save_checkpoint(state: dict[str, Any], path: str | Path) -> None:
    """Write ``state`` to a temporary file, then rename it over ``path``: a crash while
    writing leaves the previous checkpoint whole."""
    path = Path(path)
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def load_checkpoint(path: str | Path, device: torch.device | str = "cpu") -> dict[str, Any]:
    """Read a checkpoint written by :func:`save_checkpoint` (tensors and plain values only).

    Raises:
        RunFolderError: the file is empty, cut short or not a checkpoint.
    """
    path = Path(path)
    try:
        return torch.load(path, map_location=device, weights_only=True)
    except (EOFError, RuntimeError, OSError, ValueError) as error:
        raise RunFolderError(
            f"cannot read the checkpoint {path} ({type(error).__name__}: {error}). It is empty,"
            " cut short or not a checkpoint: delete it to train this run folder from the start,"
            " or choose another --out"
        ) from error


def restore_module(module: nn.Module | torch.optim.Optimizer, state: dict, path: Path) -> None:
    """``module.load_state_dict(state)``, failing with a :class:`RunFolderError` that says
    the run folder belongs to other settings when the shapes or names disagree."""
    try:
        module.load_state_dict(state)
    except (RuntimeError, ValueError, KeyError) as error:
        first = str(error).strip().splitlines()
        detail = first[1].strip() if len(first) > 1 else first[0]
        raise RunFolderError(
            f"the checkpoint {path} was written by a run with other model settings ({detail})."
            " Run again with the settings that run used, or choose another --out to start anew"
        ) from error


def truncate_metrics(path: str | Path, step: int) -> None:
    """Drop the records after ``step`` from a ``metrics.jsonl``: a run that crashed after its
    last checkpoint logged steps that the resumed run logs again. A half-written last line is
    dropped too."""
    path = Path(path)
    if not path.is_file():
        return
    kept = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if record.get("step", 0) <= step:
            kept.append(line)
    tmp = path.with_suffix(".tmp")
    tmp.write_text("".join(line + "\n" for line in kept), encoding="utf-8")
    os.replace(tmp, path)


class MetricsLog:
    """Appends one JSON record a line to ``metrics.jsonl``, flushed as it goes, so a crash
    loses at most the line being written."""

    def __init__(self, path: str | Path) -> None:
        self._file = open(path, "a", encoding="utf-8")  # noqa: SIM115 (closed by close())

    def write(self, record: dict[str, Any]) -> None:
        self._file.write(json.dumps(record) + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()
