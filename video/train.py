"""Train a video tagging model: the scene CNN on every frame, a bidirectional RNN over the
frames, and the shared attention decoder writing the caption while attending over time.

By default it learns from procedural clips (train, validation and test seeds never meet),
each drawn with its own edge smoothing and noise level; ``--data captions.json --videos DIR``
trains on an MSR-VTT style folder (``.csv``: MSVD). ``--temporal mean`` trains the same CNN
with mean-pooled frames instead of the RNN: a model that cannot know order.

Examples:
    python -m video.train --max-steps 2                                     # smoke run
    python -m video.train --out runs/video --export video/pretrained/shapes
    python -m video.train --temporal mean --out runs/video-mean             # no order
    python -m video.train --motion-input --places --init video/pretrained/shapes       # fine-tune
    python -m video.train --data videodatainfo.json --videos TrainValVideo/ --min-freq 3

Run the same command again to resume from the run folder's checkpoint.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
from torch import nn

from shared.cards import read_info, run_record, write_info
from shared.cli import command_line, dataclass_from_args, run_folders, run_script, train_script
from shared.distributed import is_main_process
from shared.pretrained import load_weights, save_pretrained, warm_start
from shared.training import TrainConfig, fit
from shared.vocab import Vocabulary
from video.card import write_card
from video.clips import SHARES, kind_shares
from video.data import (
    ClipDataset,
    VideoFileDataset,
    build_vocabulary,
    clip_vocabulary,
    collate,
    folder_items,
)
from video.evaluate import evaluate_clips, score_videos
from video.inference import VOCAB_NAME, VideoTagger
from video.model import FORMAT_VERSION, MODEL_TYPE, VideoConfig, VideoModel

TEST_BEAM = 3
TRAIN_DEFAULTS = dict(
    max_steps=4000,
    batch_size=32,
    lr=2e-3,
    warmup_steps=200,
    eval_every=500,
    checkpoint_every=250,
    log_every=50,
)


def build_parser() -> argparse.ArgumentParser:
    script = train_script(
        "video.train",
        __doc__,
        model_config=VideoConfig,
        train_config=TrainConfig,
        train_defaults=TRAIN_DEFAULTS,
        out="runs/video",
        skip=("vocab_size",),
    )
    data = script.data
    data.add_argument(
        "--data", help="MSR-VTT .json or MSVD .csv captions; default: procedural clips"
    )
    data.add_argument("--videos", help="the video folder for --data")
    data.add_argument(
        "--train-clips", type=int, default=12000, help="clips drawn for training (default: 12000)"
    )
    data.add_argument(
        "--two-object-share",
        type=float,
        default=SHARES["two-objects"],
        help="share of two-object training clips; the rest keep the 4:3 ratio of one action"
        f" to two (default: the specification's {SHARES['two-objects']})",
    )
    data.add_argument(
        "--cache",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="keep drawn training clips in memory, about 200 kB each (default: on)",
    )
    data.add_argument(
        "--valid-clips", type=int, default=300, help="validation clips (default: 300)"
    )
    data.add_argument(
        "--test-clips",
        type=int,
        default=1000,
        help="clips for the card's test figures (default: 1000)",
    )
    data.add_argument(
        "--min-freq",
        type=int,
        default=1,
        help="keep words seen this often (real video; default: 1)",
    )
    script.run.add_argument(
        "--init",
        "--init-from",
        dest="init",
        metavar="MODEL_DIR",
        help="start from this model's weights where they fit (same words; parts it lacks,"
        " say --places, start fresh); a resumed run keeps its checkpoint instead",
    )
    return script.parser


def init_from(model: VideoModel, directory: str, vocab: Vocabulary) -> None:
    """Warm-start ``model`` from a saved video model with the same vocabulary."""
    saved_vocab = Path(directory) / VOCAB_NAME
    if not saved_vocab.is_file() or Vocabulary.load(saved_vocab) != vocab:
        raise ValueError(f"--init {directory}: its vocabulary is not this run's")
    copied, fresh = warm_start(model, directory)
    print(f"started from {directory}: {len(copied)} tensors copied, fresh: {fresh or 'none'}")


def loss_fn(model: nn.Module, batch: dict[str, torch.Tensor]):
    logits, _ = model(batch["frames"], batch["tokens_in"])
    nll = nn.functional.cross_entropy(
        logits.reshape(-1, logits.size(-1)).float(), batch["tokens_out"].reshape(-1), ignore_index=0
    )
    return nll, {"nll": nll.item()}


def main(argv: list[str] | None = None) -> Path:
    args = build_parser().parse_args(argv)
    out, export = run_folders(args)
    config = dataclass_from_args(VideoConfig, args)
    if args.data:
        train_items = folder_items(args.data, args.videos or ".", "train")
        valid_items = folder_items(args.data, args.videos or ".", "valid")
        vocab = build_vocabulary(train_items, args.min_freq)
        dataset = VideoFileDataset(train_items, vocab, config.frames, config.frame_size)
    else:
        vocab = clip_vocabulary()
        dataset = ClipDataset(
            "train",
            args.train_clips,
            vocab,
            config.frame_size,
            vary_style=True,
            cache=args.cache,
            shares=kind_shares(args.two_object_share),
        )
    config.vocab_size = len(vocab)
    train_config = dataclass_from_args(TrainConfig, args)
    torch.manual_seed(train_config.seed)
    model = VideoModel(config)
    if args.init:
        init_from(model, args.init, vocab)
    if is_main_process():
        n_params = sum(p.numel() for p in model.parameters())
        print(
            f"{len(dataset)} training captions, {len(vocab)} words; model {n_params / 1e6:.2f} M parameters",
            flush=True,
        )

    def evaluate(m: nn.Module) -> dict[str, float]:
        tagger = VideoTagger(m, vocab, device=next(m.parameters()).device)
        if args.data:
            items = valid_items[:300]
            metrics = score_videos(
                tagger, [i.path for i in items], [i.references for i in items], 1
            )
            metrics.pop("examples")
            return metrics | {"select": metrics["cider"]}
        metrics = evaluate_clips(tagger, args.valid_clips, beam_size=1, split="valid")
        floats = {k: v for k, v in metrics.items() if isinstance(v, float)}
        return floats | {"select": floats["actions_right"] + floats["exact"] + floats["bleu4"]}

    def export_model(m: nn.Module, metrics: dict[str, float]) -> None:
        save_pretrained(m, export, config, model_type=MODEL_TYPE, format_version=FORMAT_VERSION)
        vocab.save(export / VOCAB_NAME)

    result = fit(
        model,
        dataset,
        config=train_config,
        out_dir=out,
        loss_fn=loss_fn,
        collate_fn=collate,
        evaluate=evaluate,
        select="select",
        mode="max",
        on_best=export_model,
    )
    if not is_main_process():
        return export
    best = VideoTagger(load_weights(VideoModel(config), export), vocab)
    if args.data:
        data = {
            "kind": "folder",
            "captions": args.data,
            "videos": args.videos or ".",
            "train_videos": len(train_items),
        }
        test_items = folder_items(args.data, args.videos or ".", "test")
        metrics = score_videos(
            best, [i.path for i in test_items], [i.references for i in test_items], TEST_BEAM
        )
        what = f"{len(test_items)} test videos"
    else:
        data = {
            "kind": "clips",
            "train_clips": args.train_clips,
            "two_object_share": args.two_object_share,
        }
        metrics = evaluate_clips(best, args.test_clips, TEST_BEAM)
        what = f"{args.test_clips} fresh test clips"
    examples = metrics.pop("examples")
    info = {
        "data": data,
        "selected_by": "CIDEr-D" if args.data else "score (actions right + exact + BLEU-4)",
        # A model started from another lists the runs behind that one first.
        "history": [
            *(read_info(args.init).get("history", []) if args.init else []),
            run_record(
                command_line("video.train", argv),
                result.step,
                result.best_step,
                result.seconds,
                batch_size=train_config.batch_size,
            ),
        ],
        "test": {
            "data": what,
            "beam_size": TEST_BEAM,
            "metrics": {k: round(float(v), 4) for k, v in metrics.items()},
            "examples": [{"reference": r, "model": h} for r, h in examples],
        },
    }
    write_info(export, info)
    write_card(export)
    print(f"exported {export}")
    return export


if __name__ == "__main__":
    run_script(main)
