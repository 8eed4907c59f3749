"""A user's first translation run against the tutorial baseline, in one command.

Runs ``python -m translation.train --src en --tgt fr --max-minutes M --threads T`` (the whole
run, choosing the final model included, in M minutes), trains the tutorial baseline
(:mod:`benchmarks.translation_tutorial`) for the same M minutes on the same split, and
scores both on the same held-out test pairs (sacreBLEU's BLEU and chrF; the model at its
shipped beam, the baseline greedy as the tutorial decodes). The ratios are the figures to
read; wall-clock minutes of each run are recorded beside them. ``--side-by-side`` trains the
baseline in a second process at the same time (each with ``--threads``; twice that many cores
keep the two from slowing each other), so the benchmark takes M minutes instead of 2 M.

Examples:
    python -m benchmarks.translation_first_run --minutes 30 --threads 1
    python -m benchmarks.translation_first_run --minutes 30 --threads 1 --side-by-side
    python -m benchmarks.translation_first_run --minutes 2 --test-pairs 300   # a quick look
"""

from __future__ import annotations

import argparse
import multiprocessing
import time
from pathlib import Path

import torch

from benchmarks.common import machine_info, write_json
from benchmarks.translation_tutorial import train_tutorial
from shared.metrics import bleu, chrf
from translation.budget import sample
from translation.data import Pair, load_pairs
from translation.evaluate import bleu_tokenizer, score
from translation.inference import Translator
from translation.split import split_by_kind
from translation.train import main as train_main
from translation.train import parse_args as train_args


def tutorial_figures(
    train: list[Pair], test: list[Pair], minutes: float, work: Path, tgt: str, threads: int
) -> dict:
    """Train the tutorial baseline on ``train`` for ``minutes``, then its greedy BLEU and chrF
    on ``test`` and the wall-clock minutes it trained (run in a process of its own or not)."""
    torch.set_num_threads(threads)
    started = time.perf_counter()
    tutorial = train_tutorial(train, minutes, work / "tutorial-run")
    minutes_taken = (time.perf_counter() - started) / 60
    hyps = tutorial.translate_batch([p.source for p in test])
    refs = [[p.target] for p in test]
    return {
        "bleu": bleu(hyps, refs, tokenize=bleu_tokenizer(tgt)).score,
        "chrf": chrf(hyps, refs).score,
        "wall_minutes": minutes_taken,
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src", default="en")
    parser.add_argument("--tgt", default="fr")
    parser.add_argument(
        "--minutes", type=float, default=30.0, help="each run's budget (default: 30)"
    )
    parser.add_argument("--threads", type=int, default=1, help="CPU threads (default: 1)")
    parser.add_argument(
        "--test-pairs", type=int, default=2000, help="test pairs scored (default: 2000)"
    )
    parser.add_argument(
        "--data", nargs="*", help="translation.train's --data (default: this machine's catalogs)"
    )
    parser.add_argument("--work", type=Path, default=Path("runs/first-run"), help="run folders")
    parser.add_argument("--out", default="benchmarks/results/translation_first_run.json")
    parser.add_argument(
        "--side-by-side",
        action="store_true",
        help="train the baseline in a second process at the same time (needs 2 x --threads cores)",
    )
    parser.add_argument(
        "--extra", nargs=argparse.REMAINDER, default=[], help="more translation.train flags"
    )
    args = parser.parse_args(argv)  # fmt: skip
    torch.set_num_threads(args.threads)

    command = ["--src", args.src, "--tgt", args.tgt, "--max-minutes", f"{args.minutes:g}"]
    command += ["--threads", str(args.threads), "--out", str(args.work / "model-run")]
    command += [
        "--export",
        str(args.work / "model"),
        *(["--data", *args.data] if args.data else []),
    ]
    command += args.extra
    # The split translation.train makes from these flags, for the baseline and the test pairs.
    options = train_args(command)
    pairs = load_pairs(args.src, args.tgt, options.data)
    splits = split_by_kind(pairs, options.valid_share, options.test_share, options.split_seed)
    test = sample(splits.test, args.test_pairs, seed=2)
    tutorial_job = (splits.train, test, args.minutes, args.work, args.tgt, args.threads)
    pool = multiprocessing.get_context("spawn").Pool(1) if args.side_by_side else None
    pending = pool.apply_async(tutorial_figures, tutorial_job) if pool else None
    started = time.perf_counter()
    export = train_main(command)
    ours_minutes = (time.perf_counter() - started) / 60
    if pool:
        baseline = pending.get()
        pool.close()
        pool.join()
    else:
        baseline = tutorial_figures(*tutorial_job)
    ours = score(Translator.from_pretrained(export), test, beam_size=5)
    result = {
        "benchmark": "translation_first_run",
        "machine": machine_info(args.threads),
        "command": "python -m translation.train " + " ".join(command),
        "test_pairs": len(test),
        "model": {"bleu": ours["bleu"], "chrf": ours["chrf"], "wall_minutes": ours_minutes},
        "tutorial": baseline,
        "side_by_side": args.side_by_side,
        "bleu_ratio": ours["bleu"] / max(baseline["bleu"], 1e-9),
        "chrf_ratio": ours["chrf"] / max(baseline["chrf"], 1e-9),
    }
    print(
        f"{len(test)} test pairs: model BLEU {ours['bleu']:.1f} chrF {ours['chrf']:.1f}"
        f" ({ours_minutes:.1f} min); tutorial BLEU {baseline['bleu']:.1f} chrF"
        f" {baseline['chrf']:.1f} ({baseline['wall_minutes']:.1f} min); ratios"
        f" {result['bleu_ratio']:.2f}x / {result['chrf_ratio']:.2f}x"
    )
    print(f"wrote {write_json(result, args.out)}")
    return result


if __name__ == "__main__":
    main()
