"""A translation model's card (``README.md``), written from what its folder records.

Every figure on the card comes from the folder's ``config.json``, ``training.json`` and
weights, so the card can be written again at any time and a figure measured later lands on
it without hand edits: ``translation.tune --write`` (a new length penalty) and
``translation.evaluate --record`` (say, catalogs the model never saw) rewrite it.
``training.json`` may also hold text added by hand: ``data_source`` (where the data came
from, kept when a model is continued with ``--init``) and a ``note`` per training run.

Example:
    python -m translation.card translation/pretrained/en-fr     # rewrite its README.md
"""

from __future__ import annotations

from pathlib import Path

from shared import cards
from shared.pretrained import (
    ModelLoadError,
    load_config,
    load_generation_config,
    resolve_model_dir,
)
from translation.data import locale_dir
from translation.descriptions import ORIGIN_PREFIX
from translation.inference import PRETRAINED_DIR
from translation.model import (
    FORMAT_VERSION,
    MODEL_TYPE,
    RETIRED_KEYS,
    GenerationConfig,
    TranslationConfig,
)

EXAMPLES = 8


def describe_run(run: dict) -> str:
    """One line of the card's recipe (:func:`shared.cards.describe_run`), and how the final
    model was chosen where two were compared."""
    compared = ""
    if run.get("compared"):
        scores = ", ".join(f"step {step}: {bleu:.2f}" for step, bleu in run["compared"].items())
        on = run.get("compared_on", "all")
        compared = (
            " The best model on the greedy validation sample and the last were compared on"
            f" {on} validation pairs (BLEU at each one's best length penalty: {scores})."
        )
    return cards.describe_run(run, "BLEU") + compared


def record_evaluation(model_dir: Path, entry: dict) -> None:
    """Add a measurement to ``training.json`` and rewrite the card. ``entry`` holds
    ``data`` (what was scored, in words), ``command``, ``pairs``, ``bleu``, ``chrf``,
    ``beam_size``, ``length_penalty`` and optionally ``dropped`` (pairs left out because
    the model trained on their source), ``kind`` (``messages`` or ``prose``, where one kind
    of text was scored) and ``unseen_only`` (only sources the model never trained on)."""
    cards.record_evaluation(model_dir, entry, render_card)


def _data_source(info: dict, config: TranslationConfig) -> str:
    if info.get("data_source"):
        return info["data_source"]
    data = info.get("split", {}).get("data")
    if data:
        return ", ".join(f"`{d}`" for d in data)
    return f"the GNU gettext catalogs of the machine it was trained on (`{locale_dir(config.tgt_lang)}`)"


def _sample_line(model_dir: Path) -> str:
    sample = model_dir / "test_sample.tsv"
    if not sample.is_file():
        return ""
    with open(sample, encoding="utf-8") as f:
        count = sum(1 for _ in f)
    return f" `test_sample.tsv` holds {count} test pairs."


def _sweep(info: dict, generation: GenerationConfig) -> str:
    sweep = info.get("length_penalty")
    if not sweep:
        return f"Length penalty alpha {generation.length_penalty:g}."
    table = ", ".join(f"{a}: {b:.2f}" for a, b in sweep["validation_bleu"].items())
    return (
        f"Length penalty alpha {generation.length_penalty:g}, chosen on"
        f" {_share(sweep['validation_pairs'], info, 'valid')} validation pairs (BLEU at each alpha, beam"
        f" {sweep['beam_size']}: {table}); `python -m translation.tune` repeats the sweep."
    )


def _share(count: int, info: dict, split: str) -> str:
    """``all N`` where ``count`` pairs are the whole split, else ``N of the M`` (the end of a
    run with a short budget scores a sample; see ``translation/budget.py``)."""
    total = info.get("pairs", {}).get(split)
    return f"all {count}" if total in (None, count) else f"{count} of the {total}"


def _evaluations(info: dict) -> str:
    entries = info.get("evaluations")
    if not entries:
        return ""
    lines = ["## Other held-out data\n"]
    for e in entries:
        dropped = (
            f" ({e['dropped']} more left out: the model trained on their source)"
            if e.get("dropped")
            else ""
        )
        lines.append(
            f"{e['data']}: {e['pairs']} pairs{dropped}; BLEU {e['bleu']:.1f}, chrF"
            f" {e['chrf']:.1f} (beam {e['beam_size']}, length penalty"
            f" {e['length_penalty']:g}; BLEU signature `{e['bleu_signature']}`), measured"
            f" with\n```\n{e['command']}\n```\n"
        )
    return "\n".join(lines) + "\n"


def _kinds(info: dict, split: str) -> str:
    """ ", of which N software messages and M sentences of package descriptions" when the
    model learned from both kinds."""
    kinds = info.get("pairs_by_kind", {})
    if not kinds.get("prose", {}).get(split):
        return ""
    return (
        f" ({kinds['messages'][split]} software messages, {kinds['prose'][split]} sentences of"
        " package descriptions)"
    )


def _origins(origins: list[str]) -> str:
    """Held-out catalogs by name; held-out package descriptions counted, not listed."""
    catalogs = [o for o in origins if not o.startswith(ORIGIN_PREFIX)]
    described = len(origins) - len(catalogs)
    return ", ".join(catalogs) + (
        f" and the descriptions of {described} packages" if described else ""
    )


def render_card(model_dir: str | Path) -> str:
    """The card of the model in ``model_dir``, as markdown."""
    model_dir = Path(model_dir)
    config = load_config(
        model_dir,
        TranslationConfig,
        model_type=MODEL_TYPE,
        format_version=FORMAT_VERSION,
        retired=RETIRED_KEYS,
    )
    generation = load_generation_config(model_dir, GenerationConfig)
    info = cards.read_info(model_dir)
    pairs = info.get("pairs", {})
    test, valid = info.get("test", {}), info.get("valid", {})
    figures = ""
    if test:
        figures = f"""## Held-out figures (beam {test.get("beam_size", 5)}, sacreBLEU)
| split | BLEU | chrF |
| --- | --- | --- |
| test ({_share(test["pairs"], info, "test")} pairs) | {test["bleu"]:.2f} | {test["chrf"]:.1f} |
| validation ({valid["pairs"]} pairs) | {valid["bleu"]:.1f} | {valid["chrf"]:.1f} |

BLEU signature: `{test["bleu_signature"]}`; chrF signature: `{test["chrf_signature"]}`.

"""
    examples = "\n".join(
        f"| {e['source']} | {e['model']} | {e['reference']} |"
        for e in info.get("examples", [])[:EXAMPLES]
    )
    if examples:
        examples = (
            "## Examples (test)\n| source | model | reference |\n| --- | --- | --- |\n"
            + examples
            + "\n\n"
        )
    return f"""# {config.src_lang}→{config.tgt_lang} RNN translation model

A bidirectional {config.cell.upper()} encoder ({config.encoder_layers} layers, {config.hidden_size} per direction) and an
{config.decoder_cell.upper()} decoder ({config.decoder_hidden_size}) with {config.attention} attention{" and input feeding" if config.input_feeding else ""};
sentencepiece subwords ({config.src_vocab_size} source, {config.tgt_vocab_size} target).

## Data
Human translations from {_data_source(info, config)},
split by catalog: {pairs.get("train")} training pairs{_kinds(info, "train")};
validation: {pairs.get("valid")} pairs from {_origins(info.get("valid_catalogs", []))};
test: {pairs.get("test")} pairs from {_origins(info.get("test_catalogs", []))}.
No test source string is in the training data.{_sample_line(model_dir)}

## Recipe
{cards.render_recipe(info.get("history", []), describe_run)}

{figures}{_sweep(info, generation)}

{_evaluations(info)}## Size
{cards.weights_summary(model_dir)}

{examples}Measure it again: `python -m translation.evaluate --model {cards.model_argument(model_dir, PRETRAINED_DIR)}`.
"""


def recorded_by_kind(info: dict, kind: str) -> dict | None:
    """The recorded evaluation of one kind of text (``messages`` or ``prose``) on the most
    pairs, counting every pair (not the unseen-sources subset); None where none records its
    kind."""
    entries = [
        e for e in info.get("evaluations", []) if e.get("kind") == kind and not e.get("unseen_only")
    ]
    return max(reversed(entries), key=lambda e: e["pairs"], default=None)


def honest_summary(name_or_dir: str | Path) -> str:
    """One paragraph for the web app: what the model learned from and how well it translates
    each kind of text from packages it never saw, from what its folder records ("" where
    the folder records neither)."""
    try:
        info = cards.read_info(resolve_model_dir(name_or_dir, PRETRAINED_DIR))
    except (ModelLoadError, OSError, ValueError):
        return ""
    kinds = info.get("pairs_by_kind", {})
    train = info.get("pairs", {}).get("train")
    parts = []
    if train:
        what = (
            f"Debian: {kinds['messages']['train']:,} software messages and"
            f" {kinds['prose']['train']:,} sentences of package descriptions"
            if kinds.get("prose", {}).get("train")
            else "Debian's software messages"
        )
        parts.append(
            f"**Honestly:** this model learned from {train:,} human translations in {what},"
            " nothing else."
        )
    scored = [
        f"BLEU {entry['bleu']:.0f} on {text} ({entry['pairs']:,} pairs)"
        for kind, text in (("messages", "software messages"), ("prose", "description sentences"))
        if (entry := recorded_by_kind(info, kind))
    ]
    if scored:
        parts.append(f"On packages it never saw it scores {' and '.join(scored)}.")
    elif info.get("test"):
        parts.append(
            f"On {info['test']['pairs']:,} pairs of packages it never saw it scores"
            f" BLEU {info['test']['bleu']:.0f}."
        )
    if parts:
        parts.append("Everyday English far from software reads worse still: check what it writes.")
    return " ".join(parts)


def write_card(model_dir: str | Path) -> Path:
    """Write ``README.md`` into ``model_dir`` from what the folder records; returns its path."""
    return cards.write_card(model_dir, render_card)


def main(argv: list[str] | None = None) -> Path:
    return cards.card_main("translation.card", __doc__, write_card, argv)


if __name__ == "__main__":
    main()
