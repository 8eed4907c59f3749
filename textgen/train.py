"""Train a language model (left-to-right and right-to-left, together) on a stream of text.

Truncated backpropagation through time: the training text is one stream laid out as
``--batch-size`` rows; each step reads the next ``--seq-len`` tokens of every row, starting
from the state the previous step ended in (gradients stop at the chunk boundary). The model
with the best validation bits per character is exported with its tokenizer and card.
(Under ``torchrun`` each process takes every N-th step's chunks, so no state is carried
there: every chunk starts from the zero state. One process is the recipe.)

Examples:
    python -m textgen.train --corpus shakespeare --max-steps 2                  # smoke run
    python -m textgen.train --corpus shakespeare --out runs/textgen-shakespeare \\
        --export textgen/pretrained/shakespeare
    python -m textgen.train --corpus english --tokenizer subword --out runs/textgen-english \\
        --export textgen/pretrained/english
    python -m textgen.train --corpus my_texts/ --cell gru --max-minutes 30      # your own text
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import torch
from torch import nn

from shared.cards import run_record, write_info
from shared.cli import (
    add_fp16_weights_flag,
    command_line,
    dataclass_from_args,
    run_folders,
    run_script,
    train_script,
)
from shared.pretrained import save_pretrained
from shared.training import TrainConfig, fit
from textgen.card import write_card
from textgen.corpora import by_split
from textgen.data import CORPORA, StreamChunks, collate, load_corpus, token_stream
from textgen.fetch import DEFAULT_CACHE
from textgen.model import FORMAT_VERSION, MODEL_TYPE, TextModel, TextModelConfig, detach_state
from textgen.scoring import bits_per_char
from textgen.tokenizer import train_tokenizer

TRAIN_DEFAULTS = dict(
    max_steps=20000, batch_size=32, lr=2e-3, warmup_steps=200, eval_every=500,
    checkpoint_every=250, log_every=50, weight_decay=0.01,
)  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    script = train_script(
        "textgen.train", __doc__, model_config=TextModelConfig, train_config=TrainConfig,
        train_defaults=TRAIN_DEFAULTS, out=None, out_help="runs/textgen-<corpus>",
        skip=("vocab_size",),
    )  # fmt: skip
    data, run = script.data, script.run
    data.add_argument(
        "--corpus",
        default="shakespeare",
        help=f"{' or '.join(CORPORA)}, or a text file or folder (default: shakespeare)",
    )
    data.add_argument(
        "--cache",
        type=Path,
        default=DEFAULT_CACHE,
        help=f"where corpora are fetched to (default: {DEFAULT_CACHE})",
    )
    data.add_argument(
        "--tokenizer", choices=("char", "subword"), default="char", help="(default: char)"
    )
    data.add_argument(
        "--vocab-size", type=int, default=8000, help="subword vocabulary (default: 8000)"
    )
    data.add_argument(
        "--seq-len", type=int, default=128, help="tokens per row and step (default: 128)"
    )
    data.add_argument(
        "--valid-chars",
        type=int,
        default=200_000,
        help="validation characters scored at each evaluation (default: 200000; 0: all)",
    )
    add_fp16_weights_flag(run)
    return script.parser


class CarriedStateLoss:
    """The loss of both directions on one chunk, with each row's state carried over from the
    chunk before it (and dropped at an epoch's start, or after a resume, when the previous
    chunk was not the one just read)."""

    def __init__(self) -> None:
        self.chunk: int | None = None
        self.states: tuple = (None, None)

    def __call__(self, model: nn.Module, batch: dict) -> tuple[torch.Tensor, dict[str, float]]:
        follows = self.chunk is not None and batch["chunk"] == self.chunk + 1
        state, reversed_state = self.states if follows else (None, None)
        logits, state, reversed_logits, reversed_state = model(
            batch["inputs"], state, batch["reversed_inputs"], reversed_state
        )
        self.chunk, self.states = (
            batch["chunk"],
            (detach_state(state), detach_state(reversed_state)),
        )
        loss = nn.functional.cross_entropy(logits.transpose(1, 2), batch["targets"])
        logs = {"forward_bits": loss.item() / math.log(2)}
        if reversed_logits is not None:
            backward = nn.functional.cross_entropy(
                reversed_logits.transpose(1, 2), batch["reversed_targets"]
            )
            logs["backward_bits"] = backward.item() / math.log(2)
            loss = loss + backward
        return loss, logs


def export_model(model: TextModel, tokenizer, folder: Path, fp16: bool = True) -> None:
    dtype = torch.float16 if fp16 else None
    save_pretrained(
        model,
        folder,
        model.config,
        model_type=MODEL_TYPE,
        format_version=FORMAT_VERSION,
        dtype=dtype,
    )
    tokenizer.save(folder)


def main(argv: list[str] | None = None) -> Path:
    args = build_parser().parse_args(argv)
    config = dataclass_from_args(TextModelConfig, args)
    corpus_name = Path(args.corpus).name if Path(args.corpus).exists() else args.corpus
    out, export = run_folders(args, f"runs/textgen-{corpus_name}")
    train_config = dataclass_from_args(TrainConfig, args)

    splits = by_split(load_corpus(args.corpus, args.cache))
    if not splits["train"] or not splits["valid"]:
        raise ValueError(
            f"{args.corpus} gives {len(splits['train'])} training and {len(splits['valid'])}"
            " validation documents; both are needed (a folder with train/ and valid/ sets them)"
        )
    tokenizer = train_tokenizer(args.tokenizer, [d.text for d in splits["train"]], args.vocab_size)
    config.vocab_size = tokenizer.vocab_size
    stream = token_stream(splits["train"], tokenizer)
    chunks = StreamChunks(stream, train_config.batch_size, args.seq_len)
    train_chars = sum(len(d.text) for d in splits["train"])
    print(
        f"{len(splits['train'])} training documents, {train_chars} characters, {len(stream)}"
        f" {tokenizer.kind} tokens ({tokenizer.vocab_size} kinds); {chunks.chunks} steps per epoch",
        flush=True,
    )

    torch.manual_seed(train_config.seed)
    model = TextModel(config)

    def evaluate(m: nn.Module) -> dict[str, float]:
        figures = bits_per_char(m.forward_lm, tokenizer, splits["valid"], args.valid_chars)
        return {"bpc": figures["bpc"]}

    result = fit(
        model, chunks, config=train_config, out_dir=out, loss_fn=CarriedStateLoss(),
        collate_fn=collate, batch_plan=chunks.plan, evaluate=evaluate, select="bpc", mode="min",
        on_best=lambda m, _: export_model(m, tokenizer, export, args.fp16_weights),
    )  # fmt: skip
    history = [
        run_record(
            command_line("textgen.train", argv), result.step, result.best_step, result.seconds,
            batch_size=train_config.batch_size, seq_len=args.seq_len,
        )
    ]  # fmt: skip
    write_info(export, {
        "data": {
            "corpus": args.corpus, "tokenizer": tokenizer.kind,
            "documents": {s: len(d) for s, d in splits.items()},
            "characters": {s: sum(len(x.text) for x in d) for s, d in splits.items()},
            "train_tokens": len(stream),
        },
        "history": history,
        "valid_bpc": result.best_metric,
    })  # fmt: skip
    write_card(export)
    print(
        f"best validation bpc {result.best_metric:.3f} at step {result.best_step}; exported {export}"
    )
    return export


if __name__ == "__main__":
    run_script(main)
