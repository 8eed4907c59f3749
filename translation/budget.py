"""A time budget for a whole training run.

``--max-minutes`` covers the whole command a user types: reading the data and training the
tokenizers, training, choosing the final model (the length-penalty sweep on validation, the
best step against the last) and measuring it on test. Training gets what is left after the
preparation less a share kept for the end; the end translates as many validation and test
pairs as fit in that share, timed on a first batch, so a 30-minute run ends near 30
minutes instead of spending a quarter of an hour more on beam search over every pair.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")

END_SHARE = 0.12  # of the budget kept for choosing the final model and the test figures
MIN_PAIRS = 100  # fewer than this many pairs would make the choice a coin toss
PROBE_PAIRS = 48

# Defaults for a run of at most SHORT_BUDGET_MINUTES (see translation.train's docstring), measured
# with --max-minutes 30 --threads 1 on the default data (python -m
# benchmarks.translation_first_run). Without input feeding the decoder runs over the whole
# target at once: 4028 steps instead of 2973, as good step for step, test BLEU 21.8 / chrF
# 35.5 instead of 19.2 / 31.4. A smaller model (2000 subwords a side, one encoder layer,
# narrower states, lighter dropout) then takes several steps for each of the full model's and
# is still learning fast when the time is up: on a machine where the full model managed 1269
# steps (test BLEU 14.4 / chrF 23.4), states of 192 / 256 took 3274 (23.3 / 39.6) and states
# of 128 / 192 (1.6 M parameters instead of 7.6 M) 4863 (24.5 / 40.2); batch 32 instead of
# 64 scored lower (22.7 / 37.8), as did batch 128 (CPU throughput per pair is the same).
# With about 11500 steps in the 30 minutes, the learning rate was chosen on the validation
# sample (beam 5): 1e-3 scored 28.6, the full model's 2e-3 26.8, 4e-3 (warm-up 250) 22.3 (test
# 29.0, 26.9, 21.1); states of 192 / 256 at 2e-3 26.4.
SHORT_BUDGET_MINUTES = 60
SHORT_BUDGET_DEFAULTS = dict(
    input_feeding=False,
    vocab_size=2000,
    embed_dim=128,
    hidden_size=128,
    decoder_hidden_size=192,
    encoder_layers=1,
    dropout=0.1,
    lr=1e-3,
)


@dataclass
class RunBudget:
    """The clock of one training command.

    Attributes:
        minutes: the whole run's budget (0: no limit).
        clock: seconds from a fixed point (replaceable in tests).
    """

    minutes: float
    clock: Callable[[], float] = time.monotonic
    started: float = field(init=False)

    def __post_init__(self) -> None:
        self.started = self.clock()

    def training_minutes(self) -> float:
        """Minutes training may take from now: the budget less what was spent and the end's
        share (0 when there is no budget; a few seconds when the preparation took it all)."""
        if not self.minutes:
            return 0.0
        return max(self.minutes * (1 - END_SHARE) - self.elapsed_minutes(), 0.05)

    def elapsed_minutes(self) -> float:
        return (self.clock() - self.started) / 60

    def charge(self, seconds: float) -> None:
        """Count ``seconds`` spent on this run by earlier commands (a resumed run's earlier
        training), so that the end sizes itself on what the whole run has left."""
        self.started -= max(seconds, 0.0)

    def seconds_left(self) -> float | None:
        if not self.minutes:
            return None
        return max((self.minutes - self.elapsed_minutes()) * 60, 0.0)

    def pairs_that_fit(self, seconds_per_pair: float, passes: int, available: int) -> int:
        """How many pairs each of ``passes`` translation passes may take so that all of them
        end within the budget (all ``available`` without a budget; never under
        :data:`MIN_PAIRS` or over ``available``)."""
        left = self.seconds_left()
        if left is None:
            return available
        fit = int(left / max(seconds_per_pair * passes, 1e-9))
        return min(available, max(fit, MIN_PAIRS))

    def end_of_run_samples(
        self,
        translate: Callable[[list[T]], object],
        valid: Sequence[T],
        test: Sequence[T],
        passes: int,
    ) -> tuple[list[T], list[T]]:
        """The validation and test pairs the end of the run translates: all of them without a
        budget, else as many as fit in what is left when each of ``passes`` translation
        passes takes that many (timed with ``translate`` on a few validation pairs)."""
        if not self.minutes:
            return list(valid), list(test)
        per_pair = seconds_per_item(translate, valid)
        size = self.pairs_that_fit(per_pair, passes, max(len(valid), len(test)))
        return sample(valid, size), sample(test, size, seed=1)


def sample(items: Sequence[T], size: int, seed: int = 0) -> list[T]:
    """``size`` of ``items`` drawn without replacement, in their order (all when ``size``
    reaches the length): the same draw every time for the same inputs."""
    if size >= len(items):
        return list(items)
    keep = sorted(random.Random(seed).sample(range(len(items)), size))
    return [items[i] for i in keep]


def seconds_per_item(run: Callable[[list[T]], object], items: Sequence[T]) -> float:
    """Time ``run`` on :data:`PROBE_PAIRS` of ``items`` drawn at random (the first ones may
    all be short), per item."""
    probe = sample(items, PROBE_PAIRS, seed=3)
    if not probe:
        return 0.0
    start = time.perf_counter()
    run(probe)
    return (time.perf_counter() - start) / len(probe)
