"""Measure an intent model on held-out requests: intent accuracy, macro-F1, out-of-scope
recall, slot F1 (seqeval, exact spans), and a confusion matrix plot.

The test set is drawn from the template families and slot values held out of training
(:mod:`intent.data`); ``--messages`` adds the held-out gettext catalogs' messages as
``out_of_scope`` requests, and ``--file`` scores a file of your own (``intent<TAB>text``
a line, no slot labels).

Examples:
    python -m intent.evaluate --model gru
    python -m intent.evaluate --model runs/intent-lstm/model --examples 4000 --plot confusion.png
    python -m intent.evaluate --model gru --file my_requests.tsv
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from seqeval.metrics import f1_score as span_f1
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, recall_score

from intent.card import write_card
from intent.data import (
    CATALOG_DIR,
    OUT_OF_SCOPE,
    SampleSpec,
    catalog_messages,
    draw_examples,
    load_templates,
    load_values,
    split_templates,
    split_values,
)
from intent.inference import PRETRAINED_DIR, IntentClassifier
from intent.templates import Example, label_words
from shared.cards import read_info, write_info
from shared.cli import command_line, run_script, script_parser
from shared.pretrained import resolve_model_dir

TEST_SEED = 12345
VALID_SEED = 777  # the validation draw training selects on
HANDWRITTEN = Path(__file__).parent / "examples" / "requests.tsv"
CONFUSION_NAME = "confusion.png"


def heldout_examples(
    split: str = "test",
    size: int = 3000,
    seed: int = TEST_SEED,
    messages: bool = False,
    catalog_dir: Path = CATALOG_DIR,
) -> list[Example]:
    """A fresh sample of ``split``'s templates filled with held-out slot values (and, with
    ``messages``, that split's catalog messages as ``out_of_scope``)."""
    extra = catalog_messages(catalog_dir)[split] if messages else []
    return _draw_heldout(split, size, seed, extra)


def _draw_heldout(split: str, size: int, seed: int, messages: list[str]) -> list[Example]:
    templates = split_templates(load_templates())[split]
    values = split_values(load_values())["heldout"]
    return draw_examples(templates, values, SampleSpec(size, seed, messages))


def card_figures(model_dir: Path, examples: int = 3000, catalog_dir: Path = CATALOG_DIR) -> dict:
    """Every figure a model card shows, measured now: validation (the draw training selected
    on), test, test plus held-out software messages and the hand-written requests; the test
    confusion matrix also goes to ``confusion.png`` in ``model_dir``."""
    clf = IntentClassifier.from_pretrained(model_dir)
    messages = catalog_messages(catalog_dir)  # read once: every catalog on the machine
    test = score(clf, _draw_heldout("test", examples, TEST_SEED, []))
    figures = {
        "valid": score(clf, _draw_heldout("valid", examples, VALID_SEED, messages["valid"])),
        "test": test,
        "test_with_messages": score(clf, _draw_heldout("test", examples, TEST_SEED, messages["test"])),
        **({"handwritten": score(clf, read_request_file(HANDWRITTEN))} if HANDWRITTEN.is_file() else {}),
    }  # fmt: skip
    title = f"Test confusion, {clf.config.cell.upper()} (rows: truth)"
    confusion_figure(test["confusion"], title).savefig(Path(model_dir) / CONFUSION_NAME, dpi=100)
    keys = ("examples", "accuracy", "macro_f1", "oos_recall", "slot_f1", "per_intent_recall")
    return {
        **{name: {k: f[k] for k in keys} for name, f in figures.items()},
        "confusion": test["confusion"],
    }


def score(clf: IntentClassifier, examples: list[Example], batch_size: int = 256) -> dict:
    """Intent accuracy, macro-F1 over the intents present, out-of-scope recall and slot F1.

    Returns:
        a dict of those figures (fractions), ``examples``, and ``confusion``: the matrix as
        nested lists with its ``labels``.
    """
    predicted, gold_tags, pred_tags = [], [], []
    for start in range(0, len(examples), batch_size):
        chunk = examples[start : start + batch_size]
        for example, result in zip(chunk, clf.classify_batch([e.text for e in chunk]), strict=True):
            predicted.append(result.intent)
            tokens, tags = label_words(example.text, example.spans)
            gold_tags.append(tags)
            pred = ["O"] * len(tokens)
            for slot, _, a, b in result.slots:
                inside = [k for k, t in enumerate(tokens) if t.start >= a and t.end <= b]
                for n, k in enumerate(inside):
                    pred[k] = f"{'B' if n == 0 else 'I'}-{slot}"
            pred_tags.append(pred)
    gold = [e.intent for e in examples]
    labels = [name for name in clf.intents if name in set(gold) | set(predicted)]
    recall = recall_score(gold, predicted, labels=labels, average=None, zero_division=0)
    oos = [p == OUT_OF_SCOPE for g, p in zip(gold, predicted, strict=True) if g == OUT_OF_SCOPE]
    return {
        "examples": len(examples),
        "accuracy": float(accuracy_score(gold, predicted)),
        "macro_f1": float(f1_score(gold, predicted, labels=sorted(set(gold)), average="macro", zero_division=0)),
        "oos_recall": float(np.mean(oos)) if oos else float("nan"),
        "slot_f1": float(span_f1(gold_tags, pred_tags)) if any(any(t != "O" for t in g) for g in gold_tags) else float("nan"),
        "per_intent_recall": dict(zip(labels, map(float, recall), strict=True)),
        "confusion": {"labels": labels, "matrix": confusion_matrix(gold, predicted, labels=labels).tolist()},
    }  # fmt: skip


def confusion_figure(confusion: dict, title: str = "Intent confusion (rows: truth)"):
    """A matplotlib figure of the confusion matrix, rows normalised to recall."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels, matrix = confusion["labels"], np.array(confusion["matrix"], dtype=float)
    shares = matrix / np.maximum(matrix.sum(1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(7.5, 6.5))
    ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(labels)), labels, rotation=60, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    for i in range(len(labels)):
        for j in range(len(labels)):
            if matrix[i, j]:
                colour = "white" if shares[i, j] > 0.6 else "black"
                ax.text(j, i, int(matrix[i, j]), ha="center", va="center", fontsize=7, color=colour)
    ax.set_xlabel("predicted")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def read_request_file(path: Path) -> list[Example]:
    """``intent<TAB>text`` lines (``#`` comments) as examples without slot labels."""
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        intent, sep, text = line.partition("\t")
        if not sep:
            raise ValueError(f"{path}:{number}: expected intent<TAB>text")
        examples.append(Example(intent.strip(), text.strip(), ()))
    return examples


def summary(metrics: dict) -> str:
    def share(value: float) -> str:
        return "n/a" if value != value else f"{value:.2%}"  # NaN: nothing of that kind

    return (
        f"{metrics['examples']} requests: accuracy {share(metrics['accuracy'])}, macro-F1"
        f" {share(metrics['macro_f1'])}, out-of-scope recall {share(metrics['oos_recall'])},"
        f" slot F1 {share(metrics['slot_f1'])}"
    )


def main(argv: list[str] | None = None) -> dict:
    parser = script_parser("intent.evaluate", __doc__)
    parser.add_argument(
        "--model", default="gru", help="shipped name or model folder (default: gru)"
    )
    parser.add_argument(
        "--split", default="test", choices=("valid", "test"), help="held-out split (default: test)"
    )
    parser.add_argument("--examples", type=int, default=3000, help="requests drawn (default: 3000)")
    parser.add_argument(
        "--seed", type=int, default=TEST_SEED, help=f"the draw's seed (default: {TEST_SEED})"
    )
    parser.add_argument(
        "--messages", action="store_true", help="add the split's catalog messages as out_of_scope"
    )
    parser.add_argument("--file", type=Path, help="score intent<TAB>text lines instead")
    parser.add_argument("--plot", type=Path, help="write the confusion matrix as an image")
    parser.add_argument("--json", type=Path, help="write the figures as JSON")
    parser.add_argument(
        "--record",
        action="store_true",
        help="measure every figure of the model's card again and rewrite it (with this command)",
    )
    args = parser.parse_args(argv)
    if args.record:
        directory = resolve_model_dir(args.model, PRETRAINED_DIR)
        info = {**read_info(directory), **card_figures(directory)}
        info["measured_with"] = command_line("intent.evaluate", argv)
        write_info(directory, info)
        write_card(directory)
        print("test:", summary(info["test"]), f"\nrewrote {directory / 'README.md'}")
        return info
    clf = IntentClassifier.from_pretrained(args.model)
    if args.file:
        examples = read_request_file(args.file)
    else:
        examples = heldout_examples(args.split, args.examples, args.seed, args.messages)
    metrics = score(clf, examples)
    print(summary(metrics))
    if args.plot:
        confusion_figure(metrics["confusion"]).savefig(args.plot, dpi=120)
    if args.json:
        args.json.write_text(json.dumps(metrics, indent=2) + "\n")
    return metrics


if __name__ == "__main__":
    run_script(main)
