import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from shared.batching import bucketed_batches, shuffled_batches
from shared.checkpoint import CHECKPOINT_NAME, METRICS_NAME, RunFolderError, load_checkpoint
from shared.schedule import lr_factor
from shared.training import TrainConfig, fit
from tests.shared.toy_task import Reverser, collate, loss_fn, make_examples, token_accuracy

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_encoder_decoder_learns_to_reverse_sequences(tmp_path):
    """Reverse 8-12 symbols: >= 99% token accuracy on unseen sequences (about 8 s on 2 cores)."""
    model = Reverser(hidden=32, cell="gru", attention="general")
    config = TrainConfig(
        max_steps=400,
        batch_size=64,
        lr=0.01,
        warmup_steps=20,
        checkpoint_every=0,
        log_every=50,
        amp="off",
    )
    fit(
        model,
        make_examples(20000, seed=1),
        config=config,
        out_dir=tmp_path,
        loss_fn=loss_fn,
        collate_fn=collate,
        progress=False,
    )
    assert token_accuracy(model, make_examples(500, seed=2)) >= 0.99


def test_loss_goes_down_on_one_batch(tmp_path):
    model = Reverser(hidden=16, cell="lstm", attention="additive", input_feeding=True)
    losses = []
    config = TrainConfig(
        max_steps=40, batch_size=16, lr=0.01, schedule="constant", checkpoint_every=0, amp="off"
    )
    fit(
        model,
        make_examples(16, seed=3),
        config=config,
        out_dir=tmp_path,
        loss_fn=loss_fn,
        collate_fn=collate,
        progress=False,
        on_step=lambda step, logs: losses.append(logs["loss"]),
    )
    assert losses[-1] < 0.7 * losses[0]


def _config(**changes):
    base = dict(
        max_steps=12,
        batch_size=8,
        lr=0.01,
        warmup_steps=2,
        checkpoint_every=4,
        log_every=1,
        amp="off",
        seed=5,
    )
    base.update(changes)
    return TrainConfig(**base)


def _train(out_dir, on_step=None, **changes):
    torch.manual_seed(0)
    model = Reverser(hidden=16, dropout=0.3)  # dropout: the random state must resume too
    fit(
        model,
        make_examples(40, seed=4),
        config=_config(**changes),
        out_dir=out_dir,
        loss_fn=loss_fn,
        collate_fn=collate,
        progress=False,
        on_step=on_step,
    )
    return model


def test_interrupted_then_resumed_run_ends_with_the_same_weights(tmp_path):
    straight = _train(tmp_path / "straight")

    def ctrl_c_at_step_7(step, logs):
        if step == 7:  # mid-epoch (5 batches per epoch), between two checkpoints
            os.kill(os.getpid(), signal.SIGINT)

    # Background jobs start with SIGINT ignored; a terminal's Ctrl-C raises KeyboardInterrupt.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            _train(tmp_path / "resumed", on_step=ctrl_c_at_step_7)
    finally:
        signal.signal(signal.SIGINT, previous)
    saved = torch.load(tmp_path / "resumed" / CHECKPOINT_NAME, weights_only=True)
    assert saved["counters"]["step"] == 7 and saved["counters"]["seconds"] > 0
    resumed = _train(tmp_path / "resumed")
    for (name, a), (_, b) in zip(
        straight.state_dict().items(), resumed.state_dict().items(), strict=True
    ):
        assert torch.equal(a, b), name
    steps = [
        json.loads(line)["step"]
        for line in (tmp_path / "resumed" / METRICS_NAME).read_text().splitlines()
    ]
    assert steps == list(range(1, 13))


def test_a_crash_after_a_checkpoint_leaves_no_duplicate_records(tmp_path):
    def crash_at_step_10(step, logs):
        if step == 10:  # like kill -9: no checkpoint since step 8, steps 9 and 10 logged
            raise SystemExit("killed")

    with pytest.raises(SystemExit):
        _train(tmp_path, on_step=crash_at_step_10)
    _train(tmp_path)
    records = [json.loads(line) for line in (tmp_path / METRICS_NAME).read_text().splitlines()]
    assert [r["step"] for r in records] == list(range(1, 13))
    elapsed = [r["elapsed_s"] for r in records]
    assert elapsed == sorted(elapsed) and elapsed[8] >= elapsed[7]  # cumulative over runs


def test_unreadable_checkpoint_names_the_file(tmp_path):
    _train(tmp_path, max_steps=4)
    checkpoint = tmp_path / CHECKPOINT_NAME
    checkpoint.write_bytes(checkpoint.read_bytes()[:100])
    with pytest.raises(RunFolderError, match="checkpoint.pt.*cut short"):
        _train(tmp_path)
    checkpoint.write_bytes(b"")
    with pytest.raises(RunFolderError, match="delete it"):
        _train(tmp_path)


def test_run_folder_of_other_settings_is_a_clear_error(tmp_path):
    _train(tmp_path, max_steps=4)
    with pytest.raises(RunFolderError, match="other model settings.*size mismatch"):
        fit(
            Reverser(hidden=8),
            make_examples(40, seed=4),
            config=_config(),
            out_dir=tmp_path,
            loss_fn=loss_fn,
            collate_fn=collate,
            progress=False,
        )


def test_evaluation_selects_the_best_model(tmp_path):
    results = iter([3.0, 1.0, 2.0])
    best_calls = []
    config = _config(eval_every=4, checkpoint_every=0)
    result = fit(
        Reverser(hidden=8),
        make_examples(40, 4),
        config=config,
        out_dir=tmp_path,
        loss_fn=loss_fn,
        collate_fn=collate,
        progress=False,
        evaluate=lambda model: {"loss": next(results)},
        on_best=lambda model, metrics: best_calls.append(metrics["loss"]),
    )
    assert result.best_step == 8 and result.best_metric == 1.0
    assert best_calls == [3.0, 1.0]
    evals = [
        json.loads(line)
        for line in (tmp_path / METRICS_NAME).read_text().splitlines()
        if '"eval"' in line
    ]
    assert [(e["step"], e["best"]) for e in evals] == [(4, True), (8, True), (12, False)]


def test_default_best_model_file_and_checkpoint(tmp_path):
    fit(
        Reverser(hidden=8),
        make_examples(40, 4),
        config=_config(max_steps=3),
        out_dir=tmp_path,
        loss_fn=loss_fn,
        collate_fn=collate,
        progress=False,
        evaluate=lambda m: {"loss": 1.0},
    )
    assert (tmp_path / "best.safetensors").is_file()
    assert (tmp_path / CHECKPOINT_NAME).is_file()


def test_moving_average_is_what_is_evaluated_and_exported(tmp_path):
    decay, seen = 0.8, {}
    model = Reverser(hidden=8)
    average = {k: v.detach().clone() for k, v in model.state_dict().items()}

    def track(step, logs):  # the average by hand, from the trained weights after each step
        for k, v in model.state_dict().items():
            average[k] = v.detach().clone() if step == 1 else decay * average[k] + (1 - decay) * v

    def evaluate(m):
        seen["evaluated"] = {k: v.clone() for k, v in m.state_dict().items()}
        return {"loss": 1.0}

    fit(
        model, make_examples(40, 4), config=_config(max_steps=6, ema_decay=decay),
        out_dir=tmp_path, loss_fn=loss_fn, collate_fn=collate, progress=False,
        evaluate=evaluate, on_step=track,
    )  # fmt: skip
    exported = load_file(tmp_path / "best.safetensors")
    for name, value in average.items():
        assert torch.allclose(seen["evaluated"][name], value, atol=1e-6), name
        assert torch.allclose(exported[name], value, atol=1e-6), name
    assert not torch.allclose(model.state_dict()["embed.weight"], average["embed.weight"])
    assert "averaged" in torch.load(tmp_path / CHECKPOINT_NAME, weights_only=True)


def test_resumed_moving_average_matches_a_straight_run(tmp_path):
    def averaged_weights(out_dir, on_step=None):
        torch.manual_seed(0)
        fit(
            Reverser(hidden=8), make_examples(40, 4), config=_config(ema_decay=0.9),
            out_dir=out_dir, loss_fn=loss_fn, collate_fn=collate, progress=False,
            evaluate=lambda m: {"loss": 1.0}, on_step=on_step,
        )  # fmt: skip
        return load_file(out_dir / "best.safetensors")

    def ctrl_c_at_step_7(step, logs):
        if step == 7:
            os.kill(os.getpid(), signal.SIGINT)

    straight = averaged_weights(tmp_path / "straight")
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            averaged_weights(tmp_path / "resumed", ctrl_c_at_step_7)
    finally:
        signal.signal(signal.SIGINT, previous)
    resumed = averaged_weights(tmp_path / "resumed")
    for name, value in straight.items():
        assert torch.equal(resumed[name], value), name


def test_learning_rate_schedule():
    config = TrainConfig(max_steps=110, warmup_steps=10, schedule="cosine", min_lr_ratio=0.1)
    assert lr_factor(0, config) == pytest.approx(0.1)
    assert lr_factor(9, config) == pytest.approx(1.0)
    assert lr_factor(60, config) == pytest.approx(0.55)
    assert lr_factor(110, config) == pytest.approx(0.1)
    linear = TrainConfig(max_steps=100, schedule="linear", min_lr_ratio=0.0)
    assert lr_factor(50, linear) == pytest.approx(0.5)
    assert lr_factor(50, TrainConfig(schedule="constant")) == 1.0
    # With a time budget the decay follows whichever of steps or time is further along.
    assert lr_factor(10, config, time_share=0.5) == pytest.approx(0.55)
    assert lr_factor(60, config, time_share=0.1) == pytest.approx(0.55)


def test_time_budget_stops_training_with_the_learning_rate_at_its_floor(tmp_path):
    def run():
        return fit(
            Reverser(hidden=16),
            make_examples(40, seed=4),
            config=_config(max_steps=100_000, max_minutes=0.5 / 60, min_lr_ratio=0.1),
            out_dir=tmp_path,
            loss_fn=loss_fn,
            collate_fn=collate,
            progress=False,
        )

    result = run()
    records = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    last_lr = [r["lr"] for r in records if "lr" in r][-1]
    assert 0 < result.step < 100_000
    assert 0.5 <= result.seconds < 30  # spent, then stopped (how far over depends on load)
    assert last_lr == pytest.approx(0.1 * 0.01, rel=1e-6)
    # The same command again: the budget is spent, so it resumes, takes no step and returns.
    weights = {
        k: v.clone() for k, v in load_checkpoint(tmp_path / CHECKPOINT_NAME)["model"].items()
    }
    again = run()
    assert again.step == result.step
    after = load_checkpoint(tmp_path / CHECKPOINT_NAME)["model"]
    assert all(torch.equal(weights[k], after[k]) for k in weights)


def test_batches_cover_the_data_once_per_epoch():
    batches = shuffled_batches(10, 3, torch.Generator().manual_seed(0))
    assert [len(b) for b in batches] == [3, 3, 3]
    assert len({i for b in batches for i in b}) == 9


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"max_steps": 0}, "max_steps"),
        ({"schedule": "step"}, "schedule"),
        ({"amp": "fp8"}, "amp"),
        ({"ema_decay": 1.0}, "ema_decay"),
    ],
)
def test_bad_settings_are_value_errors(changes, message):
    with pytest.raises(ValueError, match=message):
        TrainConfig(**changes)


def test_empty_dataset_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match="empty"):
        fit(Reverser(hidden=8), [], config=_config(), out_dir=tmp_path, loss_fn=loss_fn)


@pytest.mark.slow
def test_two_process_torchrun_keeps_replicas_identical(tmp_path):
    torchrun = shutil.which("torchrun", path=str(Path(sys.executable).parent)) or shutil.which(
        "torchrun"
    )
    assert torchrun, "torchrun comes with torch"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    cmd = [
        torchrun,
        "--standalone",
        "--nproc_per_node",
        "2",
        str(ROOT / "tests/shared/ddp_worker.py"),
        str(tmp_path),
    ]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    rank0, rank1 = (load_file(tmp_path / f"rank{r}.safetensors") for r in (0, 1))
    for name in rank0:
        assert torch.equal(rank0[name], rank1[name]), name
    run = tmp_path / "run"
    assert sorted(p.name for p in run.iterdir()) == [
        CHECKPOINT_NAME,
        METRICS_NAME,
    ]  # one checkpoint
    steps = [json.loads(line)["step"] for line in (run / METRICS_NAME).read_text().splitlines()]
    assert steps == list(range(1, 7))  # one writer: rank 0
    checkpoint = torch.load(run / CHECKPOINT_NAME, weights_only=True)
    assert len(checkpoint["rng"]) == 2  # each rank's random state travels
    for name, value in checkpoint["model"].items():
        assert torch.equal(value, rank0[name])


def test_bucketed_batches_group_similar_lengths_and_stay_full():
    lengths = [(i * 37) % 50 + 1 for i in range(1000)]
    batches = bucketed_batches(lengths, 10, torch.Generator().manual_seed(0), pool=20)
    assert all(len(b) == 10 for b in batches)
    assert len({i for b in batches for i in b}) == 1000
    spread = sum(max(lengths[i] for i in b) - min(lengths[i] for i in b) for b in batches) / len(
        batches
    )
    assert spread < 5  # within a batch, lengths differ little (they span 1-50 overall)
    again = bucketed_batches(lengths, 10, torch.Generator().manual_seed(0), pool=20)
    assert again == batches
