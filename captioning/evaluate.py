"""Measure a captioning model: BLEU-1..4 and CIDEr-D for any data; for the procedural
scenes also the share of captions with every object right, relation accuracy (two
objects) and left-to-right order accuracy (three objects).

Examples:
    python -m captioning.evaluate                           # the shipped model, 1000 fresh test scenes
    python -m captioning.evaluate --model runs/shapes/model --scenes 200 --beam-size 1
    python -m captioning.evaluate --model my-flickr --data dataset_flickr8k.json --images Flickr8k_Dataset/
"""

from __future__ import annotations

import time

from captioning.data import karpathy_items
from captioning.inference import Captioner
from captioning.metrics import scene_scores
from captioning.scenes import render_scene, split_seeds
from shared.captions import caption_metrics
from shared.cli import script_parser


def evaluate_scenes(
    captioner: Captioner, count: int, beam_size: int, split: str = "test"
) -> dict[str, float]:
    scenes = [
        render_scene(seed, size=captioner.config.image_size) for seed in split_seeds(split, count)
    ]
    captions = [
        r.text for r in captioner.caption_batch([s.image for s in scenes], beam_size=beam_size)
    ]
    return (
        caption_metrics(captions, [s.references for s in scenes])
        | scene_scores(scenes, captions)
        | {"examples": list(zip([s.caption for s in scenes[:5]], captions[:5], strict=True))}
    )


def main(argv: list[str] | None = None) -> dict:
    parser = script_parser("captioning.evaluate", __doc__)
    parser.add_argument(
        "--model", default="shapes", help="shipped model name or model folder (default: shapes)"
    )
    parser.add_argument(
        "--scenes", type=int, default=1000, help="test scenes to render (default: 1000)"
    )
    parser.add_argument("--data", help="a Karpathy-split JSON file instead of scenes")
    parser.add_argument("--images", help="the image folder for --data")
    parser.add_argument("--split", default="test", choices=("valid", "test"))
    parser.add_argument("--beam-size", type=int, default=3)
    args = parser.parse_args(argv)

    captioner = Captioner.from_pretrained(args.model)
    started = time.perf_counter()
    if args.data:
        items = karpathy_items(args.data, args.images or ".", args.split)
        captions = [
            r.text
            for r in captioner.caption_batch([i.path for i in items], beam_size=args.beam_size)
        ]
        result = caption_metrics(captions, [i.references for i in items]) | {
            "examples": list(zip([i.references[0] for i in items[:5]], captions[:5], strict=True))
        }
        count = len(items)
    else:
        result = evaluate_scenes(captioner, args.scenes, args.beam_size, args.split)
        count = args.scenes
    seconds = time.perf_counter() - started
    print(f"{count} images, beam {args.beam_size}, {seconds:.1f} s")
    for key, value in result.items():
        if key != "examples":
            print(
                f"  {key:>20}: {value:.4f}" if isinstance(value, float) else f"  {key:>20}: {value}"
            )
    for reference, caption in result["examples"]:
        print(f"\n  reference: {reference}\n  model:     {caption}")
    return result


if __name__ == "__main__":
    main()
