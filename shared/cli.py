"""Command-line plumbing: dataclass fields become ``--flags`` (their help taken from the
class docstring's ``Attributes:`` section), and back."""

from __future__ import annotations

import argparse
import dataclasses
import re
import shlex
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, get_type_hints

C = TypeVar("C")


def attribute_docs(cls: type) -> dict[str, str]:
    """``{field: text}`` from a Google-style ``Attributes:`` section (``a, b: text`` too)."""
    doc = cls.__doc__ or ""
    if "Attributes:" not in doc:
        return {}
    section = doc.split("Attributes:", 1)[1]
    texts: dict[str, str] = {}
    current: list[str] = []
    for line in section.splitlines():
        match = re.match(r"^\s{4,8}([\w, ]+):\s*(.*)$", line)
        if match and not line.startswith(" " * 12):
            current = [name.strip() for name in match.group(1).split(",")]
            for name in current:
                texts[name] = match.group(2).strip()
        elif line.strip() and current:
            for name in current:
                texts[name] += " " + line.strip()
        elif not line.strip() and texts:
            current = []
    return texts


def add_dataclass_args(
    parser: argparse.ArgumentParser,
    cls: type,
    *,
    title: str | None = None,
    defaults: dict[str, Any] | None = None,
    skip: tuple[str, ...] = (),
) -> None:
    """Add one ``--flag`` per field of the dataclass ``cls`` (``max_steps`` -> ``--max-steps``),
    with its help from the docstring and its default shown; ``defaults`` overrides the
    dataclass's defaults; booleans become ``--flag/--no-flag``."""
    group = parser.add_argument_group(title or cls.__name__)
    hints = get_type_hints(cls)
    docs = attribute_docs(cls)
    defaults = defaults or {}
    for field in dataclasses.fields(cls):
        if field.name in skip:
            continue
        flag = "--" + field.name.replace("_", "-")
        default = defaults.get(field.name, field.default)
        kind = hints[field.name]
        text = f"{docs.get(field.name, '')} (default: {default})".strip()
        text = text.replace("%", "%%")
        if kind is bool:
            group.add_argument(
                flag,
                dest=field.name,
                default=default,
                action=argparse.BooleanOptionalAction,
                help=text,
            )
            continue
        convert = kind if kind in (int, float, str) else str
        group.add_argument(
            flag,
            dest=field.name,
            type=convert,
            default=default,
            metavar=field.name.upper(),
            help=text,
        )


def dataclass_from_args(cls: type[C], args: argparse.Namespace) -> C:
    """Build ``cls`` from the flags :func:`add_dataclass_args` added."""
    values = {
        f.name: getattr(args, f.name) for f in dataclasses.fields(cls) if hasattr(args, f.name)
    }
    return cls(**values)


def script_parser(module: str, doc: str | None) -> argparse.ArgumentParser:
    """A parser for ``python -m module`` whose help is the module docstring, as written."""
    return argparse.ArgumentParser(
        prog=f"python -m {module}",
        description=doc,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def command_line(module: str, argv: list[str] | None = None) -> str:
    """The command that ran, for model cards: ``python -m module`` and its arguments, quoted
    for a shell (``argv`` defaults to this process's)."""
    return shlex.join(["python", "-m", module, *(sys.argv[1:] if argv is None else argv)])


def add_run_args(
    parser: argparse.ArgumentParser, out: str | None, out_help: str | None = None
) -> argparse._ArgumentGroup:
    """The "run" group every training script has (``--out``, ``--export``, ``--threads``);
    returned so the script can add its own run flags to it.

    Args:
        out: the default run folder (None: the script derives one; say how in ``out_help``).
    """
    run = parser.add_argument_group("run")
    run.add_argument(
        "--out",
        default=out,
        help=f"run folder for checkpoints and logs (default: {out_help or out})",
    )
    run.add_argument("--export", default=None, help="model folder to write (default: <out>/model)")
    run.add_argument("--threads", type=int, default=0, help="CPU threads (default: torch's choice)")
    return run


def add_fp16_weights_flag(group: argparse._ArgumentGroup) -> None:
    """``--fp16-weights`` / ``--no-fp16-weights``: whether an exported model stores its
    weights in float16 (half the size; on by default)."""
    group.add_argument(
        "--fp16-weights",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="store weights in float16 (half the size; default: on)",
    )


@dataclasses.dataclass
class TrainScript:
    """The parser every ``<app>.train`` has, with its groups in one order: ``data`` and
    ``run`` for the script's own flags (``run`` already holds ``--out``, ``--export``,
    ``--threads``), then the model's architecture flags and the training flags, each from
    its dataclass."""

    parser: argparse.ArgumentParser
    data: argparse._ArgumentGroup
    run: argparse._ArgumentGroup


def train_script(
    module: str,
    doc: str | None,
    *,
    model_config: type,
    train_config: type,
    train_defaults: dict[str, Any],
    out: str | None,
    out_help: str | None = None,
    skip: tuple[str, ...] = (),
) -> TrainScript:
    """A training script's parser (see :class:`TrainScript`); ``skip`` names model fields
    that the script sets itself (say, ``vocab_size``)."""
    parser = script_parser(module, doc)
    data = parser.add_argument_group("data")
    run = add_run_args(parser, out, out_help)
    add_dataclass_args(parser, model_config, title="model", skip=skip)
    add_dataclass_args(parser, train_config, title="training", defaults=train_defaults)
    return TrainScript(parser, data, run)


def run_folders(args: argparse.Namespace, out: str | None = None) -> tuple[Path, Path]:
    """Set the CPU threads a training run asked for; return its run folder (``--out``, or
    ``out`` when the script derives it) and its export folder (``--export``, else
    ``<out>/model``)."""
    import torch  # only the scripts that train need it

    if args.threads:
        torch.set_num_threads(args.threads)
    folder = Path(args.out or out)
    return folder, Path(args.export) if args.export else folder / "model"


def run_script(main: Callable[[], Any]) -> None:
    """Run a script's ``main``; an error the user can fix (a bad run folder, a model folder
    that does not load, bad data: a ``ValueError``) ends it with its message and exit code 2,
    not a traceback. ``kill`` (SIGTERM) stops it as Ctrl-C does, so a training run saves its
    checkpoint first (a job in the background ignores Ctrl-C's SIGINT; it still gets this);
    either ends it with exit code 130 (the shell's code for Ctrl-C) and no traceback, since
    the run has already said where its checkpoint is."""
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        main()
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")
