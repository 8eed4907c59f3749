"""Words of a request, with where they stand in the text, and the character n-grams that let
the model read words it never saw (names, typos).

Requests are lower-cased and cut into words; punctuation is dropped (people type "what time
is it", "What time is it?!" and "what time is it ?" for the same thing), while times such as
``7:30`` and ``5pm`` and words such as ``o'clock`` stay whole.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import zlib
from dataclasses import dataclass

# A word: letters/digits, joined by inner apostrophes (what's, o'clock), colons, dots or
# slashes between digits (7:30, 2.5, 12/25), and glued letters after a number (5pm, 22nd, 7a.m.).
_WORD = re.compile(
    r"\d+(?:[:./-]\d+)*(?:[ap]\.m\.?|[^\W\d_]+)?|[^\W_]+(?:['’][^\W_]+)*", re.IGNORECASE
)


@dataclass(frozen=True)
class Token:
    """A word and its place in the original text: ``text[start:end]``."""

    text: str
    start: int
    end: int


def normalize(text: str) -> str:
    """NFKC, lower case, typographic apostrophes made plain; the length stays the same
    for everything a user types in practice, so offsets still point into the original."""
    text = unicodedata.normalize("NFKC", text)
    return text.lower().replace("’", "'")


def tokenize(text: str) -> list[Token]:
    """The words of ``text`` (normalised), each with its character span in ``normalize(text)``
    (the same as in ``text`` unless NFKC changed the length, as ligatures do)."""
    norm = normalize(text)
    return [Token(m.group(0), m.start(), m.end()) for m in _WORD.finditer(norm)]


def char_ngrams(word: str, sizes: tuple[int, ...] = (3, 4, 5)) -> list[str]:
    """fastText's subword units: the n-grams of ``<word>`` (boundaries marked), plus the whole
    marked word, so "weather" and the typo "wether" share most of their units."""
    marked = f"<{word}>"
    grams = [marked]
    for n in sizes:
        grams.extend(marked[i : i + n] for i in range(len(marked) - n + 1))
    return grams


@functools.lru_cache(maxsize=65536)  # bounded: a server sees new words forever
def ngram_buckets(word: str, buckets: int) -> tuple[int, ...]:
    """The hashed bucket of each of ``word``'s character n-grams, in ``[0, buckets)``.
    CRC32 is stable across runs and machines (Python's ``hash`` of a str is not)."""
    return tuple(zlib.crc32(g.encode("utf-8")) % buckets for g in char_ngrams(word))
