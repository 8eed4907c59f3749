"""Sentence alignment of two translated paragraphs: cut each into sentences (Chinese ends
them with 。！？ and no space), then pair them with Gale and Church's length-based dynamic
programme (1991): translations of a sentence have proportional lengths, so the alignment that
makes every pair's length ratio most plausible wins. Pairs may join two sentences on one side
(1-2, 2-1); a sentence with no counterpart (1-0, 0-1) is dropped.
"""

from __future__ import annotations

import math
import re

from shared.sentences import split_sentences

# Where a Chinese sentence ends: after 。！？ (closing quotes and brackets may follow).
_ZH_END = re.compile(r"(?<=[。！？])[”’」』）)]*")
# A list item starts a line with "-", "*", "+" or "o" and a space (Debian descriptions).
_BULLET = re.compile(r"^\s*[-*+o•]\s+")
# Prior probabilities of the kinds of match, and the variance of the length ratio, as
# Gale and Church measured them.
PRIORS = {
    (1, 1): 0.89,
    (1, 0): 0.0099 / 2,
    (0, 1): 0.0099 / 2,
    (2, 1): 0.089 / 2,
    (1, 2): 0.089 / 2,
}
VARIANCE = 6.8


def split_units(paragraph: str, lang: str) -> list[str]:
    """A paragraph's sentences; each item of a list is a unit of its own."""
    units: list[str] = []
    lines = paragraph.split("\n")
    if any(_BULLET.match(line) for line in lines):
        items: list[str] = []
        for line in lines:
            if _BULLET.match(line) or not items:
                items.append(_BULLET.sub("", line).strip())
            else:
                items[-1] += " " + line.strip()
        return [i for i in items if i]
    text = " ".join(line.strip() for line in lines if line.strip())
    if lang.startswith("zh"):
        pieces, start = [], 0
        for match in _ZH_END.finditer(text):
            pieces.append(text[start : match.end()])
            start = match.end()
        pieces.append(text[start:])
        for piece in pieces:
            units += split_sentences(piece)  # Latin-script sentences inside Chinese text
    else:
        units = split_sentences(text)
    return [u.strip() for u in units if u.strip()]


def _cost(source_chars: int, target_chars: int, ratio: float) -> float:
    """-log P(lengths | match) under Gale and Church's normal model of the length ratio."""
    if source_chars == 0 and target_chars == 0:
        return 0.0
    mean = (source_chars + target_chars / ratio) / 2
    delta = (target_chars - source_chars * ratio) / math.sqrt(max(mean, 1e-9) * VARIANCE)
    # Two-sided tail probability of a standard normal at |delta|.
    tail = max(math.erfc(abs(delta) / math.sqrt(2)), 1e-12)
    return -math.log(tail)


def align(
    source: list[str], target: list[str], ratio: float | None = None
) -> list[tuple[str, str]]:
    """Pair the sentences of two translated paragraphs (in order); unmatched ones are left out.

    Args:
        source, target: the sentences of each side.
        ratio: target characters per source character (default: the paragraphs' own).
    """
    if not source or not target:
        return []
    if ratio is None:
        ratio = max(sum(map(len, target)), 1) / max(sum(map(len, source)), 1)
    n, m = len(source), len(target)
    best = [[math.inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    best[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            if best[i][j] == math.inf:
                continue
            for (di, dj), prior in PRIORS.items():
                a, b = i + di, j + dj
                if a > n or b > m:
                    continue
                chars_s = sum(len(s) for s in source[i:a])
                chars_t = sum(len(t) for t in target[j:b])
                cost = best[i][j] - math.log(prior) + _cost(chars_s, chars_t, ratio)
                if cost < best[a][b]:
                    best[a][b], back[a][b] = cost, (di, dj)
    pairs: list[tuple[str, str]] = []
    i, j = n, m
    while i or j:
        di, dj = back[i][j]
        if di and dj:
            joiner = (
                "" if any("\u4e00" <= c <= "\u9fff" for c in "".join(target[j - dj : j])) else " "
            )
            pairs.append((" ".join(source[i - di : i]), joiner.join(target[j - dj : j])))
        i, j = i - di, j - dj
    return pairs[::-1]
