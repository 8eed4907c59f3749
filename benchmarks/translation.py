"""Benchmark a shipped translation model: ms per sentence at beam 5, one at a time and
batched, and the model's memory footprint.

Examples:
    python -m benchmarks.translation --model en-fr --threads 2
    python -m benchmarks.translation --device cuda --sentences 300
"""

from __future__ import annotations

import argparse
import resource

import torch

from benchmarks.common import machine_info, print_table, time_interleaved, write_json
from shared.pretrained import resolve_model_dir
from translation.data import read_tsv
from translation.inference import PRETRAINED_DIR, Translator


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--model",
        nargs="+",
        default=["en-fr", "en-zh"],
        help="models to run (default: en-fr en-zh)",
    )
    parser.add_argument(
        "--sentences",
        type=int,
        default=64,
        help="sentences from the model's test sample (default: 64)",
    )
    parser.add_argument("--beam-size", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="cpu", help="cpu or cuda (default: cpu)")
    parser.add_argument("--out", default="benchmarks/results/translation.json")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    runs = []
    for name in args.model:
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        directory = resolve_model_dir(name, PRETRAINED_DIR)
        translator = Translator.from_pretrained(directory, device=args.device)
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        sentences = [p.source for p in read_tsv(directory / "test_sample.tsv")][: args.sentences]
        beam = args.beam_size

        def one_by_one(translator=translator, sentences=sentences, beam=beam):
            return [translator.translate(s, beam_size=beam) for s in sentences]

        def batched(translator=translator, sentences=sentences, beam=beam):
            return translator.translate_batch(sentences, beam_size=beam, batch_size=len(sentences))

        same = [r.text for r in one_by_one()] == [r.text for r in batched()]
        times = time_interleaved({"single": one_by_one, "batched": batched}, args.repeats, warmup=0)
        single, together = times["single"], times["batched"]
        params = sum(p.numel() for p in translator.model.parameters())
        runs.append(
            {
                "model": name,
                "sentences": len(sentences),
                "beam_size": beam,
                "one_by_one_ms_per_sentence": 1000 * single / len(sentences),
                "batched_ms_per_sentence": 1000 * together / len(sentences),
                "speedup": single / together,
                "same_outputs": same,
                "parameters": params,
                "parameter_mb_float32": params * 4 / 1e6,
                "file_mb": (directory / "model.safetensors").stat().st_size / 1e6,
                "peak_rss_growth_mb_on_load": (rss_after - rss_before) / 1024,
            }
        )
    result = {"benchmark": "translation", "machine": machine_info(args.threads), "runs": runs}
    rows = [
        (
            r["model"],
            f"{r['one_by_one_ms_per_sentence']:.1f}",
            f"{r['batched_ms_per_sentence']:.1f}",
            f"{r['speedup']:.1f}x",
            str(r["same_outputs"]),
            f"{r['parameter_mb_float32']:.1f}",
            f"{r['file_mb']:.1f}",
        )
        for r in runs
    ]
    where = result["machine"]["cuda"] if args.device != "cpu" else f"{args.threads} CPU threads"
    print(f"beam {args.beam_size}, {args.sentences} sentences, {where}")
    print_table(
        rows,
        (
            "model",
            "ms/sentence alone",
            "ms/sentence batched",
            "speedup",
            "same",
            "params MB",
            "file MB",
        ),
    )
    print(f"\nwrote {write_json(result, args.out)}")
    return result


if __name__ == "__main__":
    main()
