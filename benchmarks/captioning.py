"""Benchmark a captioning model on the CPU: ms per image at beam 3, one at a time and
batched, and training throughput (images per second, forward + backward + optimizer step).

Example:
    python -m benchmarks.captioning --model shapes --threads 2
"""

from __future__ import annotations

import argparse

import torch

from benchmarks.common import machine_info, print_table, time_call, time_interleaved, write_json
from captioning.data import CaptionDataset, collate, scene_items
from captioning.inference import Captioner
from captioning.train import ATTENTION_PENALTY, make_loss_fn


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--model", default="shapes", help="shipped model name or model folder (default: shapes)"
    )
    parser.add_argument(
        "--images", type=int, default=32, help="test scenes to caption (default: 32)"
    )
    parser.add_argument("--beam-size", type=int, default=3)
    parser.add_argument("--train-batch", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default="benchmarks/results/captioning.json")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    captioner = Captioner.from_pretrained(args.model)
    size = captioner.config.image_size
    images = [item.image for item in scene_items("test", args.images, size, progress=False)]

    def one_by_one():
        return [captioner.caption(image, beam_size=args.beam_size) for image in images]

    def batched():
        return captioner.caption_batch(images, beam_size=args.beam_size, batch_size=len(images))

    same = [r.tokens for r in one_by_one()] == [r.tokens for r in batched()]
    times = time_interleaved({"single": one_by_one, "batched": batched}, args.repeats, warmup=0)

    # Training throughput: the shipped architecture, fresh weights, one fixed batch.
    model = captioner.model.__class__(captioner.config).train()
    data = CaptionDataset(
        scene_items("train", args.train_batch, size, progress=False),
        captioner.vocab,
        size,
        captioner.config.encoder,
        first_reference_only=True,
    )
    batch = collate([data[i] for i in range(len(data))])
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    loss_fn = make_loss_fn(ATTENTION_PENALTY)

    def train_step():
        loss, _ = loss_fn(model, batch)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    step = time_call(train_step, args.repeats, warmup=1)["median_s"]
    result = {
        "benchmark": "captioning",
        "machine": machine_info(args.threads),
        "model": args.model,
        "images": len(images),
        "beam_size": args.beam_size,
        "one_by_one_ms_per_image": 1000 * times["single"] / len(images),
        "batched_ms_per_image": 1000 * times["batched"] / len(images),
        "speedup": times["single"] / times["batched"],
        "same_outputs": same,
        "train_batch": args.train_batch,
        "train_images_per_s": args.train_batch / step,
        "parameters": sum(p.numel() for p in model.parameters()),
    }
    print(f"{args.model}: beam {args.beam_size}, {len(images)} images, {args.threads} threads")
    print_table(
        [
            (
                f"{result['one_by_one_ms_per_image']:.1f}",
                f"{result['batched_ms_per_image']:.1f}",
                f"{result['speedup']:.1f}x",
                str(same),
                f"{result['train_images_per_s']:.0f}",
            )
        ],
        ("ms/image alone", "ms/image batched", "speedup", "same", "train images/s"),
    )
    print(f"\nwrote {write_json(result, args.out)}")
    return result


if __name__ == "__main__":
    main()
