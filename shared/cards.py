"""Model cards written from what a model folder records.

Every app keeps the facts behind its model in the folder's ``training.json`` (data, the
training runs, held-out figures, examples) and renders its ``README.md`` card from that file,
the ``config.json`` and the weights, so a card can be written again at any time and a figure
measured later lands on it without hand edits. This module holds what every app's card
shares; each app's ``card.py`` holds its own template.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from safetensors import safe_open

from shared.cli import script_parser
from shared.distributed import hardware_description
from shared.pretrained import CARD_NAME, WEIGHTS_NAME

INFO_NAME = "training.json"


def read_info(model_dir: str | Path) -> dict[str, Any]:
    """The folder's ``training.json`` ({} if it has none)."""
    path = Path(model_dir) / INFO_NAME
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def write_info(model_dir: str | Path, info: dict[str, Any]) -> None:
    """Write ``training.json`` (UTF-8, readable by people: indented, non-ASCII kept)."""
    (Path(model_dir) / INFO_NAME).write_text(
        json.dumps(info, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def run_record(
    command: str, steps: int, best_step: int | None, seconds: float, **extra: Any
) -> dict[str, Any]:
    """One training run for ``training.json``'s ``history``: the command, steps, the step
    of the best validation figure, minutes and the hardware of this process."""
    return {
        "command": command,
        "steps": steps,
        "best_step": best_step,
        "minutes": round(seconds / 60, 1),
        "hardware": hardware_description(),
        **extra,
    }


def describe_run(run: dict[str, Any], selected_by: str) -> str:
    """One line of the card's recipe: steps (and batch), the best step by ``selected_by``,
    time and hardware, and the run's hand-written ``note`` where it has one."""
    if "steps" not in run:
        return "(see that model's card for its steps and hardware)"
    batch = f" (batch {run['batch_size']})" if run.get("batch_size") else ""
    note = f" ({run['note']})" if run.get("note") else ""
    return (
        f"{run['steps']} steps{batch}, best validation {selected_by} at step {run['best_step']};"
        f" {run['minutes']:g} minutes of training on {run['hardware']}{note}."
    )


def render_recipe(history: list[dict[str, Any]], describe: Callable[[dict[str, Any]], str]) -> str:
    """Every run behind the model, oldest first: its command in a code block, then
    ``describe(run)``; later runs continued from the model the earlier ones made."""
    return "\n\n".join(
        ("Then, continuing from that model:\n" if i else "")
        + f"```\n{run['command']}\n```\n{describe(run)}"
        for i, run in enumerate(history)
    )


def weights_summary(model_dir: str | Path) -> str:
    """ "N M parameters; weights stored in DTYPE: S MB", read from ``model.safetensors``
    (floating-point tensors only)."""
    path = Path(model_dir) / WEIGHTS_NAME
    count, dtypes = 0, set()
    with safe_open(str(path), framework="pt") as f:
        for name in f.keys():  # noqa: SIM118 (safe_open is not a mapping)
            piece = f.get_slice(name)
            if piece.get_dtype() not in _FLOAT_NAMES:
                continue  # counters such as batch norm's num_batches_tracked
            n = 1
            for dim in piece.get_shape():
                n *= dim
            count += n
            dtypes.add(_FLOAT_NAMES[piece.get_dtype()])
    size_mb = path.stat().st_size / 1e6
    return (
        f"{count / 1e6:.2f} M parameters; weights stored in {'/'.join(sorted(dtypes))}:"
        f" {size_mb:.1f} MB."
    )


_FLOAT_NAMES = {"F32": "float32", "F16": "float16", "BF16": "bfloat16", "F64": "float64"}


def model_argument(model_dir: str | Path, pretrained_dir: str | Path) -> str:
    """How ``--model`` names a folder on a card: a shipped model by its name."""
    model_dir = Path(model_dir)
    if model_dir.resolve().parent == Path(pretrained_dir).resolve():
        return model_dir.name
    return str(model_dir)


def write_card(model_dir: str | Path, render: Callable[[Path], str]) -> Path:
    """Write ``README.md`` into ``model_dir`` as ``render(model_dir)``; returns its path."""
    model_dir = Path(model_dir)
    path = model_dir / CARD_NAME
    path.write_text(render(model_dir), encoding="utf-8")
    return path


def record_evaluation(
    model_dir: str | Path, entry: dict[str, Any], render: Callable[[Path], str]
) -> None:
    """Add a measurement to ``training.json``'s ``evaluations`` (replacing one of the same
    ``data``, what was scored in words) and write the card again."""
    info = read_info(model_dir)
    kept = [e for e in info.get("evaluations", []) if e["data"] != entry["data"]]
    info["evaluations"] = [*kept, entry]
    write_info(model_dir, info)
    write_card(model_dir, render)


def card_main(module: str, doc: str | None, write: Callable[[str], Path], argv=None) -> Path:
    """``python -m <app>.card MODEL_DIR``: write a model folder's card again."""
    parser = script_parser(module, doc)
    parser.add_argument("model", help="model folder whose README.md to rewrite")
    path = write(parser.parse_args(argv).model)
    print(f"wrote {path}")
    return path
