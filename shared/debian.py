"""Debian packages as a data source: fetch a ``.deb`` with ``apt-get download`` into a cache
and unpack it with ``dpkg -x`` (no root, nothing installed); fetch apt's indexes with package
descriptions in several languages into a private folder and read them. Several apps build
corpora from packages (sounds, texts, translated descriptions), so the fetching lives in one
place."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path


def download_deb(package: str, cache: Path) -> Path:
    """The package's ``.deb`` in ``cache``, fetched with ``apt-get download`` when missing.

    Raises:
        ValueError: apt could not fetch it (the message says apt's reason).
    """
    return download_debs([package], cache)[package]


def download_debs(packages: list[str], cache: Path) -> dict[str, Path]:
    """Several packages' ``.deb`` files with one ``apt-get download`` (apt reads its
    package lists once, not once a package); those already in ``cache`` are not fetched.

    Raises:
        ValueError: apt could not fetch them (the message says apt's reason).
    """
    cache.mkdir(parents=True, exist_ok=True)
    missing = [p for p in packages if not list(cache.glob(f"{p}_*.deb"))]
    if missing:
        done = subprocess.run(
            ["apt-get", "download", *missing], cwd=cache, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise ValueError(
                f"apt-get download {' '.join(missing)} failed: {done.stderr.strip()[-300:]}"
            )
    found = {p: sorted(cache.glob(f"{p}_*.deb")) for p in packages}
    lost = [p for p, debs in found.items() if not debs]
    if lost:
        raise ValueError(f"apt-get download fetched no .deb for {', '.join(lost)}")
    return {p: debs[-1] for p, debs in found.items()}


def package_sizes(packages: list[str]) -> dict[str, int]:
    """Download size in bytes of each package apt knows (one ``apt-cache show`` for all;
    packages apt does not know are left out)."""
    done = subprocess.run(
        ["apt-cache", "show", "--no-all-versions", *packages], capture_output=True, text=True
    )
    sizes = {}
    for record in index_records(done.stdout):
        if "Package" in record and "Size" in record:
            sizes[record["Package"]] = int(record["Size"])
    return sizes


def unpack_deb(deb: Path, folder: Path) -> Path:
    """Unpack ``deb``'s files under ``folder`` (``dpkg -x``); returns ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["dpkg", "-x", str(deb), str(folder)], check=True, capture_output=True)
    return folder


def translation_glob(lang: str) -> str:
    """The file-name pattern of ``Translation-<lang>`` indexes in an apt lists folder (apt
    writes ``zh_CN`` as ``zh%5fCN``)."""
    return f"*Translation-{lang.replace('_', '%5f')}*"


def fetch_lists(folder: Path, languages: tuple[str, ...] = ("en",)) -> Path:
    """apt's indexes, with package descriptions in ``languages`` (``Translation-<lang>``),
    fetched by ``apt-get update`` into ``folder`` when it holds none of them (the system's
    own lists are left alone); returns ``folder``.

    Raises:
        ValueError: apt fetched no description index (the message says apt's reason).
    """
    wanted = [translation_glob(lang) for lang in languages]
    if not all(list(folder.glob(pattern)) for pattern in wanted):
        (folder / "partial").mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            ["apt-get", "update", "-o", f"Dir::State::Lists={folder.resolve()}",
             "-o", f"Acquire::Languages={','.join(languages)}"],
            capture_output=True, text=True,
        )  # fmt: skip
        missing = [p for p in wanted if not list(folder.glob(p))]
        if missing:
            raise ValueError(
                f"apt-get update fetched no {', '.join(missing)}: {done.stderr.strip()[-300:]}"
            )
    return folder


def read_index(path: Path) -> str:
    """An apt index file, compressed or not (apt's own helper reads lz4, xz, gz, ...)."""
    if path.suffix in (".lz4", ".xz", ".gz", ".bz2", ".zst"):
        helper = "/usr/lib/apt/apt-helper"
        done = subprocess.run([helper, "cat-file", str(path)], capture_output=True)
        if done.returncode != 0:
            raise ValueError(f"cannot read {path}: {done.stderr.decode(errors='replace')[-200:]}")
        return done.stdout.decode("utf-8", errors="replace")
    return path.read_text(encoding="utf-8", errors="replace")


def index_records(text: str) -> Iterator[dict[str, str]]:
    """The stanzas of an apt index as ``{field: value}``; a multi-line value keeps its
    continuation lines (each with its one-space indent) after a newline."""
    for stanza in text.split("\n\n"):
        record: dict[str, str] = {}
        field = None
        for line in stanza.split("\n"):
            if line.startswith((" ", "\t")) and field is not None:
                record[field] += "\n" + line
            elif ":" in line:
                field, _, value = line.partition(":")
                record[field] = value.strip()
        if record:
            yield record


def description_text(field: str) -> str:
    """A ``Description-<lang>`` field as prose: the summary line, then the long description
    with its one-space indent removed and `` .`` paragraph breaks as blank lines."""
    lines = field.split("\n")
    body = [("" if line.strip() == "." else line[1:]) for line in lines[1:]]
    return "\n".join([lines[0].strip(), *body]).strip() + "\n"
