"""Measure a video model: for procedural clips the whole caption exact, every object's
actions right, directions, "then"-order in two-action clips, BLEU-4 and CIDEr-D; for a
folder of real video (MSR-VTT / MSVD style) BLEU and CIDEr-D. ``--compare`` scores other
model folders on the same clips (say, the same CNN with mean-pooled frames instead of the
RNN, to see what order adds); ``--record`` writes the figures into the model's card.

Examples:
    python -m video.evaluate                                   # the shipped model, 1000 fresh test clips
    python -m video.evaluate --compare shapes-mean --record    # the shipped mean-pooled model
    python -m video.evaluate --model runs/video/model --clips 200 --beam-size 1
    python -m video.evaluate --through mp4 --record           # the clips as H.264 files, decoded again
    python -m video.evaluate --styled --record                # the clips in varied looks
    python -m video.evaluate --model my-msvd --data captions.csv --videos YouTubeClips/
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import torch

from shared.captions import caption_metrics
from shared.cards import record_evaluation
from shared.cli import script_parser
from video.card import render_card
from video.clips import Style, render_clip, split_seeds
from video.data import clip_style, folder_items
from video.frames import write_video
from video.inference import PRETRAINED_DIR, VideoTagger
from video.metrics import clip_scores

FLOOR_METRICS = ("actions_right", "order_right")


def evaluate_clips(
    tagger: VideoTagger, count: int, beam_size: int, split: str = "test"
) -> dict[str, float | list]:
    """Figures on ``count`` clips of ``split`` (rendered from their seeds)."""
    clips = [render_clip(seed) for seed in split_seeds(split, count)]
    return score_clips(tagger, [c.frames for c in clips], [c.caption for c in clips], beam_size)


def score_videos(
    tagger: VideoTagger, videos: list, references: list[list[str]], beam_size: int
) -> dict[str, float | list]:
    """BLEU and CIDEr-D of ``tagger`` on videos with any number of references each (real
    video), with the first examples."""
    captions = [r.text for r in tagger.describe_batch(videos, beam_size=beam_size)]
    return caption_metrics(captions, references) | {
        "examples": [(r[0], c) for r, c in zip(references[:6], captions[:6], strict=True)]
    }


def score_clips(
    tagger: VideoTagger, videos: list, references: list[str], beam_size: int
) -> dict[str, float | list]:
    """Caption metrics and clip checks of ``tagger`` on videos with one reference each."""
    captions = [r.text for r in tagger.describe_batch(videos, beam_size=beam_size)]
    metrics = caption_metrics(captions, [[r] for r in references]) | clip_scores(
        references, captions
    )
    metrics = {k: v for k, v in metrics.items() if k not in ("bleu1", "bleu2", "bleu3")}
    return metrics | {"examples": list(zip(references[:6], captions[:6], strict=True))}


def _print(name: str, result: dict, seconds: float) -> None:
    print(f"{name} ({seconds:.1f} s)")
    for key, value in result.items():
        if key != "examples":
            print(f"  {key:>20}: {value:.4f}")
    for reference, caption in result["examples"]:
        print(f"    reference: {reference}\n    model:     {caption}")


def main(argv: list[str] | None = None) -> dict:
    parser = script_parser("video.evaluate", __doc__)
    parser.add_argument(
        "--model", default="shapes", help="shipped model name or model folder (default: shapes)"
    )
    parser.add_argument(
        "--compare",
        nargs="*",
        default=[],
        help="other models (shipped names or folders) scored on the same clips",
    )
    parser.add_argument("--clips", type=int, default=1000, help="test clips (default: 1000)")
    parser.add_argument(
        "--data", help="an MSR-VTT .json or MSVD .csv caption file instead of clips"
    )
    parser.add_argument("--videos", help="the video folder for --data")
    parser.add_argument("--split", default="test", choices=("valid", "test"))
    parser.add_argument(
        "--styled",
        action="store_true",
        help="draw the clips in varied styles (other shades, noise, edges, backgrounds), as training does",
    )
    parser.add_argument(
        "--through",
        choices=("mp4", "webm", "gif", "avi"),
        help="write each clip to a video file of this format and describe the file (compression included)",
    )
    parser.add_argument("--beam-size", type=int, default=3)
    parser.add_argument("--threads", type=int, default=0, help="CPU threads (default: torch's)")
    parser.add_argument(
        "--record",
        action="store_true",
        help="write the figures into the model's training.json and card",
    )
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)

    if args.data:
        items = folder_items(args.data, args.videos or ".", args.split)
        videos, references = [i.path for i in items], [i.references for i in items]
        what = f"{len(items)} {args.split} videos of {Path(args.data).name}"
    else:
        seeds = split_seeds(args.split, args.clips)
        clips = [render_clip(s, clip_style(s) if args.styled else Style()) for s in seeds]
        videos, references = [c.frames for c in clips], [c.caption for c in clips]
        what = f"{args.clips} fresh {args.split} clips" + (", varied styles" if args.styled else "")
        if args.through:
            folder = Path(tempfile.mkdtemp(prefix="video-eval-"))
            videos = [write_video(folder / f"{i}.{args.through}", v) for i, v in enumerate(videos)]
            what += f", as {args.through.upper()} files"
    results: dict[str, dict] = {}
    for name in [args.model, *args.compare]:  # the same clips (and files) for every model
        tagger = VideoTagger.from_pretrained(name)
        started = time.perf_counter()
        score = score_videos if args.data else score_clips
        result = score(tagger, videos, references, args.beam_size)
        results[name] = result
        _print(f"{name}: {what}, beam {args.beam_size}", result, time.perf_counter() - started)
    if args.through:
        shutil.rmtree(folder, ignore_errors=True)
    if args.record:
        main_result = results[args.model]
        entry = {
            "data": what,
            "beam_size": args.beam_size,
            "metrics": {k: round(float(v), 4) for k, v in main_result.items() if k != "examples"},
            "compare": {
                name: {k: round(float(v), 4) for k, v in r.items() if k != "examples"}
                for name, r in results.items()
                if name != args.model
            },
            "examples": [{"reference": r, "model": h} for r, h in main_result["examples"]],
        }
        folder = Path(args.model) if Path(args.model).is_dir() else PRETRAINED_DIR / args.model
        record_evaluation(folder, entry, render_card)
        print(f"recorded in {folder}")
    return results


if __name__ == "__main__":
    main()
