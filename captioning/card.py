"""A captioning model's card (``README.md``), written from what its folder records.

``training.json`` holds the data (procedural scenes or a Karpathy-split dataset), the
training runs and the test figures; :mod:`shared.cards` renders the parts every app shares.

Example:
    python -m captioning.card captioning/pretrained/shapes     # rewrite its README.md
"""

from __future__ import annotations

from pathlib import Path

from captioning.inference import PRETRAINED_DIR
from captioning.model import FORMAT_VERSION, MODEL_TYPE, RETIRED_KEYS, CaptionConfig
from shared import cards
from shared.pretrained import load_config

SCENE_METRICS_NOTE = """`triples_right`: every `<size> <color> <shape>` right; `relation_right`: two-object scenes captioned
exactly as one of their references; `order_right`: three-object scenes listed left to right.
BLEU (sacreBLEU, 0-1) and CIDEr-D against both reference phrasings."""


def _grid(config: CaptionConfig) -> str:
    side = config.image_size // (16 if config.encoder == "scene-cnn" else 32)
    coordinates = " with\ncoordinate channels" if config.encoder == "scene-cnn" else ""
    article = "an" if str(side).startswith("8") or side in (11, 18) else "a"
    return f"{article} {side}x{side} feature grid{coordinates}"


def _data(data: dict) -> str:
    if data.get("kind") == "karpathy":
        return (
            f"Photographs and their human captions from `{data['json']}` (Karpathy split), images"
            f" read from `{data['images']}`: {data['train_images']} training images"
            f" ({data['train_captions']} captions), {data['valid_images']} validation and"
            f" {data['test_images']} test images."
        )
    return f"""Procedural scenes (`captioning/scenes.py`): 1-3 shapes in six colours and two sizes, with relations
or left-to-right order; {data["train_scenes"]} training scenes (seeds from 0, each drawn with its own edge
smoothing and noise level), validation and test scenes from disjoint seed ranges."""


def _measure_command(model_dir: Path, data: dict) -> str:
    command = (
        f"python -m captioning.evaluate --model {cards.model_argument(model_dir, PRETRAINED_DIR)}"
    )
    if data.get("kind") == "karpathy":
        command += f" --data {data['json']} --images {data['images']}"
    return command


def render_card(model_dir: str | Path) -> str:
    """The card of the captioning model in ``model_dir``, as markdown."""
    model_dir = Path(model_dir)
    config = load_config(
        model_dir,
        CaptionConfig,
        model_type=MODEL_TYPE,
        format_version=FORMAT_VERSION,
        retired=RETIRED_KEYS,
    )
    info = cards.read_info(model_dir)
    data, test = info.get("data", {}), info.get("test", {})
    scenes = data.get("kind") != "karpathy"
    title = "Scene captioning model" if scenes else "Image captioning model"
    rows = "\n".join(f"| {k} | {v:.3f} |" for k, v in test.get("metrics", {}).items())
    examples = "\n".join(f"| {e['reference']} | {e['model']} |" for e in test.get("examples", []))
    penalty = info.get("attention_penalty")
    penalty_text = (
        f"\nand the doubly-stochastic attention penalty (weight {penalty})" if penalty else ""
    )
    figures = ""
    if test:
        figures = f"""## Test figures ({test["data"]}, beam {test["beam_size"]})
| metric | value |
| --- | --- |
{rows}

{SCENE_METRICS_NOTE if scenes else "BLEU (sacreBLEU, 0-1) and CIDEr-D against every reference caption."}

"""
    if examples:
        examples = f"## Examples (test)\n| reference | model |\n| --- | --- |\n{examples}\n\n"
    recipe = cards.render_recipe(
        info.get("history", []),
        lambda run: cards.describe_run(run, info.get("selected_by", "score")),
    )
    return f"""# {title} (`{model_dir.name}`)

A {config.encoder} encoder ({config.image_size}x{config.image_size} input, {_grid(config)}) and an {config.cell.upper()} decoder ({config.hidden_size}) with {config.attention} soft attention{penalty_text}; {config.vocab_size} words.

## Data
{_data(data)}

## Recipe
{recipe}

{figures}## Size
{cards.weights_summary(model_dir)}

{examples}Measure it again: `{_measure_command(model_dir, data)}`.
"""


def write_card(model_dir: str | Path) -> Path:
    """Write ``README.md`` into ``model_dir`` from what the folder records."""
    return cards.write_card(model_dir, render_card)


def main(argv: list[str] | None = None) -> Path:
    return cards.card_main("captioning.card", __doc__, write_card, argv)


if __name__ == "__main__":
    main()
