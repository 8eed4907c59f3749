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

import argparse
import json
from pathlib import Path

from safetensors.torch import load_file

from shared.pretrained import load_config
from translation.data import locale_dir
from translation.inference import PRETRAINED_ROOT
from translation.model import FORMAT_VERSION, MODEL_TYPE, TranslationConfig

EXAMPLES = 8


def read_info(model_dir: Path) -> dict:
    """The folder's ``training.json`` ({} if it has none)."""
    path = Path(model_dir) / "training.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def write_info(model_dir: Path, info: dict) -> None:
    (Path(model_dir) / "training.json").write_text(
        json.dumps(info, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def record_evaluation(model_dir: Path, entry: dict) -> None:
    """Add a measurement to ``training.json`` (replacing one of the same ``data``) and
    rewrite the card. ``entry`` holds ``data`` (what was scored, in words), ``command``,
    ``pairs``, ``bleu``, ``chrf``, ``beam_size``, ``length_penalty`` and optionally
    ``dropped`` (pairs left out because the model trained on their source)."""
    info = read_info(model_dir)
    kept = [e for e in info.get("evaluations", []) if e["data"] != entry["data"]]
    info["evaluations"] = [*kept, entry]
    write_info(model_dir, info)
    write_card(model_dir)


def describe_run(run: dict) -> str:
    """One line of the card's recipe: steps, time and hardware of a training run, the
    run's ``note`` where one was added to ``training.json`` (say, what ran beside it), and
    how the final model was chosen where two were compared."""
    if "steps" not in run:
        return "(see that model's card for its steps and hardware)"
    note = f" ({run['note']})" if run.get("note") else ""
    compared = ""
    if run.get("compared"):
        scores = ", ".join(f"step {step}: {bleu:.2f}" for step, bleu in run["compared"].items())
        compared = (
            " The best model on the greedy validation sample and the last were compared on all"
            f" validation pairs (BLEU at each one's best length penalty: {scores})."
        )
    return (
        f"{run['steps']} steps, best validation BLEU at step {run['best_step']};"
        f" {run['minutes']:g} minutes of training on {run['hardware']}{note}.{compared}"
    )


def _weights(model_dir: Path) -> tuple[int, str]:
    """Parameter count and storage dtype of ``model.safetensors``."""
    tensors = load_file(model_dir / "model.safetensors")
    dtypes = sorted({str(t.dtype).removeprefix("torch.") for t in tensors.values()})
    return sum(t.numel() for t in tensors.values()), "/".join(dtypes)


def _model_argument(model_dir: Path) -> str:
    """How ``--model`` names this folder: a shipped model by its name."""
    if model_dir.resolve().parent == PRETRAINED_ROOT.resolve():
        return model_dir.name
    return str(model_dir)


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


def _recipe(history: list[dict]) -> str:
    return "\n\n".join(
        ("Then, continuing from that model:\n" if i else "")
        + f"```\n{run['command']}\n```\n{describe_run(run)}"
        for i, run in enumerate(history)
    )


def _sweep(info: dict, config: TranslationConfig) -> str:
    sweep = info.get("length_penalty")
    if not sweep:
        return f"Length penalty alpha {config.length_penalty:g}."
    table = ", ".join(f"{a}: {b:.2f}" for a, b in sweep["validation_bleu"].items())
    return (
        f"Length penalty alpha {config.length_penalty:g}, chosen on all"
        f" {sweep['validation_pairs']} validation pairs (BLEU at each alpha, beam"
        f" {sweep['beam_size']}: {table}); `python -m translation.tune` repeats the sweep."
    )


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


def render_card(model_dir: str | Path) -> str:
    """The card of the model in ``model_dir``, as markdown."""
    model_dir = Path(model_dir)
    config = load_config(
        model_dir, TranslationConfig, model_type=MODEL_TYPE, format_version=FORMAT_VERSION
    )
    info = read_info(model_dir)
    n_params, dtype = _weights(model_dir)
    size_mb = (model_dir / "model.safetensors").stat().st_size / 1e6
    pairs = info.get("pairs", {})
    test, valid = info.get("test", {}), info.get("valid", {})
    figures = ""
    if test:
        figures = f"""## Held-out figures (beam {test.get("beam_size", 5)}, sacreBLEU)
| split | BLEU | chrF |
| --- | --- | --- |
| test ({test["pairs"]} pairs) | {test["bleu"]:.2f} | {test["chrf"]:.1f} |
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
split by catalog: {pairs.get("train")} training pairs;
validation: {pairs.get("valid")} pairs from {", ".join(info.get("valid_catalogs", []))};
test: {pairs.get("test")} pairs from {", ".join(info.get("test_catalogs", []))}.
No test source string is in the training data.{_sample_line(model_dir)}

## Recipe
{_recipe(info.get("history", []))}

{figures}{_sweep(info, config)}

{_evaluations(info)}## Size
{n_params / 1e6:.2f} M parameters; weights stored in {dtype}: {size_mb:.1f} MB.

{examples}Measure it again: `python -m translation.evaluate --model {_model_argument(model_dir)}`.
"""


def write_card(model_dir: str | Path) -> Path:
    """Write ``README.md`` into ``model_dir`` from what the folder records; returns its path."""
    path = Path(model_dir) / "README.md"
    path.write_text(render_card(model_dir), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(
        prog="python -m translation.card", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("model", help="model folder whose README.md to rewrite")
    path = write_card(parser.parse_args(argv).model)
    print(f"wrote {path}")
    return path


if __name__ == "__main__":
    main()
