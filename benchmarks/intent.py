"""Benchmark the shipped intent models: ms per request one at a time and batched for each
cell (the ratio between cells is the figure to read on a shared machine), model sizes, and
the memory measurement of :mod:`intent.memory` (accuracy against filler words).

Examples:
    python -m benchmarks.intent --threads 2
    python -m benchmarks.intent --models rnn lstm gru runs/intent-gru-s1/model --no-memory
"""

from __future__ import annotations

import argparse

import torch

from benchmarks.common import machine_info, print_table, time_interleaved, write_json
from intent.evaluate import heldout_examples
from intent.inference import PRETRAINED_DIR, IntentClassifier
from intent.memory import measure
from shared.pretrained import resolve_model_dir


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--models", nargs="+", default=["rnn", "lstm", "gru"], help="models (default: rnn lstm gru)"
    )
    parser.add_argument(
        "--requests", type=int, default=200, help="held-out requests timed (default: 200)"
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--memory",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also measure accuracy against filler words (default: on)",
    )
    parser.add_argument("--memory-examples", type=int, default=400)
    parser.add_argument(
        "--memory-ns", nargs="+", type=int, default=[0, 2, 5, 10, 15, 20, 30, 40, 50, 60]
    )
    parser.add_argument("--out", default="benchmarks/results/intent.json")
    args = parser.parse_args(argv)  # fmt: skip
    torch.set_num_threads(args.threads)

    texts = [e.text for e in heldout_examples("test", args.requests)]
    runs = []
    for name in args.models:
        clf = IntentClassifier.from_pretrained(name)
        one = lambda clf=clf: [clf.classify(t) for t in texts]  # noqa: E731
        batched = lambda clf=clf: clf.classify_batch(texts)  # noqa: E731
        same = [r.intent for r in one()] == [r.intent for r in batched()]
        times = time_interleaved({"single": one, "batched": batched}, args.repeats, warmup=1)
        directory = resolve_model_dir(name, PRETRAINED_DIR)
        runs.append({
            "model": str(name), "cell": clf.config.cell, "requests": len(texts),
            "one_by_one_ms_per_request": 1000 * times["single"] / len(texts),
            "batched_ms_per_request": 1000 * times["batched"] / len(texts),
            "speedup": times["single"] / times["batched"], "same_outputs": same,
            "parameters": sum(p.numel() for p in clf.model.parameters()),
            "file_mb": (directory / "model.safetensors").stat().st_size / 1e6,
        })  # fmt: skip
    base = runs[0]["one_by_one_ms_per_request"]
    for run in runs:
        run["one_by_one_vs_first"] = run["one_by_one_ms_per_request"] / base
    result = {"benchmark": "intent", "machine": machine_info(args.threads), "runs": runs}
    if args.memory:
        result["memory"] = measure(
            args.models, args.memory_ns, args.memory_examples, progress=False
        )
    print(f"{len(texts)} held-out requests, {args.threads} CPU threads")
    print_table(
        [(r["model"], f"{r['one_by_one_ms_per_request']:.2f}", f"{r['batched_ms_per_request']:.3f}",
          f"{r['speedup']:.1f}x", f"{r['one_by_one_vs_first']:.2f}x", str(r["same_outputs"]), f"{r['file_mb']:.1f}")
         for r in runs],
        ("model", "ms/request alone", "ms/request batched", "speedup", f"alone vs {runs[0]['model']}", "same", "file MB"),
    )  # fmt: skip
    if args.memory:
        for cell, curves in result["memory"]["cells"].items():
            pairs = zip(result["memory"]["ns"], curves["accuracy"], strict=True)
            print(f"{cell}: " + ", ".join(f"N={n}: {a:.0%}" for n, a in pairs))
    print(f"\nwrote {write_json(result, args.out)}")
    return result


if __name__ == "__main__":
    main()
