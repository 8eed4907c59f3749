"""Train a captioning model: CNN feature grid + LSTM decoder with soft attention and the
doubly-stochastic attention penalty (Show, Attend and Tell).

By default it learns from procedural scenes rendered on the fly from seeds (train,
validation and test seeds never meet); ``--data dataset_flickr8k.json --images DIR``
trains on Flickr8k / Flickr30k / COCO in Karpathy-split JSON with a ResNet encoder.

Examples:
    python -m captioning.train --max-steps 2                                  # smoke run
    python -m captioning.train --out runs/shapes --export captioning/pretrained/shapes
    python -m captioning.train --data dataset_flickr8k.json --images Flicker8k_Dataset \\
        --encoder resnet50 --image-size 224 --finetune-blocks 1 --min-freq 5

Run the same command again to resume from the run folder's checkpoint.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
from torch import nn

from captioning.card import write_card
from captioning.data import CaptionDataset, build_vocabulary, collate, karpathy_items, scene_items
from captioning.evaluate import evaluate_scenes
from captioning.inference import VOCAB_NAME, Captioner
from captioning.model import FORMAT_VERSION, MODEL_TYPE, CaptionConfig, CaptionModel
from shared.attention import doubly_stochastic_penalty
from shared.captions import caption_metrics
from shared.cards import run_record, write_info
from shared.cli import (
    command_line,
    dataclass_from_args,
    run_folders,
    run_script,
    train_script,
)
from shared.distributed import is_main_process
from shared.pretrained import load_weights, save_pretrained
from shared.training import TrainConfig, fit

TEST_BEAM = 3
ATTENTION_PENALTY = 1.0  # as in Show, Attend and Tell
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
        "captioning.train",
        __doc__,
        model_config=CaptionConfig,
        train_config=TrainConfig,
        train_defaults=TRAIN_DEFAULTS,
        out="runs/shapes",
        skip=("vocab_size",),
    )
    data, run = script.data, script.run
    data.add_argument(
        "--data",
        help="Karpathy-split JSON (dataset_flickr8k.json, ...); default: procedural scenes",
    )
    data.add_argument("--images", help="image folder for --data")
    data.add_argument(
        "--train-scenes",
        type=int,
        default=20000,
        help="scenes rendered for training (default: 20000)",
    )
    data.add_argument(
        "--valid-scenes", type=int, default=300, help="scenes for validation (default: 300)"
    )
    data.add_argument(
        "--test-scenes",
        type=int,
        default=1000,
        help="scenes for the card's test figures (default: 1000)",
    )
    data.add_argument(
        "--min-freq",
        type=int,
        default=1,
        help="keep words seen at least this often (default: 1; 5 suits Flickr/COCO)",
    )
    run.add_argument(
        "--pretrained",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="ResNet ImageNet weights from the local torch cache (default: on)",
    )
    run.add_argument(
        "--finetune-blocks",
        type=int,
        default=0,
        help="ResNet stages (from the last) that train; 0 keeps the encoder frozen (default: 0)",
    )
    run.add_argument(
        "--attention-penalty",
        type=float,
        default=ATTENTION_PENALTY,
        help=f"weight of the doubly-stochastic attention penalty (default: {ATTENTION_PENALTY})",
    )
    return script.parser


def make_loss_fn(penalty: float):
    def loss_fn(model: nn.Module, batch: dict[str, torch.Tensor]):
        logits, attention = model(batch["images"], batch["tokens_in"])
        targets = batch["tokens_out"]
        nll = nn.functional.cross_entropy(
            logits.reshape(-1, logits.size(-1)).float(), targets.reshape(-1), ignore_index=0
        )
        reg = doubly_stochastic_penalty(attention.float(), targets == 0)
        return nll + penalty * reg, {"nll": nll.item(), "attention_penalty": reg.item()}

    return loss_fn


def main(argv: list[str] | None = None) -> Path:
    args = build_parser().parse_args(argv)
    out, export = run_folders(args)
    config = dataclass_from_args(CaptionConfig, args)
    if args.data:
        train_items = karpathy_items(args.data, args.images or ".", "train")
        valid_items = karpathy_items(args.data, args.images or ".", "valid")
    else:
        train_items = scene_items(
            "train",
            args.train_scenes,
            config.image_size,
            progress=is_main_process(),
            vary_style=True,
        )
        valid_items = scene_items("valid", args.valid_scenes, config.image_size, progress=False)
    vocab = build_vocabulary(train_items, args.min_freq)
    config.vocab_size = len(vocab)
    train_config = dataclass_from_args(TrainConfig, args)
    torch.manual_seed(train_config.seed)
    model = CaptionModel(
        config,
        pretrained_encoder=args.pretrained and config.encoder != "scene-cnn",
        finetune_blocks=args.finetune_blocks,
    )
    n_params = sum(p.numel() for p in model.parameters())
    dataset = CaptionDataset(
        train_items, vocab, config.image_size, config.encoder, first_reference_only=not args.data
    )
    if is_main_process():
        print(
            f"{len(train_items)} training images, {len(dataset)} captions, {len(vocab)} words; model {n_params / 1e6:.2f} M parameters",
            flush=True,
        )

    def evaluate(m: nn.Module) -> dict[str, float]:
        captioner = Captioner(m, vocab, device=next(m.parameters()).device)
        if args.data:
            captions = [
                r.text
                for r in captioner.caption_batch([i.path for i in valid_items[:500]], beam_size=1)
            ]
            metrics = caption_metrics(captions, [i.references for i in valid_items[:500]])
            return {k: v for k, v in metrics.items()} | {"select": metrics["cider"]}
        metrics = evaluate_scenes(captioner, args.valid_scenes, beam_size=1, split="valid")
        return {k: v for k, v in metrics.items() if isinstance(v, float)} | {
            "select": metrics["triples_right"] + metrics["bleu4"]
        }

    def export_model(m: nn.Module, metrics: dict[str, float]) -> None:
        save_pretrained(m, export, config, model_type=MODEL_TYPE, format_version=FORMAT_VERSION)
        vocab.save(export / VOCAB_NAME)

    result = fit(
        model,
        dataset,
        config=train_config,
        out_dir=out,
        loss_fn=make_loss_fn(args.attention_penalty),
        collate_fn=collate,
        evaluate=evaluate,
        select="select",
        mode="max",
        on_best=export_model,
    )
    if not is_main_process():
        return export
    best = Captioner(load_weights(CaptionModel(config), export), vocab)
    if args.data:
        test_items = karpathy_items(args.data, args.images or ".", "test")
        data = {
            "kind": "karpathy",
            "json": args.data,
            "images": args.images or ".",
            "train_images": len(train_items),
            "train_captions": len(dataset),
            "valid_images": len(valid_items),
            "test_images": len(test_items),
        }
        test = test_figures(
            best, [i.path for i in test_items], [i.references for i in test_items], "test images"
        )
    else:
        data = {"kind": "scenes", "train_scenes": args.train_scenes}
        test = evaluate_scenes(best, args.test_scenes, beam_size=TEST_BEAM, split="test")
        test = {
            "data": f"{args.test_scenes} fresh test scenes",
            "beam_size": TEST_BEAM,
            "metrics": {k: round(v, 4) for k, v in test.items() if isinstance(v, float)},
            "examples": [{"reference": r, "model": h} for r, h in test["examples"]],
        }
    info = {
        "data": data,
        "attention_penalty": args.attention_penalty,
        "selected_by": "CIDEr-D" if args.data else "score (objects right + BLEU-4)",
        "history": [
            run_record(
                command_line("captioning.train", argv),
                result.step,
                result.best_step,
                result.seconds,
                batch_size=train_config.batch_size,
            )
        ],
        "test": test,
    }
    write_info(export, info)
    write_card(export)
    print(f"exported {export}")
    return export


def test_figures(
    captioner: Captioner, images: list, references: list[list[str]], what: str
) -> dict:
    """Test figures for ``training.json``: BLEU and CIDEr-D at beam ``TEST_BEAM``."""
    captions = [r.text for r in captioner.caption_batch(images, beam_size=TEST_BEAM)]
    metrics = caption_metrics(captions, references)
    return {
        "data": f"{len(images)} {what}",
        "beam_size": TEST_BEAM,
        "metrics": {k: round(v, 4) for k, v in metrics.items()},
        "examples": [
            {"reference": refs[0], "model": c}
            for refs, c in zip(references[:5], captions[:5], strict=True)
        ],
    }


if __name__ == "__main__":
    run_script(main)
