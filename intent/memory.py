"""Short-term memory, measured on trained intent models.

Take held-out requests the models never trained on, put N neutral filler words ("um", "by the
way", long unrelated clauses from ``intent/corpus/fillers.txt``) between the words that say
what the user wants and the end of the request, and measure intent accuracy against N for
each cell; also how much of the decision still comes from the request's own words (the
gradient of the chosen intent's logit with respect to each word's input vector: the
request's share of the total gradient norm). Results are averaged over filler draws and over
every model given for a cell (train more seeds with ``intent.train --seed``).

Examples:
    python -m intent.memory                                   # the shipped rnn, lstm, gru
    python -m intent.memory --models rnn lstm gru runs/intent-rnn-s1/model runs/intent-lstm-s1/model \\
        --out intent/pretrained/memory.json --plot memory.png
"""

from __future__ import annotations

import json
import random
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from intent.data import OUT_OF_SCOPE, load_fillers
from intent.evaluate import heldout_examples
from intent.inference import MAX_WORDS, PRETRAINED_DIR, IntentClassifier
from intent.text import tokenize
from shared.cli import script_parser

MEMORY_FILE = PRETRAINED_DIR / "memory.json"
DEFAULT_NS = (0, 2, 5, 10, 15, 20, 30, 40, 50, 60)
MAX_FILLERS = MAX_WORDS - 30  # room for the request itself
CELL_COLOURS = {"rnn": "#e57373", "lstm": "#64b5f6", "gru": "#81c784"}


def filler_words(n: int, rng: random.Random, fillers: list[str] | None = None) -> list[str]:
    """Exactly ``n`` words of filler phrases drawn at random (the last one cut to fit)."""
    fillers = fillers or load_fillers()
    words: list[str] = []
    while len(words) < n:
        words.extend(rng.choice(fillers).split())
    return words[:n]


def with_fillers(text: str, n: int, rng: random.Random, fillers: list[str] | None = None) -> str:
    """``text`` with ``n`` filler words after its last word (before trailing punctuation)."""
    if n == 0:
        return text
    tokens = tokenize(text)
    cut = tokens[-1].end if tokens else len(text)
    return f"{text[:cut]} {' '.join(filler_words(n, rng, fillers))}{text[cut:]}"


def accuracy_curve(
    clf: IntentClassifier, texts: list[str], gold: list[str], ns, seed: int, fillers
) -> list[float]:
    """Intent accuracy at each N of ``ns`` (one filler draw, ``seed``)."""
    rng, curve = random.Random(seed), []
    for n in ns:
        padded = [with_fillers(t, n, rng, fillers) for t in texts]
        results = clf.classify_batch(padded)
        curve.append(float(np.mean([r.intent == g for r, g in zip(results, gold, strict=True)])))
    return curve


def request_share_curve(
    clf: IntentClassifier, texts: list[str], ns, seed: int, fillers, sample: int = 60
) -> list[float]:
    """At each N: the request's own words' share of the total influence on the decision
    (1.0 = none comes from the fillers), averaged over ``sample`` requests."""
    rng, curve = random.Random(seed), []
    for n in ns:
        shares = []
        for text in texts[:sample]:
            own = len(tokenize(text))
            influence = clf.word_influence(with_fillers(text, n, rng, fillers))
            shares.append(float(influence[:own].sum() / max(influence.sum(), 1e-12)))
        curve.append(float(np.mean(shares)))
    return curve


def measure(
    models: list[str], ns=DEFAULT_NS, examples: int = 400, seeds: int = 3, progress: bool = True
) -> dict:
    """Accuracy and request-share curves per cell (see the module docstring).

    Returns:
        ``{"ns": [...], "cells": {cell: {"accuracy": mean curve, "accuracy_std": ...,
        "request_share": mean curve, "models": [...]}}, ...}``.
    """
    fillers = load_fillers()
    requests = [e for e in heldout_examples("test", examples * 2) if e.intent != OUT_OF_SCOPE]
    requests = requests[:examples]
    texts, gold = [e.text for e in requests], [e.intent for e in requests]
    accuracy, share, names = defaultdict(list), defaultdict(list), defaultdict(list)
    started = time.perf_counter()
    for name in tqdm(models, desc="models", disable=not progress):
        clf = IntentClassifier.from_pretrained(name)
        cell = ("bi" if clf.config.bidirectional else "") + clf.config.cell
        names[cell].append(str(name))
        for seed in range(seeds):
            accuracy[cell].append(accuracy_curve(clf, texts, gold, ns, seed, fillers))
        share[cell].append(request_share_curve(clf, texts, ns, 0, fillers))
    cells = {
        cell: {
            "accuracy": np.mean(accuracy[cell], 0).round(4).tolist(),
            "accuracy_std": np.std(accuracy[cell], 0).round(4).tolist(),
            "request_share": np.mean(share[cell], 0).round(4).tolist(),
            "models": names[cell],
        }
        for cell in accuracy
    }
    return {
        "ns": list(ns),
        "requests": len(texts),
        "filler_draws": seeds,
        "cells": cells,
        "seconds": round(time.perf_counter() - started, 1),
    }


def memory_figure(results: dict):
    """Accuracy against filler words, one line per cell (with its spread), and the request's
    share of the decision."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ns = results["ns"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    for cell, curves in results["cells"].items():
        colour = CELL_COLOURS.get(cell.removeprefix("bi"))
        mean, std = np.array(curves["accuracy"]), np.array(curves["accuracy_std"])
        label = f"{cell.upper()} ({len(curves['models'])} model{'s' if len(curves['models']) > 1 else ''})"
        left.plot(ns, mean, marker="o", label=label, color=colour, linewidth=2)
        left.fill_between(ns, mean - std, mean + std, color=colour, alpha=0.2)
        right.plot(
            ns, curves["request_share"], marker="o", label=cell.upper(), color=colour, linewidth=2
        )
    left.set_xlabel("filler words between the request and its end")
    left.set_ylabel("intent accuracy")
    left.set_ylim(0, 1.02)
    left.legend(loc="lower left")
    left.set_title(f"Does it still know the intent? ({results['requests']} held-out requests)")
    right.set_xlabel("filler words")
    right.set_ylabel("share of the decision's gradient\non the request's own words")
    right.set_ylim(0, 1.02)
    right.set_title("Where the decision comes from")
    fig.tight_layout()
    return fig


def load_memory(path: Path = MEMORY_FILE) -> dict | None:
    """The measured curves shipped with the models (None where none were measured)."""
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def main(argv: list[str] | None = None) -> dict:
    parser = script_parser("intent.memory", __doc__)
    parser.add_argument(
        "--models",
        nargs="+",
        default=["rnn", "lstm", "gru"],
        help="shipped names or model folders (default: rnn lstm gru)",
    )
    parser.add_argument(
        "--ns",
        nargs="+",
        type=int,
        default=list(DEFAULT_NS),
        help="filler counts (default: 0 .. 60)",
    )
    parser.add_argument(
        "--examples", type=int, default=400, help="held-out requests (default: 400)"
    )
    parser.add_argument("--seeds", type=int, default=3, help="filler draws per model (default: 3)")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    parser.add_argument("--plot", type=Path, help="write the figure here")
    args = parser.parse_args(argv)  # fmt: skip
    if any(n < 0 or n > MAX_FILLERS for n in args.ns):
        parser.error(f"--ns must be between 0 and {MAX_FILLERS}")
    results = measure(args.models, args.ns, args.examples, args.seeds)
    for cell, curves in results["cells"].items():
        points = ", ".join(
            f"N={n}: {a:.0%}" for n, a in zip(results["ns"], curves["accuracy"], strict=True)
        )
        print(f"{cell}: {points}")
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if args.plot:
        memory_figure(results).savefig(args.plot, dpi=120)
    return results


if __name__ == "__main__":
    main()
