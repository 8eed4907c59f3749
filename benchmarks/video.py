"""Benchmark a video model on the CPU: ms per clip at beam 3, one at a time and batched (the
same captions either way), the share of that time the per-frame CNN takes, and training
throughput (clips per second, forward + backward + optimizer step).

Example:
    python -m benchmarks.video --threads 2
"""

from __future__ import annotations

import argparse

import torch

from benchmarks.common import machine_info, print_table, time_call, time_interleaved, write_json
from video.clips import render_clip, split_seeds
from video.data import ClipDataset, collate, frames_tensor
from video.inference import VideoTagger
from video.train import loss_fn


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--model", default="shapes", help="shipped model name or model folder (default: shapes)"
    )
    parser.add_argument(
        "--clips", type=int, default=32, help="test clips to describe (default: 32)"
    )
    parser.add_argument("--beam-size", type=int, default=3)
    parser.add_argument("--train-batch", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default="benchmarks/results/video.json")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    tagger = VideoTagger.from_pretrained(args.model)
    config = tagger.config
    videos = [render_clip(seed).frames for seed in split_seeds("test", args.clips)]

    def one_by_one():
        return [tagger.describe(v, beam_size=args.beam_size) for v in videos]

    def batched():
        return tagger.describe_batch(videos, beam_size=args.beam_size, batch_size=len(videos))

    same = [r.tokens for r in one_by_one()] == [r.tokens for r in batched()]
    times = time_interleaved({"single": one_by_one, "batched": batched}, args.repeats, warmup=0)
    frames = torch.stack([frames_tensor(v, config.frame_size) for v in videos])
    with torch.no_grad():
        cnn = time_call(lambda: tagger.model.frames(frames), args.repeats, warmup=1)["median_s"]

    # Training throughput: the shipped architecture, fresh weights, one fixed batch.
    model = tagger.model.__class__(config).train()
    data = ClipDataset("train", args.train_batch, tagger.vocab, config.frame_size)
    batch = collate([data[i] for i in range(len(data))])
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)

    def train_step():
        loss, _ = loss_fn(model, batch)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    step = time_call(train_step, args.repeats, warmup=1)["median_s"]
    result = {
        "benchmark": "video",
        "machine": machine_info(args.threads),
        "model": args.model,
        "clips": len(videos),
        "frames_per_clip": config.frames,
        "beam_size": args.beam_size,
        "one_by_one_ms_per_clip": 1000 * times["single"] / len(videos),
        "batched_ms_per_clip": 1000 * times["batched"] / len(videos),
        "speedup": times["single"] / times["batched"],
        "same_outputs": same,
        "cnn_share_of_batched": cnn / times["batched"],
        "train_batch": args.train_batch,
        "train_clips_per_s": args.train_batch / step,
        "parameters": sum(p.numel() for p in model.parameters()),
    }
    print(f"{args.model}: beam {args.beam_size}, {len(videos)} clips, {args.threads} threads")
    print_table(
        [
            (
                f"{result['one_by_one_ms_per_clip']:.1f}",
                f"{result['batched_ms_per_clip']:.1f}",
                f"{result['speedup']:.1f}x",
                str(same),
                f"{result['cnn_share_of_batched']:.0%}",
                f"{result['train_clips_per_s']:.1f}",
            )
        ],
        ("ms/clip alone", "ms/clip batched", "speedup", "same", "CNN share", "train clips/s"),
    )
    print(f"\nwrote {write_json(result, args.out)}")
    return result


if __name__ == "__main__":
    main()
