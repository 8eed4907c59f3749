"""Debian package descriptions and their human translations (the Debian Description
Translation Project) as sentence pairs: ordinary descriptive English, not UI strings.

``apt-get update -o Acquire::Languages=en,fr,zh_CN`` stores ``Translation-en``,
``Translation-fr`` (about 21 thousand translated descriptions) and ``Translation-zh_CN``
(about 1.2 thousand) in an apt lists folder (``python -m translation.corpus --descriptions``
fetches them into a private one). A translation names the English text it translates by
``Description-md5``; the two are cut into the summary line and paragraphs, and when both
have as many paragraphs, each paragraph's sentences are aligned (:mod:`translation.align`).
Every pair's origin is ``ddtp:<package>``, so whole packages are held out.
"""

from __future__ import annotations

from pathlib import Path

from shared.debian import description_text, index_records, read_index, translation_glob
from translation.align import align, split_units
from translation.text import clean_message

ORIGIN_PREFIX = "ddtp:"


def is_description_lists(path: str | Path) -> bool:
    """Whether ``path`` is an apt lists folder holding ``Translation-en`` indexes."""
    return Path(path).is_dir() and any(Path(path).glob(translation_glob("en")))


def _descriptions(lists: Path, lang: str) -> dict[str, tuple[str, str]]:
    """``Description-md5`` -> (package, text) from the folder's ``Translation-<lang>``."""
    found: dict[str, tuple[str, str]] = {}
    for path in sorted(p for p in lists.glob(translation_glob(lang)) if p.is_file()):
        for record in index_records(read_index(path)):
            field = record.get(f"Description-{lang}")
            if field and "Description-md5" in record and "Package" in record:
                found[record["Description-md5"]] = (record["Package"], description_text(field))
    return found


def paragraph_pairs(english: str, foreign: str, lang: str) -> list[tuple[str, str]]:
    """Sentence pairs of one description and its translation: the summary lines, then the
    aligned sentences of each paragraph when both have as many paragraphs (else none: a
    translation that regrouped paragraphs is not worth the risk of misaligned pairs)."""
    en_summary, _, en_body = english.strip().partition("\n")
    xx_summary, _, xx_body = foreign.strip().partition("\n")
    pairs = [(en_summary.strip(), xx_summary.strip())]
    en_paragraphs = [p for p in en_body.strip().split("\n\n") if p.strip()]
    xx_paragraphs = [p for p in xx_body.strip().split("\n\n") if p.strip()]
    if len(en_paragraphs) == len(xx_paragraphs):
        for en, xx in zip(en_paragraphs, xx_paragraphs, strict=True):
            pairs += align(split_units(en, "en"), split_units(xx, lang))
    return pairs


def description_pairs(lists: str | Path, lang: str) -> list[tuple[str, str, str]]:
    """(English, translation, ``ddtp:<package>``) sentence pairs from the lists folder.

    Raises:
        ValueError: the folder has no ``Translation-en`` or ``Translation-<lang>``.
    """
    lists = Path(lists)
    english = _descriptions(lists, "en")
    foreign = _descriptions(lists, lang)
    if not english or not foreign:
        raise ValueError(
            f"{lists} lacks Translation-en or Translation-{lang}; fetch them with"
            " python -m translation.corpus --descriptions"
        )
    pairs = []
    for md5, (package, text) in foreign.items():
        if md5 not in english:
            continue
        for source, target in paragraph_pairs(english[md5][1], text, lang):
            pairs.append((clean_message(source), clean_message(target), ORIGIN_PREFIX + package))
    return pairs
