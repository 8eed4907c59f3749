"""--max-minutes covers the whole translation run: training gets the budget less the
preparation and the end's share; the end translates only the pairs that fit."""

import json

import pytest

import translation.budget as budget_module
import translation.train as train_module
from tests.translation.conftest import TINY
from translation.budget import END_SHARE, MIN_PAIRS, RunBudget, sample


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_training_gets_the_budget_less_preparation_and_the_ends_share():
    clock = FakeClock()
    budget = RunBudget(30, clock)
    clock.now += 60  # a minute reading data and training tokenizers
    assert budget.training_minutes() == pytest.approx(30 * (1 - END_SHARE) - 1)
    assert budget.seconds_left() == pytest.approx(29 * 60)
    clock.now += 3600  # the preparation took it all: training still gets a moment
    assert budget.training_minutes() == pytest.approx(0.05) and budget.seconds_left() == 0
    assert RunBudget(0, clock).training_minutes() == 0 and RunBudget(0).seconds_left() is None


def test_a_resumed_run_counts_its_earlier_training_against_the_budget():
    clock = FakeClock()
    budget = RunBudget(240, clock)
    clock.now += 60 * 60  # this command trained for an hour...
    budget.charge(150 * 60)  # ...after earlier commands of the run trained for 150 minutes
    assert budget.seconds_left() == pytest.approx(30 * 60)
    budget.charge(-5)  # a clock that ran backwards charges nothing
    assert budget.seconds_left() == pytest.approx(30 * 60)


def test_the_end_takes_the_pairs_that_fit():
    clock = FakeClock()
    budget = RunBudget(10, clock)
    clock.now += 540  # 60 s left
    assert budget.pairs_that_fit(0.01, 10, 5000) == 600  # 10 passes of 0.01 s a pair
    assert budget.pairs_that_fit(0.001, 10, 5000) == 5000  # everything fits
    assert budget.pairs_that_fit(10.0, 10, 5000) == MIN_PAIRS  # never fewer than this
    assert budget.pairs_that_fit(10.0, 10, 40) == 40
    assert RunBudget(0).pairs_that_fit(10.0, 10, 5000) == 5000  # no budget: all


def test_samples_are_fixed_ordered_and_whole_when_large_enough():
    items = list(range(50))
    drawn = sample(items, 10)
    assert drawn == sorted(drawn) and len(set(drawn)) == 10 and drawn == sample(items, 10)
    assert sample(items, 50) == items and sample(items, 80) == items


def test_a_budgeted_run_chooses_and_tests_on_the_pairs_that_fit(catalogs, tmp_path, monkeypatch):
    # Beam search timed at a second a pair and a 3-second budget: the end gets the minimum.
    # A learning rate too small to change a translation: the first evaluation (step 5)
    # stays the best, so the last step is compared with it.
    monkeypatch.setattr(budget_module, "MIN_PAIRS", 6)
    monkeypatch.setattr(budget_module, "seconds_per_item", lambda run, items: 1.0)
    model = train_module.main(
        ["--data", str(catalogs), "--out", str(tmp_path), "--max-minutes", "0.05", *TINY]
        + ["--max-steps", "100000", "--eval-every", "5", "--lr", "1e-12"]
    )  # fmt: skip
    info = json.loads((model / "training.json").read_text())
    assert info["steps"] < 100000  # the time, not the steps, ended training
    assert info["test"]["pairs"] == 6 and info["length_penalty"]["validation_pairs"] == 6
    run = info["history"][-1]
    assert "whole_run_minutes" in run
    if "compared" in run:
        assert (
            run["compared_on"] == 6
            and "compared on 6 validation pairs" in (model / "README.md").read_text()
        )


def test_a_short_budget_changes_only_the_defaults_the_command_line_leaves():
    short = ["--max-minutes", "30"]
    for name, value in budget_module.SHORT_BUDGET_DEFAULTS.items():
        assert getattr(train_module.parse_args(short), name) == value
        assert getattr(train_module.parse_args([]), name) != value
        assert getattr(train_module.parse_args(["--max-minutes", "600"]), name) != value
    assert train_module.parse_args([*short, "--input-feeding"]).input_feeding is True
    assert train_module.parse_args([*short, "--vocab-size", "4000"]).vocab_size == 4000


def test_prose_repeat_below_one_is_a_usage_error():
    with pytest.raises(SystemExit):
        train_module.parse_args(["--prose-repeat", "0"])
