"""Held-out splits by origin: a whole catalog's messages (or a whole package's description)
go to validation or test, so no held-out text's package was seen in training, and any source
string of the test set is then removed from training and validation.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from translation.data import KINDS, Pair, of_kind

# ISO code lists (names of languages, countries, scripts, currencies) always train.
KEEP_IN_TRAINING = ("iso_",)
# The held-out splits, as ``held_out`` and ``training.json`` name them.
SPLITS = ("test", "valid")


@dataclass
class Splits:
    train: list[Pair]
    valid: list[Pair]
    test: list[Pair]

    def origins(self, split: str) -> list[str]:
        return sorted({p.origin for p in getattr(self, split)})


def split_by_kind(
    pairs: list[Pair],
    valid_share: float = 0.03,
    test_share: float = 0.05,
    seed: int = 0,
    held_out: Mapping[str, Collection[str]] | None = None,
) -> Splits:
    """:func:`split_by_origin` within each kind of text (software messages, descriptions),
    so both kinds are held out; then no held-out source string of either kind trains."""
    kinds = [mine for mine in (of_kind(pairs, kind) for kind in KINDS) if mine]
    parts = [split_by_origin(mine, valid_share, test_share, seed, held_out) for mine in kinds]
    test = [p for s in parts for p in s.test]
    test_sources = {p.source for p in test}
    valid = [p for s in parts for p in s.valid if p.source not in test_sources]
    held = test_sources | {p.source for p in valid}
    train = _unique(p for s in parts for p in s.train if p.source not in held)
    return Splits(train, valid, test)


def split_by_origin(
    pairs: list[Pair],
    valid_share: float = 0.03,
    test_share: float = 0.05,
    seed: int = 0,
    held_out: Mapping[str, Collection[str]] | None = None,
) -> Splits:
    """Hold out whole origins (catalogs, or lines for pair files) for validation and test.

    Origins are shuffled with ``seed``; each (but the ISO code lists, which always train)
    goes to test until test holds ``test_share``
    of the pairs, then to validation likewise (origins larger than the share are skipped
    so one huge catalog cannot be the whole test set). ``held_out`` (``{"valid": origins,
    "test": origins}``, as a model's ``training.json`` records them) names the held-out
    origins instead: the archive changes between fetches, and a different set of origins
    shuffles differently, so a model continued or scored on a later fetch keeps the
    catalogs it never saw (those still there) held out; origins new since then train.
    Then every source string that is
    in the test set is dropped from training and validation, and every validation source
    from training; exact duplicate pairs are kept once per split.
    """
    by_origin: dict[str, list[Pair]] = defaultdict(list)
    for pair in pairs:
        by_origin[pair.origin].append(pair)
    origins = sorted(by_origin)
    random.Random(seed).shuffle(origins)
    if held_out is None:
        held = _choose_held_out(by_origin, origins, len(pairs), valid_share, test_share)
    else:
        named = {split: set(held_out[split]) for split in SPLITS}
        held = {split: [o for o in origins if o in named[split]] for split in SPLITS}
    test = _unique(p for o in held["test"] for p in by_origin[o])
    test_sources = {p.source for p in test}
    valid = _unique(p for o in held["valid"] for p in by_origin[o] if p.source not in test_sources)
    held_sources = test_sources | {p.source for p in valid}
    kept = set(held["test"]) | set(held["valid"])
    train = _unique(
        p for o in origins if o not in kept for p in by_origin[o] if p.source not in held_sources
    )
    return Splits(train, valid, test)


def _choose_held_out(
    by_origin: dict[str, list[Pair]],
    origins: list[str],
    total: int,
    valid_share: float,
    test_share: float,
) -> dict[str, list[str]]:
    """The origins :func:`split_by_origin` holds out, in shuffled order: test first."""
    # ISO code lists (names of languages, countries, scripts, currencies) are a dictionary,
    # not sentences: they always train, and the held-out sets are software messages.
    candidates = [o for o in origins if not o.startswith(KEEP_IN_TRAINING)]
    held: dict[str, list[str]] = {"test": [], "valid": []}
    for split, share in (("test", test_share), ("valid", valid_share)):
        size = 0
        for origin in candidates:
            n = len(by_origin[origin])
            taken = origin in held["test"] or origin in held["valid"]
            if taken or n > share * total or size >= share * total:
                continue
            held[split].append(origin)
            size += n
    return held


def _unique(pairs) -> list[Pair]:
    seen, out = set(), []
    for p in pairs:
        if (p.source, p.target) not in seen:
            seen.add((p.source, p.target))
            out.append(p)
    return out


def recorded_held_out(info: Mapping) -> dict[str, list[str]] | None:
    """The held-out origins a model's ``training.json`` records (``valid_catalogs``,
    ``test_catalogs``), as :func:`split_by_kind`'s ``held_out``; None where it records none."""
    if not all(f"{split}_catalogs" in info for split in SPLITS):
        return None
    return {split: info[f"{split}_catalogs"] for split in SPLITS}


def corpus_stats(splits: Splits) -> str:
    """A short report: pairs, words and origins per split."""
    lines = []
    for name in ("train", "valid", "test"):
        pairs = getattr(splits, name)
        src_words = sum(len(p.source.split()) for p in pairs)
        tgt_chars = sum(len(p.target) for p in pairs)
        origins = splits.origins(name)
        shown = ", ".join(origins[:12]) + (
            f", ... ({len(origins)} in all)" if len(origins) > 12 else ""
        )
        lines.append(
            f"{name:>5}: {len(pairs):6d} pairs, {src_words:7d} source words, {tgt_chars:8d} target characters; from {shown}"
        )
    return "\n".join(lines)
