"""One training loop for every app: ``fit``.

What it takes care of so the apps don't have to: progress bars, gradient clipping, mixed
precision on CUDA, a warm-up + decay learning-rate schedule, periodic evaluation with
best-model selection (of the weights or of their moving average), checkpoints every N
steps, at the end and on Ctrl-C, exact resume (weights, optimizer, schedule, every random
generator, step and position in the data order) and ``metrics.jsonl``. Under ``torchrun
--nproc_per_node N`` it trains data-parallel (DDP; gloo on CPU, NCCL on GPUs): every rank
sees its own shard of each epoch's batches, rank 0 logs, evaluates and saves. Its parts live beside it: :mod:`shared.distributed` (ranks and
devices), :mod:`shared.checkpoint` (what a run folder keeps), :mod:`shared.batching` (data
order) and :mod:`shared.schedule` (learning rate, mixed precision).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import save_model
from torch import nn
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
from torch.utils.data import DataLoader, Dataset
from tqdm.auto import tqdm

from shared.batching import BatchPlan, epoch_generator, rank_batches, shuffled_batches
from shared.checkpoint import (
    CHECKPOINT_NAME,
    METRICS_NAME,
    MetricsLog,
    load_checkpoint,
    restore_module,
    rng_state,
    save_checkpoint,
    seed_everything,
    set_rng_state,
    truncate_metrics,
)
from shared.distributed import (
    barrier,
    close_distributed,
    default_device,
    gather_objects,
    init_distributed,
    is_main_process,
    max_over_ranks,
    move_to,
    rank,
    world_size,
)
from shared.schedule import autocast_dtype, lr_factor
from shared.train_config import TrainConfig

BEST_NAME = "best.safetensors"

LossFn = Callable[[nn.Module, Any], "tuple[torch.Tensor, dict[str, float]]"]


@dataclass
class FitResult:
    """What :func:`fit` reached."""

    step: int
    best_step: int | None
    best_metric: float | None
    last_eval: dict[str, float]
    interrupted: bool = False
    seconds: float = 0.0  # training time over all runs of this out_dir, resumes included


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
    created_group = init_distributed()
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
    amp_dtype = autocast_dtype(config.amp, device)
    scaler = torch.amp.GradScaler("cuda", enabled=amp_dtype == torch.float16)
    # The weights evaluated, selected and exported: the model's own or their moving average.
    averaged = (
        AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(config.ema_decay), use_buffers=True)
        if config.ema_decay
        else None
    )
    eval_model = averaged.module if averaged is not None else model
    plan_fn = batch_plan or (lambda epoch, g: shuffled_batches(len(dataset), config.batch_size, g))

    counters = {"step": 0, "epoch": 0, "batch_in_epoch": 0, "seconds": 0.0}
    best: dict[str, Any] = {"metric": None, "step": None}
    last_eval: dict[str, float] = {}
    checkpoint_path = out_dir / CHECKPOINT_NAME
    if resume and checkpoint_path.is_file():
        state = load_checkpoint(checkpoint_path, device)
        restore_module(model, state["model"], checkpoint_path)
        restore_module(optimizer, state["optimizer"], checkpoint_path)
        if averaged is not None and "averaged" in state:
            restore_module(averaged, state["averaged"], checkpoint_path)
        scheduler.load_state_dict(state["scheduler"])
        scaler.load_state_dict(state["scaler"])
        counters = {"seconds": 0.0, **state["counters"]}
        best = dict(state["best"])
        set_rng_state(state["rng"][rank()] if rank() < len(state["rng"]) else state["rng"][0])
        if main:
            # The previous run may have logged past its last checkpoint before it died.
            truncate_metrics(out_dir / METRICS_NAME, counters["step"])
            print(f"resuming from {checkpoint_path} at step {counters['step']}")

    train_model: nn.Module = model
    if world_size() > 1:
        ids = [device.index] if device.type == "cuda" else None
        train_model = nn.parallel.DistributedDataParallel(model, device_ids=ids)

    def checkpoint() -> None:
        counters["seconds"] = seconds_before + time.perf_counter() - started
        # Every rank's generators travel, so each rank resumes its own dropout/augmentation.
        rng = gather_objects(rng_state())
        if main:
            save_checkpoint(
                {
                    "model": model.state_dict(),
                    **({"averaged": averaged.state_dict()} if averaged is not None else {}),
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
            eval_model.eval()
            with torch.no_grad():
                last_eval = {k: float(v) for k, v in evaluate(eval_model).items()}
            eval_model.train()
            if select not in last_eval:
                raise KeyError(f"evaluate() returned {sorted(last_eval)}, no {select!r} to select")
            value = last_eval[select]
            improved = best["metric"] is None or (
                value < best["metric"] if mode == "min" else value > best["metric"]
            )
            if improved:
                best.update(metric=value, step=counters["step"])
                if on_best is not None:
                    on_best(eval_model, last_eval)
                else:
                    save_model(eval_model, str(out_dir / BEST_NAME))
            _log({"step": counters["step"], "eval": last_eval, "best": improved})
        barrier()

    metrics = MetricsLog(out_dir / METRICS_NAME) if main else None
    _log = metrics.write if metrics else lambda record: None

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
            batches = rank_batches(
                plan_fn(counters["epoch"], epoch_generator(config.seed, counters["epoch"]))
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
                generator=epoch_generator(config.seed + 7919, counters["epoch"]),
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
                grad_norm = _optimizer_step(loss, model, optimizer, scaler, config.grad_clip)
                scheduler.step()
                if averaged is not None:
                    averaged.update_parameters(model)
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
                            # Training time of the run folder, earlier runs included.
                            "elapsed_s": round(seconds_before + time.perf_counter() - started, 3),
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
                    checkpoint()
                if step >= config.max_steps or clock["time_share"] >= 1.0:
                    break
            if clock["time_share"] >= 1.0:
                if main:
                    print(
                        f"time budget of {config.max_minutes:g} minutes spent at step {counters['step']}"
                    )
                break
        run_eval()
        checkpoint()
    except KeyboardInterrupt:
        interrupted = True
        bar.close()
        checkpoint()
        if main:
            print(
                f"\ninterrupted: checkpoint saved at step {counters['step']} in {out_dir};"
                " run the same command again to resume"
            )
        raise
    finally:
        bar.close()
        if metrics is not None:
            metrics.close()
        if created_group and not interrupted:
            close_distributed()
    seconds = seconds_before + time.perf_counter() - started
    return FitResult(
        counters["step"], best["step"], best["metric"], last_eval, interrupted, seconds
    )


def _optimizer_step(
    loss: torch.Tensor,
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    scaler: torch.amp.GradScaler,
    grad_clip: float,
) -> float:
    """Backward, clip (when ``grad_clip`` > 0) and step; returns the gradient norm."""
    scaler.scale(loss).backward()
    scaler.unscale_(optimizer)
    params = [p for p in model.parameters() if p.grad is not None]
    if grad_clip > 0:
        grad_norm = float(nn.utils.clip_grad_norm_(params, grad_clip))
    else:
        grad_norm = float(torch.norm(torch.stack([p.grad.norm() for p in params])))
    scaler.step(optimizer)
    scaler.update()
    return grad_norm


def _time_share(seconds: float, config: TrainConfig, device: torch.device) -> float:
    """Share of the time budget spent; under DDP the slowest rank's clock, so all agree."""
    return max_over_ranks(seconds / (60.0 * config.max_minutes), device)
