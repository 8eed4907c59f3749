"""An intent model's card (``README.md``), written from what its folder records.

Example:
    python -m intent.card intent/pretrained/gru     # rewrite its README.md
"""

from __future__ import annotations

from pathlib import Path

from intent.inference import PRETRAINED_DIR
from intent.model import FORMAT_VERSION, MODEL_TYPE, IntentConfig
from shared import cards
from shared.pretrained import load_config


def _split(counts: dict) -> str:
    names = {"train": "train", "valid": "validation", "test": "test"}
    return " / ".join(f"{counts[k]} {name}" for k, name in names.items() if k in counts)


def _share(value: float) -> str:
    return "n/a" if value != value else f"{value:.1%}"  # NaN: nothing of that kind


def _row(name: str, f: dict) -> str:
    cells = [_share(f[k]) for k in ("accuracy", "macro_f1", "oos_recall", "slot_f1")]
    return f"| {name} ({f['examples']} requests) | {' | '.join(cells)} |"


def render_card(model_dir: str | Path) -> str:
    """The card of the model in ``model_dir``, as markdown."""
    model_dir = Path(model_dir)
    config = load_config(
        model_dir, IntentConfig, model_type=MODEL_TYPE, format_version=FORMAT_VERSION
    )
    info = cards.read_info(model_dir)
    data = info.get("data", {})
    rows = [
        _row(name, info[key])
        for key, name in (
            ("test", "test"),
            ("test_with_messages", "test + held-out software messages"),
            ("valid", "validation"),
            ("handwritten", "hand-written requests, `intent/examples/requests.tsv` (no slot labels)"),
        )
        if key in info
    ]  # fmt: skip
    recall = info.get("test", {}).get("per_intent_recall", {})
    per_intent = ", ".join(f"{k} {v:.0%}" for k, v in recall.items())
    direction = "bidirectional " if config.bidirectional else ""
    measured = (
        f"Figures measured again with `{info['measured_with']}`.\n\n"
        if info.get("measured_with")
        else ""
    )
    confusion = (
        "\n![test confusion matrix](confusion.png)\n"
        if (model_dir / "confusion.png").is_file()
        else ""
    )
    return f"""# Intent model: {direction}{config.cell.upper()}

Joint intent classification and slot tagging (Liu & Lane, 2016): word embeddings plus hashed
character n-grams ({config.ngram_buckets} buckets, {config.embed_dim} dimensions) feed one {direction}{config.cell.upper()}
layer stack ({config.num_layers} x {config.hidden_size}); the intent head reads the {config.pooling} state,
the slot head tags every word from the outputs at it and the next {config.slot_lookahead} (BIO: time,
date, location, duration; read with a search that only allows valid BIO sequences). {config.n_intents} intents,
`out_of_scope` among them.

## Data
Templates from OpenVoiceOS skills (`intent/corpus/ovos.tsv`) and the project's own
(`intent/corpus/own/`), split by phrasing family: {_split(data.get("families", {}))} families
({_split(data.get("templates", {}))} templates). Slot values are split too, so every test
request is a new phrasing with new values. {data.get("train_examples")} training requests were
drawn; `out_of_scope` also takes English gettext messages from `{data.get("catalog_dir")}`, split
by catalog ({_split(data.get("catalog_messages", {}))} messages).

## Recipe
{cards.render_recipe(info.get("history", []), lambda run: cards.describe_run(run, "accuracy + slot F1"))}

## Held-out figures
| data | intent accuracy | macro-F1 | out-of-scope recall | slot F1 (seqeval) |
| --- | --- | --- | --- | --- |
{chr(10).join(rows)}

Recall per intent (test): {per_intent}.
{confusion}

{measured}## Size
{cards.weights_summary(model_dir)}

Measure it again: `python -m intent.evaluate --model {cards.model_argument(model_dir, PRETRAINED_DIR)}`.
"""


def write_card(model_dir: str | Path) -> Path:
    """Write ``README.md`` into ``model_dir`` from what the folder records; returns its path."""
    return cards.write_card(model_dir, render_card)


def main(argv: list[str] | None = None) -> Path:
    return cards.card_main("intent.card", __doc__, write_card, argv)


if __name__ == "__main__":
    main()
