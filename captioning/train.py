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

from captioning.data import CaptionDataset, build_vocabulary, collate, karpathy_items, scene_items
from captioning.evaluate import caption_metrics, evaluate_scenes
from captioning.inference import VOCAB_NAME, Captioner
from captioning.model import FORMAT_VERSION, MODEL_TYPE, CaptionConfig, CaptionModel
from shared.attention import doubly_stochastic_penalty
from shared.cli import (
    add_dataclass_args,
    add_run_args,
    command_line,
    dataclass_from_args,
    script_parser,
)
from shared.distributed import hardware_description, is_main_process
from shared.pretrained import load_weights, save_pretrained
from shared.training import TrainConfig, fit

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
    parser = script_parser("captioning.train", __doc__)
    data = parser.add_argument_group("data")
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
        "--min-freq",
        type=int,
        default=1,
        help="keep words seen at least this often (default: 1; 5 suits Flickr/COCO)",
    )
    run = add_run_args(parser, "runs/shapes")
    run.add_argument(
        "--pretrained",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="ResNet ImageNet weights from the local torch cache (default: on)",
    )
    add_dataclass_args(parser, CaptionConfig, title="model", skip=("vocab_size",))
    add_dataclass_args(parser, TrainConfig, title="training", defaults=TRAIN_DEFAULTS)
    return parser


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
    if args.threads:
        torch.set_num_threads(args.threads)
    out = Path(args.out)
    export = Path(args.export) if args.export else out / "model"
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
        config, pretrained_encoder=args.pretrained and config.encoder != "scene-cnn"
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
        loss_fn=make_loss_fn(config.attention_penalty),
        collate_fn=collate,
        evaluate=evaluate,
        select="select",
        mode="max",
        on_best=export_model,
    )
    if not is_main_process():
        return export
    best = Captioner(load_weights(CaptionModel(config), export), vocab)
    figures = evaluate_scenes(best, 1000, beam_size=3, split="test") if not args.data else None
    write_card(export, args, config, n_params, result, figures, argv)
    print(f"exported {export}")
    return export


def write_card(
    export: Path, args, config: CaptionConfig, n_params: int, result, figures, argv
) -> None:
    command = command_line("captioning.train", argv)
    size_mb = (export / "model.safetensors").stat().st_size / 1e6
    rows = ""
    if figures:
        rows = "\n".join(f"| {k} | {v:.3f} |" for k, v in figures.items() if isinstance(v, float))
        examples = "\n".join(f"| {ref} | {hyp} |" for ref, hyp in figures["examples"])
    card = f"""# Scene captioning model (`{export.name}`)

A {config.encoder} encoder ({config.image_size}x{config.image_size} input, an 8x8 feature grid with
coordinate channels) and an {config.cell.upper()} decoder ({config.hidden_size}) with {config.attention} soft attention
and the doubly-stochastic attention penalty (weight {config.attention_penalty}); {config.vocab_size} words.

## Data
Procedural scenes (`captioning/scenes.py`): 1-3 shapes in six colours and two sizes, with relations
or left-to-right order; {args.train_scenes} training scenes (seeds from 0, each drawn with its own edge
smoothing and noise level), validation and test scenes from disjoint seed ranges.

## Recipe
```
{command}
```
{result.step} steps (batch {args.batch_size}), best validation at step {result.best_step}; {result.seconds / 60:.0f} minutes of training on
{hardware_description()}.

## Test figures (1000 fresh test scenes, beam 3)
| metric | value |
| --- | --- |
{rows}

`triples_right`: every `<size> <color> <shape>` right; `relation_right`: two-object scenes captioned
exactly as one of their references; `order_right`: three-object scenes listed left to right.
BLEU (sacreBLEU, 0-1) and CIDEr-D against both reference phrasings.

## Size
{n_params / 1e6:.2f} M parameters, {size_mb:.1f} MB (float32).

## Examples (test)
| reference | model |
| --- | --- |
{examples if figures else ""}

Measure it again: `python -m captioning.evaluate --model {export}`.
"""
    (export / "README.md").write_text(card, encoding="utf-8")


if __name__ == "__main__":
    main()
