"""Benchmark a speech model on the CPU: real-time factor (seconds of compute per second of
audio) one recording at a time and batched, with greedy and beam decoding, and training
throughput (utterances per second, forward + backward + optimizer step).

Example:
    python -m benchmarks.speech --threads 2
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from benchmarks.common import machine_info, print_table, time_call, time_interleaved, write_json
from speech.audio import SAMPLE_RATE, load_audio
from speech.data import collate
from speech.inference import DEFAULT_MODEL, Transcriber
from speech.model import CTCModel
from speech.tab import EXAMPLES_DIR
from speech.train import ctc_loss


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=DEFAULT_MODEL, help="model name or folder")
    parser.add_argument(
        "--audio",
        nargs="*",
        help="recordings to transcribe (default: the web app's bundled examples)",
    )
    parser.add_argument(
        "--beam-size", type=int, default=32, help="with the word LM when the model has one"
    )
    parser.add_argument("--train-batch", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default="benchmarks/results/speech.json")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    transcriber = Transcriber.from_pretrained(args.model)
    paths = args.audio or sorted(str(p) for p in Path(EXAMPLES_DIR).glob("*.wav"))
    waves = [load_audio(p) for p in paths]
    seconds = sum(len(w) for w in waves) / SAMPLE_RATE

    def run(beam: int, batched: bool):
        if batched:
            return lambda: transcriber.transcribe_batch(waves, SAMPLE_RATE, beam_size=beam)
        return lambda: [transcriber.transcribe(w, SAMPLE_RATE, beam_size=beam) for w in waves]

    times = time_interleaved(
        {
            "greedy_single": run(1, False),
            "greedy_batched": run(1, True),
            "beam_single": run(args.beam_size, False),
        },
        args.repeats,
        warmup=1,
    )
    same = [r.text for r in run(1, False)()] == [r.text for r in run(1, True)()]

    # Training throughput: the shipped architecture, fresh weights, one fixed batch.
    model = CTCModel(transcriber.model.config).train()
    examples = [
        (waves[k % len(waves)], transcriber.vocab.encode("a test sentence"))
        for k in range(args.train_batch)
    ]
    batch = collate(examples)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)

    def train_step():
        loss, _ = ctc_loss(model, batch)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    step = time_call(train_step, args.repeats, warmup=1)["median_s"]
    rtf = {name: t / seconds for name, t in times.items()}
    result = {
        "benchmark": "speech",
        "machine": machine_info(args.threads),
        "model": str(args.model),
        "recordings": len(waves),
        "audio_seconds": seconds,
        "real_time_factor": rtf,
        "beam_size": args.beam_size,
        "batched_speedup": times["greedy_single"] / times["greedy_batched"],
        "batched_same_outputs": same,
        "train_batch": args.train_batch,
        "train_utterances_per_s": args.train_batch / step,
        "train_audio_seconds_per_s": args.train_batch / step * seconds / len(waves),
        "parameters": sum(p.numel() for p in model.parameters()),
    }
    print(
        f"{args.model}: {len(waves)} recordings, {seconds:.1f} s of audio, {args.threads} threads"
    )
    print_table(
        [
            (
                f"{rtf['greedy_single']:.4f}",
                f"{rtf['greedy_batched']:.4f}",
                f"{rtf['beam_single']:.4f}",
                str(same),
                f"{result['train_utterances_per_s']:.1f}",
            )
        ],
        (
            "RTF greedy",
            "RTF greedy batched",
            f"RTF beam {args.beam_size} (+LM)",
            "same",
            "train utt/s",
        ),
    )
    print(f"\nwrote {write_json(result, args.out)}")
    return result


if __name__ == "__main__":
    main()
