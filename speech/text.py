"""Transcript text: normalisation to the model's alphabet and the character vocabulary.

The alphabet is lowercase ``a``-``z``, apostrophe and space; CTC's blank is id 0. Numbers are
spelled out (``42`` -> ``forty two``) so that what is said and what is written agree.
"""

from __future__ import annotations

import re
import unicodedata

BLANK = "<blank>"
ALPHABET = " '" + "abcdefghijklmnopqrstuvwxyz"

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_NUMBER = re.compile(r"\d+")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})


def number_to_words(n: int) -> str:
    """English words for 0 <= n < 10**9 (``1205`` -> ``one thousand two hundred five``)."""
    if n < 0 or n >= 10**9:
        raise ValueError(f"number out of range: {n}")
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    for size, name in ((10**6, "million"), (1000, "thousand"), (100, "hundred")):
        if n >= size:
            head, rest = divmod(n, size)
            words = number_to_words(head) + " " + name
            return words + ("" if rest == 0 else " " + number_to_words(rest))
    raise AssertionError("unreachable")


def _spell(match: re.Match) -> str:
    digits = match.group()
    # Long digit runs (serial numbers, years written with separators) read digit by digit.
    if len(digits) > 9 or (len(digits) > 1 and digits[0] == "0"):
        return " ".join(_ONES[int(d)] for d in digits)
    return number_to_words(int(digits))


def normalize_transcript(text: str) -> str:
    """Lowercase letters, apostrophes and single spaces; accents folded, numbers spelled out,
    everything else (punctuation, symbols, other scripts) turned into word breaks."""
    text = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = _NUMBER.sub(lambda m: " " + _spell(m) + " ", text)
    text = re.sub(r"[^a-z' ]+", " ", text)
    # Apostrophes only inside words ("don't"), never as quotes.
    text = re.sub(r"(?<![a-z])'|'(?![a-z])", " ", text)
    return " ".join(text.split())


class CharVocabulary:
    """Characters <-> ids: 0 is CTC's blank, then :data:`ALPHABET` (space is id 1)."""

    def __init__(self, alphabet: str = ALPHABET) -> None:
        self.tokens = [BLANK, *alphabet]
        self._ids = {c: i for i, c in enumerate(self.tokens)}

    blank_id = 0
    space_id = 1

    def __len__(self) -> int:
        return len(self.tokens)

    def encode(self, text: str) -> list[int]:
        """Ids of normalised ``text`` (normalise first with :func:`normalize_transcript`)."""
        try:
            return [self._ids[c] for c in text]
        except KeyError as e:
            raise ValueError(f"character {e.args[0]!r} is not in the alphabet") from None

    def decode(self, ids: list[int]) -> str:
        """Characters of ``ids``, blanks skipped (no CTC collapsing here)."""
        return "".join(self.tokens[i] for i in ids if i != self.blank_id)
