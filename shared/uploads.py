"""What a web form hands over for a file, as a path the apps' own loaders read.

The web app takes uploads undecoded (its events skip the UI library's own decoding), so a
bad file meets the project's loaders and their clear messages, and a huge image is refused
from its header before any pixel is decoded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def upload_path(value: Any) -> Path | None:
    """The uploaded file's path in ``value``: a file record (a dict with ``path``), a path,
    or None when nothing was given.

    Raises:
        ValueError: a record without a file (say, an inline ``data:`` URL).
    """
    if value is None or value == "":
        return None
    if isinstance(value, dict):
        if value.get("path"):
            return Path(value["path"])
        raise ValueError("the upload holds no file; upload it as a file")
    if isinstance(value, (str, Path)):
        return Path(value)
    raise ValueError(f"expected an uploaded file, got {type(value).__name__}")
