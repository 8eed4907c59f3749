"""Command-line plumbing: dataclass fields become ``--flags``, and back."""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any, TypeVar, get_type_hints

C = TypeVar("C")


def add_dataclass_args(
    parser: argparse.ArgumentParser,
    cls: type,
    *,
    prefix: str = "",
    title: str | None = None,
    help_texts: dict[str, str] | None = None,
    skip: tuple[str, ...] = (),
) -> None:
    """Add one ``--flag`` per field of the dataclass ``cls`` (``max_steps`` -> ``--max-steps``),
    with its default shown; booleans become ``--flag/--no-flag``."""
    group = parser.add_argument_group(title or cls.__name__)
    hints = get_type_hints(cls)
    help_texts = help_texts or {}
    for field in dataclasses.fields(cls):
        if field.name in skip:
            continue
        flag = "--" + prefix + field.name.replace("_", "-")
        default = field.default
        kind = hints[field.name]
        text = help_texts.get(field.name, "")
        if kind is bool:
            group.add_argument(
                flag,
                dest=prefix + field.name,
                default=default,
                action=argparse.BooleanOptionalAction,
                help=f"{text} (default: {default})".strip(),
            )
            continue
        convert = kind if kind in (int, float, str) else str
        group.add_argument(
            flag,
            dest=prefix + field.name,
            type=convert,
            default=default,
            metavar=field.name.upper(),
            help=f"{text} (default: {default})".strip(),
        )


def dataclass_from_args(cls: type[C], args: argparse.Namespace, *, prefix: str = "") -> C:
    """Build ``cls`` from the flags :func:`add_dataclass_args` added."""
    values: dict[str, Any] = {}
    for field in dataclasses.fields(cls):
        key = prefix + field.name
        if hasattr(args, key):
            values[field.name] = getattr(args, key)
    return cls(**values)
