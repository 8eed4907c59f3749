"""One training loop for every app: ``fit``.

What it takes care of so the apps don't have to: progress bars, gradient clipping, mixed
precision on CUDA, a warm-up + decay learning-rate schedule, periodic evaluation with
best-model selection, checkpoints every N steps, at the end and on Ctrl-C, exact resume
(weights, optimizer, schedule, every random generator, step and position in the data order)
and ``metrics.jsonl``. Under ``torchrun --nproc_per_node N`` it trains data-parallel (DDP;
gloo on CPU, NCCL on GPUs): every rank sees its own shard of each epoch's batches, rank 0
logs, evaluates and saves.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import platform
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
from safetensors.torch import save_model
from torch import nn
from torch.utils.data import DataLoader, Dataset
from tqdm.auto import tqdm

CHECKPOINT_NAME = "checkpoint.pt"
METRICS_NAME = "metrics.jsonl"
BEST_NAME = "best.safetensors"

LossFn = Callable[[nn.Module, Any], "tuple[torch.Tensor, dict[str, float]]"]
BatchPlan = Callable[[int, torch.Generator], list[list[int]]]


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


@dataclass
class FitResult:
    """What :func:`fit` reached."""

    step: int
    best_step: int | None
    best_metric: float | None
    last_eval: dict[str, float]
    interrupted: bool = False
    seconds: float = 0.0  # training time over all runs of this out_dir, resumes included


# -- processes --------------------------------------------------------------------------------


def world_size() -> int:
    return dist.get_world_size() if dist.is_initialized() else int(os.environ.get("WORLD_SIZE", 1))


def rank() -> int:
    return dist.get_rank() if dist.is_initialized() else int(os.environ.get("RANK", 0))


def is_main_process() -> bool:
    """True on rank 0 (and when not distributed): the process that logs and saves."""
    return rank() == 0


def _init_distributed() -> bool:
    """Join the process group torchrun describes; True if this call created it."""
    if int(os.environ.get("WORLD_SIZE", 1)) <= 1 or dist.is_initialized():
        return False
    backend = "nccl" if torch.cuda.is_available() else "gloo"
    if torch.cuda.is_available():
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", 0)))
    dist.init_process_group(backend)
    return True


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


# -- data order -------------------------------------------------------------------------------


def shuffled_batches(size: int, batch_size: int, generator: torch.Generator) -> list[list[int]]:
    """The default plan: a fresh permutation cut into full batches (one short batch only
    when the whole dataset is smaller than a batch)."""
    order = torch.randperm(size, generator=generator).tolist()
    if size < batch_size:
        return [order] if order else []
    return [order[i : i + batch_size] for i in range(0, size - batch_size + 1, batch_size)]


def _epoch_generator(seed: int, epoch: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed * 1_000_003 + epoch)


def _rank_batches(plan: list[list[int]]) -> list[list[int]]:
    """This rank's share of an epoch's batches; every rank gets as many (DDP needs that)."""
    n = world_size()
    usable = len(plan) - len(plan) % n
    return plan[rank() : usable : n]


# -- schedule ---------------------------------------------------------------------------------


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


# -- random state -----------------------------------------------------------------------------


def _rng_state() -> dict[str, Any]:
    np_state = np.random.get_state()
    return {
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        "numpy_keys": torch.from_numpy(np_state[1].astype(np.int64)),
        "numpy_rest": [int(np_state[2]), int(np_state[3]), float(np_state[4])],
        "python": random.getstate(),
    }


def _set_rng_state(state: dict[str, Any]) -> None:
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


# -- checkpoints ------------------------------------------------------------------------------


def _atomic_torch_save(obj: Any, path: Path) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def load_checkpoint(path: str | Path, device: torch.device | str = "cpu") -> dict[str, Any]:
    """Read a checkpoint written by :func:`fit` (tensors and plain values only)."""
    return torch.load(path, map_location=device, weights_only=True)


# -- the loop ---------------------------------------------------------------------------------


def _autocast_dtype(config: TrainConfig, device: torch.device) -> torch.dtype | None:
    if config.amp == "off":
        return None
    if device.type == "cuda":
        if config.amp == "fp16" or (config.amp == "auto" and not torch.cuda.is_bf16_supported()):
            return torch.float16
        return torch.bfloat16
    if config.amp == "bf16":
        return torch.bfloat16
    if config.amp == "fp16":
        raise ValueError("fp16 mixed precision needs a CUDA device; use bf16 or off on the CPU")
    return None


def fit(
    model: nn.Module,
    dataset: Dataset | Sequence,
    *,
    config: TrainConfig,
    out_dir: str | Path,
    loss_fn: LossFn,
    collate_fn: Callable[[list], Any] | None = None,
    evaluate: Callable[[nn.Module], dict[str, float]] | None = None,
    select: str = "loss",
    mode: str = "min",
    on_best: Callable[[nn.Module, dict[str, float]], None] | None = None,
    batch_plan: BatchPlan | None = None,
    resume: bool = True,
    device: torch.device | str | None = None,
    progress: bool = True,
    on_step: Callable[[int, dict[str, float]], None] | None = None,
) -> FitResult:
    """Train ``model`` on ``dataset`` until ``config.max_steps``.

    Args:
        model: the module to train; moved to ``device``.
        dataset: indexable examples.
        config: optimisation settings.
        out_dir: where ``checkpoint.pt``, ``metrics.jsonl`` and ``best.safetensors`` go.
        loss_fn: ``loss_fn(model, batch) -> (loss, logs)``; it must call ``model(...)``
            (its ``forward``) so that DDP can synchronise gradients. ``logs`` are floats
            averaged into the log records.
        collate_fn: turns a list of examples into a batch.
        evaluate: ``evaluate(model) -> metrics`` on held-out data, run on rank 0 in eval
            mode every ``config.eval_every`` steps and at the end.
        select, mode: the metric of ``evaluate`` that picks the best model, and whether
            lower (``min``) or higher (``max``) is better.
        on_best: called with the model and metrics when the selected metric improves
            (default: write ``best.safetensors``).
        batch_plan: ``batch_plan(epoch, generator) -> list of index lists``, one epoch's
            batches (e.g. bucketed by length); it must depend only on its arguments.
            Default: :func:`shuffled_batches`.
        resume: continue from ``out_dir/checkpoint.pt`` when it exists.
        device: default: this process's GPU if any, else the CPU.
        progress: show a progress bar (rank 0).
        on_step: ``on_step(step, logs)`` after every optimizer step.

    Returns:
        a :class:`FitResult`. Ctrl-C saves a checkpoint, then re-raises KeyboardInterrupt.
    """
    if mode not in ("min", "max"):
        raise ValueError(f"mode must be 'min' or 'max', not {mode!r}")
    if len(dataset) == 0:
        raise ValueError("the training dataset is empty")
    created_group = _init_distributed()
    out_dir = Path(out_dir)
    main = is_main_process()
    if main:
        out_dir.mkdir(parents=True, exist_ok=True)
    device = torch.device(device) if device is not None else default_device()
    if device.type == "cuda":
        # TF32 tensor cores for float32 products: about 10 bits of mantissa, plenty for SGD.
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    seed_everything(config.seed + rank())
    model.to(device)
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=config.lr, weight_decay=config.weight_decay
    )
    clock = {"time_share": 0.0}  # share of config.max_minutes spent, agreed by all ranks
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: lr_factor(s, config, clock["time_share"])
    )
    amp_dtype = _autocast_dtype(config, device)
    scaler = torch.amp.GradScaler("cuda", enabled=amp_dtype == torch.float16)
    plan_fn = batch_plan or (lambda epoch, g: shuffled_batches(len(dataset), config.batch_size, g))

    counters = {"step": 0, "epoch": 0, "batch_in_epoch": 0, "seconds": 0.0}
    best: dict[str, Any] = {"metric": None, "step": None}
    last_eval: dict[str, float] = {}
    checkpoint_path = out_dir / CHECKPOINT_NAME
    if resume and checkpoint_path.is_file():
        state = load_checkpoint(checkpoint_path, device)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        scaler.load_state_dict(state["scaler"])
        counters = {"seconds": 0.0, **state["counters"]}
        best = dict(state["best"])
        _set_rng_state(state["rng"][rank()] if rank() < len(state["rng"]) else state["rng"][0])
        if main:
            print(f"resuming from {checkpoint_path} at step {counters['step']}")

    train_model: nn.Module = model
    if world_size() > 1:
        ids = [device.index] if device.type == "cuda" else None
        train_model = nn.parallel.DistributedDataParallel(model, device_ids=ids)

    def save_checkpoint() -> None:
        counters["seconds"] = seconds_before + time.perf_counter() - started
        # Every rank's generators travel, so each rank resumes its own dropout/augmentation.
        rng = _gather_objects(_rng_state())
        if main:
            _atomic_torch_save(
                {
                    "model": model.state_dict(),
                    "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler.state_dict(),
                    "scaler": scaler.state_dict(),
                    "counters": dict(counters),
                    "best": dict(best),
                    "rng": rng,
                    "train_config": dataclasses.asdict(config),
                },
                checkpoint_path,
            )

    def run_eval() -> None:
        nonlocal last_eval
        if evaluate is not None and main:
            model.eval()
            with torch.no_grad():
                last_eval = {k: float(v) for k, v in evaluate(model).items()}
            model.train()
            if select not in last_eval:
                raise KeyError(f"evaluate() returned {sorted(last_eval)}, no {select!r} to select")
            value = last_eval[select]
            improved = best["metric"] is None or (
                value < best["metric"] if mode == "min" else value > best["metric"]
            )
            if improved:
                best.update(metric=value, step=counters["step"])
                if on_best is not None:
                    on_best(model, last_eval)
                else:
                    save_model(model, str(out_dir / BEST_NAME))
            _log({"step": counters["step"], "eval": last_eval, "best": improved})
        if world_size() > 1:
            dist.barrier()

    metrics_file = open(out_dir / METRICS_NAME, "a", encoding="utf-8") if main else None  # noqa: SIM115

    def _log(record: dict[str, Any]) -> None:
        if metrics_file is not None:
            metrics_file.write(json.dumps(record) + "\n")
            metrics_file.flush()

    bar = tqdm(
        total=config.max_steps,
        initial=counters["step"],
        desc="train",
        dynamic_ncols=True,
        disable=not (progress and main),
    )
    window: dict[str, float] = {}
    window_steps = 0
    started = time.perf_counter()
    seconds_before = counters["seconds"]
    if config.max_minutes:
        # A run resumed with its time budget spent takes no further step: running a finished
        # command again only evaluates, saves and returns (say, to redo what came after).
        clock["time_share"] = _time_share(seconds_before, config, device)
    interrupted = False
    model.train()
    try:
        while counters["step"] < config.max_steps and clock["time_share"] < 1.0:
            batches = _rank_batches(
                plan_fn(counters["epoch"], _epoch_generator(config.seed, counters["epoch"]))
            )
            if not batches:
                raise ValueError(
                    f"the dataset ({len(dataset)} examples) gives no batch of {config.batch_size}"
                    f" for each of {world_size()} processes"
                )
            if counters["batch_in_epoch"] >= len(batches):
                counters.update(epoch=counters["epoch"] + 1, batch_in_epoch=0)
                continue
            loader = DataLoader(
                dataset,
                batch_sampler=batches[counters["batch_in_epoch"] :],
                collate_fn=collate_fn,
                num_workers=config.num_workers,
                # Its own generator: creating a loader must not consume the global RNG,
                # or a resumed run would draw different dropout masks.
                generator=_epoch_generator(config.seed + 7919, counters["epoch"]),
                pin_memory=device.type == "cuda",
            )
            for batch in loader:
                batch = move_to(batch, device)
                with torch.autocast(
                    device.type, dtype=amp_dtype or torch.float32, enabled=amp_dtype is not None
                ):
                    loss, logs = loss_fn(train_model, batch)
                if not torch.isfinite(loss):
                    raise FloatingPointError(f"loss is {loss.item()} at step {counters['step']}")
                optimizer.zero_grad(set_to_none=True)
                if config.max_minutes:
                    clock["time_share"] = _time_share(
                        seconds_before + time.perf_counter() - started, config, device
                    )
                scaler.scale(loss).backward()
                scaler.unscale_(optimizer)
                params = [p for p in model.parameters() if p.grad is not None]
                if config.grad_clip > 0:
                    grad_norm = float(nn.utils.clip_grad_norm_(params, config.grad_clip))
                else:
                    grad_norm = float(torch.norm(torch.stack([p.grad.norm() for p in params])))
                scaler.step(optimizer)
                scaler.update()
                scheduler.step()
                counters["step"] += 1
                counters["batch_in_epoch"] += 1
                step = counters["step"]

                logs = {"loss": float(loss.detach()), **{k: float(v) for k, v in logs.items()}}
                logs["grad_norm"] = grad_norm
                for k, v in logs.items():
                    window[k] = window.get(k, 0.0) + v
                window_steps += 1
                bar.update(1)
                if step % config.log_every == 0 or step == config.max_steps:
                    means = {k: v / window_steps for k, v in window.items()}
                    lr = optimizer.param_groups[0]["lr"]
                    _log(
                        {
                            "step": step,
                            "epoch": counters["epoch"],
                            "lr": lr,
                            "elapsed_s": round(time.perf_counter() - started, 3),
                            **means,
                        }
                    )
                    bar.set_postfix(loss=f"{means['loss']:.4f}", lr=f"{lr:.2e}")
                    window, window_steps = {}, 0
                if on_step is not None:
                    on_step(step, logs)
                if config.eval_every and step % config.eval_every == 0 and step < config.max_steps:
                    run_eval()
                if config.checkpoint_every and step % config.checkpoint_every == 0:
                    save_checkpoint()
                if step >= config.max_steps or clock["time_share"] >= 1.0:
                    break
            if clock["time_share"] >= 1.0:
                if main:
                    print(
                        f"time budget of {config.max_minutes:g} minutes spent at step {counters['step']}"
                    )
                break
        run_eval()
        save_checkpoint()
    except KeyboardInterrupt:
        interrupted = True
        bar.close()
        save_checkpoint()
        if main:
            print(
                f"\ninterrupted: checkpoint saved at step {counters['step']} in {out_dir};"
                " run the same command again to resume"
            )
        raise
    finally:
        bar.close()
        if metrics_file is not None:
            metrics_file.close()
        if created_group and not interrupted:
            dist.destroy_process_group()
    seconds = seconds_before + time.perf_counter() - started
    return FitResult(
        counters["step"], best["step"], best["metric"], last_eval, interrupted, seconds
    )


def _time_share(seconds: float, config: TrainConfig, device: torch.device) -> float:
    """Share of the time budget spent; under DDP the slowest rank's clock, so all agree."""
    share = seconds / (60.0 * config.max_minutes)
    if world_size() > 1 and dist.is_initialized():
        value = torch.tensor([share], dtype=torch.float64, device=device)
        dist.all_reduce(value, op=dist.ReduceOp.MAX)
        share = float(value)
    return share


def _gather_objects(obj: Any) -> list[Any]:
    """Every rank's ``obj`` on every rank (just ``[obj]`` when not distributed)."""
    if world_size() <= 1 or not dist.is_initialized():
        return [obj]
    gathered: list[Any] = [None] * world_size()
    dist.all_gather_object(gathered, obj)
    return gathered


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
