"""A video model's card (``README.md``), written from what its folder records.

``training.json`` holds the data (procedural clips or an MSR-VTT / MSVD folder), the training
runs, the test figures and later evaluations (with a mean-pooled model compared);
:mod:`shared.cards` renders the parts every app shares.

Example:
    python -m video.card video/pretrained/shapes     # rewrite its README.md
"""

from __future__ import annotations

from pathlib import Path

from shared import cards
from shared.pretrained import load_config
from video.clips import SHARES
from video.inference import PRETRAINED_DIR
from video.model import FORMAT_VERSION, MODEL_TYPE, VideoConfig

CLIP_METRICS_NOTE = """`exact`: the whole caption is the reference; `actions_right`: every object's actions right, in
order; `objects_right`: every object named right (size, colour, shape) in the right order;
`direction_right`: objects that move, with the right direction(s); `order_right`: two-action
clips with both actions right and in order; `two_objects_right`: two-object clips with both
objects' actions right; `object_action_right`: per object. BLEU-4
(sacreBLEU, 0-1) and CIDEr-D against the one reference."""


def _data(data: dict) -> str:
    if data.get("kind") == "folder":
        return (
            f"Videos and their captions from `{data['captions']}`, videos read from"
            f" `{data['videos']}`: {data['train_videos']} training videos."
        )
    return f"""Procedural clips (`video/clips.py`): 16 frames of 96x96, one or two shapes that move, grow,
shrink, turn a colour, appear, disappear or stay still, one object doing two actions in turn;
training clips from the first {data.get("train_clips", "?")} seeds (each drawn in its own style: edge smoothing,
noise, colour shades, background, move length{_mix(data)}), validation and test clips
(the specification's own style and mix) from disjoint seed ranges."""


def _mix(data: dict) -> str:
    share = data.get("two_object_share", SHARES["two-objects"])
    return "" if share == SHARES["two-objects"] else f"; {share:.0%} of them with two objects"


def _table(metrics: dict[str, float], compare: dict[str, dict[str, float]] | None = None) -> str:
    compare = compare or {}
    head = "| metric | this model |" + "".join(f" `{name}` |" for name in compare)
    rule = "| --- | --- |" + " --- |" * len(compare)
    rows = [
        f"| {k} | {v:.3f} |" + "".join(f" {c.get(k, float('nan')):.3f} |" for c in compare.values())
        for k, v in metrics.items()
        if k != "two_action_clips"
    ]
    return "\n".join([head, rule, *rows])


def render_card(model_dir: str | Path) -> str:
    """The card of the video model in ``model_dir``, as markdown."""
    model_dir = Path(model_dir)
    config = load_config(
        model_dir, VideoConfig, model_type=MODEL_TYPE, format_version=FORMAT_VERSION
    )
    info = cards.read_info(model_dir)
    data, test = info.get("data", {}), info.get("test", {})
    clips = data.get("kind") != "folder"
    temporal = (
        f"a bidirectional {config.cell.upper()} ({config.encoder_hidden} per direction) over the frames"
        if config.temporal == "rnn"
        else "the mean of the frame features (no order)"
    )
    streams = "the scene CNN"
    if config.motion_input:
        streams += (
            " (and a second CNN, half as wide, on each frame's difference from the one before)"
        )
    where = "time and the grid's places" if config.places else "time"
    figures = ""
    if test:
        figures = f"## Test figures ({test['data']}, beam {test['beam_size']})\n{_table(test['metrics'])}\n\n"
    for entry in info.get("evaluations", []):
        figures += (
            f"## Measured later ({entry['data']}, beam {entry['beam_size']})\n"
            f"{_table(entry['metrics'], entry.get('compare'))}\n\n"
        )
    if figures and clips:
        figures += CLIP_METRICS_NOTE + "\n\n"
    examples = "\n".join(f"| {e['reference']} | {e['model']} |" for e in test.get("examples", []))
    if examples:
        examples = f"## Examples (test)\n| reference | model |\n| --- | --- |\n{examples}\n\n"
    recipe = cards.render_recipe(
        info.get("history", []),
        lambda run: cards.describe_run(run, info.get("selected_by", "score")),
    )
    command = f"python -m video.evaluate --model {cards.model_argument(model_dir, PRETRAINED_DIR)}"
    if not clips:
        command += f" --data {data['captions']} --videos {data['videos']}"
    return f"""# Video tagging model (`{model_dir.name}`)

{config.frames} frames sampled evenly from the video, each resized to {config.frame_size}x{config.frame_size} and read by
{streams} into a {config.frame_dim}-feature; {temporal}; {"an" if config.cell in ("lstm", "rnn") else "a"} {config.cell.upper()} decoder ({config.hidden_size}) with {config.attention}
attention over {where} writes the caption; {config.vocab_size} words.

## Data
{_data(data)}

## Recipe
{recipe}

{figures}## Size
{cards.weights_summary(model_dir)}

{examples}Measure it again: `{command}`.
"""


def write_card(model_dir: str | Path) -> Path:
    """Write ``README.md`` into ``model_dir`` from what the folder records."""
    return cards.write_card(model_dir, render_card)


def main(argv: list[str] | None = None) -> Path:
    return cards.card_main("video.card", __doc__, write_card, argv)


if __name__ == "__main__":
    main()
