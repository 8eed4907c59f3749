"""Train a joint intent + slot model (one RNN; last state -> intent, every step -> slot tag).

Training requests are drawn from the training families of ``intent/corpus`` with training
slot values, plus this machine's gettext messages (training catalogs) as ``out_of_scope``;
the best model by validation accuracy + slot F1 (held-out families and values) is exported
and measured on the test families. The three shipped models differ only in ``--cell``.

Examples:
    python -m intent.train --cell gru --max-steps 2                      # smoke run
    python -m intent.train --cell gru --out runs/intent-gru --export intent/pretrained/gru
    python -m intent.train --cell rnn --seed 1 --out runs/intent-rnn-s1  # another seed
"""

from __future__ import annotations

import argparse
import functools
import json
from pathlib import Path

import torch
from torch import nn

from intent.card import write_card
from intent.data import (
    CATALOG_DIR,
    INTENTS,
    Encoder,
    SampleSpec,
    build_vocab,
    catalog_messages,
    collate,
    draw_examples,
    load_templates,
    load_values,
    split_templates,
    split_values,
)
from intent.evaluate import VALID_SEED, card_figures, score, summary
from intent.inference import LABELS_NAME, VOCAB_NAME, IntentClassifier
from intent.model import FORMAT_VERSION, MODEL_TYPE, IntentConfig, JointIntentModel
from intent.templates import slot_tags
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

TRAIN_DEFAULTS = dict(
    max_steps=8000, batch_size=64, lr=3e-3, warmup_steps=100, eval_every=250,
    checkpoint_every=250, log_every=50, ema_decay=0.999,
)  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    script = train_script(
        "intent.train", __doc__, model_config=IntentConfig, train_config=TrainConfig,
        train_defaults=TRAIN_DEFAULTS, out=None, out_help="runs/intent-<cell>",
        skip=("vocab_size", "n_intents", "n_tags"),
    )  # fmt: skip
    data, run = script.data, script.run
    data.add_argument(
        "--train-examples",
        type=int,
        default=60000,
        help="requests drawn for training (default: 60000)",
    )
    data.add_argument(
        "--valid-examples", type=int, default=3000, help="validation requests (default: 3000)"
    )
    data.add_argument(
        "--test-examples", type=int, default=3000, help="test requests for the card (default: 3000)"
    )
    data.add_argument(
        "--catalogs",
        type=Path,
        default=CATALOG_DIR,
        help=f"gettext catalogs whose messages are out_of_scope examples (default: {CATALOG_DIR}; a missing folder adds none)",
    )
    data.add_argument(
        "--message-share",
        type=float,
        default=0.3,
        help="share of out_of_scope training examples that are catalog messages (default: 0.3)",
    )
    data.add_argument(
        "--min-word-count",
        type=int,
        default=2,
        help="words seen fewer times are read through their n-grams only (default: 2)",
    )
    add_fp16_weights_flag(run)
    run.add_argument(
        "--value-dropout",
        type=float,
        default=0.3,
        help="share of slot-value words shown as unknown in training, so new values are found"
        " from their context and spelling (default: 0.3)",
    )
    run.add_argument(
        "--word-dropout",
        type=float,
        default=0.1,
        help="share of known words shown as unknown in training (default: 0.1)",
    )
    return script.parser  # fmt: skip


def loss_fn(model: nn.Module, batch: dict[str, torch.Tensor]):
    intent, slots, _ = model(batch["words"], batch["ngrams"], batch["lengths"])
    intent_loss = nn.functional.cross_entropy(intent, batch["intents"])
    slot_loss = nn.functional.cross_entropy(
        slots.reshape(-1, slots.size(-1)), batch["tags"].reshape(-1), ignore_index=-100
    )
    return intent_loss + slot_loss, {
        "intent_loss": intent_loss.item(),
        "slot_loss": slot_loss.item(),
    }


def export_model(
    model: nn.Module, config: IntentConfig, encoder: Encoder, folder: Path, fp16: bool = True
) -> None:
    dtype = torch.float16 if fp16 else None
    save_pretrained(
        model, folder, config, model_type=MODEL_TYPE, format_version=FORMAT_VERSION, dtype=dtype
    )
    encoder.vocab.save(folder / VOCAB_NAME)
    labels = {"intents": encoder.intents, "tags": encoder.tags}
    (folder / LABELS_NAME).write_text(json.dumps(labels, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> Path:
    args = build_parser().parse_args(argv)
    config = dataclass_from_args(IntentConfig, args)
    out, export = run_folders(args, f"runs/intent-{config.cell}")
    train_config = dataclass_from_args(TrainConfig, args)

    splits = split_templates(load_templates())
    values = split_values(load_values())
    messages = catalog_messages(args.catalogs)
    train_examples = draw_examples(
        splits["train"], values["train"],
        SampleSpec(args.train_examples, train_config.seed, messages["train"], args.message_share),
    )  # fmt: skip
    valid_examples = draw_examples(
        splits["valid"], values["heldout"], SampleSpec(args.valid_examples, VALID_SEED, messages["valid"], args.message_share)
    )  # fmt: skip
    vocab = build_vocab(train_examples, args.min_word_count)
    encoder = Encoder(vocab, config.ngram_buckets, INTENTS)
    config.vocab_size, config.n_intents, config.n_tags = len(vocab), len(INTENTS), len(slot_tags())
    train = [encoder.encode(e) for e in train_examples]
    print(
        f"{len(train)} training requests from {len(splits['train'])} templates"
        f" ({len(messages['train'])} catalog messages); {len(vocab)} known words", flush=True,
    )  # fmt: skip

    torch.manual_seed(train_config.seed)
    model = JointIntentModel(config)

    def evaluate(m: nn.Module) -> dict[str, float]:
        figures = score(IntentClassifier(m, encoder, next(m.parameters()).device), valid_examples)
        return {
            "accuracy": figures["accuracy"], "slot_f1": figures["slot_f1"],
            "score": (figures["accuracy"] + figures["slot_f1"]) / 2,
        }  # fmt: skip

    result = fit(
        model, train, config=train_config, out_dir=out, loss_fn=loss_fn,
        collate_fn=functools.partial(collate, word_dropout=args.word_dropout, value_dropout=args.value_dropout),
        evaluate=evaluate, select="score", mode="max",
        on_best=lambda m, _: export_model(m, config, encoder, export, args.fp16_weights),
    )  # fmt: skip

    figures = card_figures(export, args.test_examples, args.catalogs)
    print("test:", summary(figures["test"]))
    history = [
        run_record(
            command_line("intent.train", argv),
            result.step,
            result.best_step,
            result.seconds,
            batch_size=train_config.batch_size,
        )
    ]
    write_info(export, {
        "data": {
            "templates": {s: len(t) for s, t in splits.items()},
            "families": {s: len({t.family for t in ts}) for s, ts in splits.items()},
            "train_examples": len(train), "catalog_messages": {s: len(m) for s, m in messages.items()},
            "catalog_dir": str(args.catalogs),
        },
        "history": history,
        **figures,
    })  # fmt: skip
    write_card(export)
    print(f"exported {export}")
    return export


if __name__ == "__main__":
    run_script(main)
