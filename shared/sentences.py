"""Cutting text into sentences (for translating long text, and for language-model text)."""

from __future__ import annotations

import re

# A sentence ends at . ! ? or … (closing quotes and brackets may follow) before a space.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+(?=\S)")


def split_sentences(text: str) -> list[str]:
    """Cut text after each sentence-ending ``.``, ``!``, ``?`` or ``…`` that a space follows;
    the pieces keep their punctuation and lose the spaces between them."""
    pieces, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        end = match.start() + len(match.group(0).rstrip())
        pieces.append(text[start:end])
        start = match.end()
    pieces.append(text[start:])
    return [p.strip() for p in pieces if p.strip()]
