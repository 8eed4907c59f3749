"""Debian packages as a data source: fetch a ``.deb`` with ``apt-get download`` into a cache
and unpack it with ``dpkg -x`` (no root, nothing installed). Several apps build corpora from
packages (sounds, texts), so the fetching lives in one place."""

from __future__ import annotations

import subprocess
from pathlib import Path


def download_deb(package: str, cache: Path) -> Path:
    """The package's ``.deb`` in ``cache``, fetched with ``apt-get download`` when missing.

    Raises:
        ValueError: apt could not fetch it (the message says apt's reason).
    """
    found = sorted(cache.glob(f"{package}_*.deb"))
    if found:
        return found[-1]
    cache.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["apt-get", "download", package], cwd=cache, capture_output=True, text=True
    )
    found = sorted(cache.glob(f"{package}_*.deb"))
    if done.returncode != 0 or not found:
        raise ValueError(f"apt-get download {package} failed: {done.stderr.strip()[-200:]}")
    return found[-1]


def unpack_deb(deb: Path, folder: Path) -> Path:
    """Unpack ``deb``'s files under ``folder`` (``dpkg -x``); returns ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["dpkg", "-x", str(deb), str(folder)], check=True, capture_output=True)
    return folder
