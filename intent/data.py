"""The intent corpus, its honest splits, and batches.

Templates come from ``intent/corpus``: ``ovos.tsv`` (OVOS skills, see :mod:`intent.ovos`)
and ``own/<intent>.txt`` (one phrasing family a line). Splits are by family, never by
sentence, and slot values are split too (train and held-out values are disjoint), so the
test measures new phrasings with new values. Software messages from this machine's gettext
catalogs add ``out_of_scope`` examples, split by catalog.
"""

from __future__ import annotations

import csv
import functools
import random
import re
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import torch

from intent.templates import Example, Template, draw, label_words, slot_tags
from intent.text import ngram_buckets, normalize
from shared.catalogs import read_catalog
from shared.vocab import Vocabulary

CORPUS_DIR = Path(__file__).parent / "corpus"
OUT_OF_SCOPE = "out_of_scope"
INTENTS = (
    "ask_time",
    "ask_date",
    "ask_weather",
    "set_alarm",
    "cancel_alarm",
    "set_timer",
    "set_reminder",
    "play_music",
    "change_volume",
    "tell_joke",
    "greeting",
    OUT_OF_SCOPE,
)
SPLITS = ("train", "valid", "test")
GROUPS_NAME = "_groups.txt"
CATALOG_DIR = Path("/usr/share/locale/fr/LC_MESSAGES")


def _stable_fraction(key: str) -> float:
    """A number in [0, 1) fixed by ``key`` (CRC32: the same on every machine)."""
    return zlib.crc32(key.encode("utf-8")) / 2**32


def load_templates(corpus: Path = CORPUS_DIR) -> list[Template]:
    """Every template of the corpus: ``ovos.tsv`` and ``own/*.txt``."""
    templates = []
    ovos = corpus / "ovos.tsv"
    if ovos.is_file():
        with open(ovos, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
                templates.append(
                    Template(row["intent"], row["pattern"], row["family"], row["source"])
                )
    groups = load_groups(corpus / "own" / GROUPS_NAME)
    for path in sorted((corpus / "own").glob("*.txt")):
        if path.name == GROUPS_NAME:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip() and not line.startswith("#"):
                name = f"own/{path.name}:{number}"
                templates.append(
                    Template(path.stem, expand_groups(line.strip(), groups), name, name)
                )
    templates = _merge_duplicates(templates)
    unknown = {t.intent for t in templates} - set(INTENTS)
    if unknown:
        raise ValueError(f"templates for unknown intents: {sorted(unknown)}")
    return templates


def load_groups(path: Path) -> dict[str, str]:
    """``@name = (a|b|c)`` lines: word groups the own templates share."""
    groups = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("@"):
                name, _, alternatives = line.partition("=")
                groups[name.strip()] = alternatives.strip()
    return groups


def expand_groups(pattern: str, groups: dict[str, str]) -> str:
    """Replace each ``@name`` of ``pattern`` by its group; an unknown name is an error."""

    def replace(match: re.Match) -> str:
        if match.group(0) not in groups:
            raise ValueError(f"unknown word group {match.group(0)} in {pattern!r}")
        return groups[match.group(0)]

    return re.sub(r"@\w+", replace, pattern)


def _merge_duplicates(templates: list[Template]) -> list[Template]:
    """One template per wording: a pattern written twice (by two skills, or by a skill and
    this project) keeps its first family, so a split cannot put it on both sides; a
    pattern given to two intents keeps its first."""
    seen: dict[str, Template] = {}
    for t in templates:
        key = " ".join(normalize(t.pattern).split())
        seen.setdefault(key, t)
    return list(seen.values())


def load_values(corpus: Path = CORPUS_DIR) -> dict[str, list[str]]:
    """Slot values by slot; ``location`` merges every ``location*.txt``."""
    values: dict[str, set[str]] = defaultdict(set)
    for path in sorted((corpus / "values").glob("*.txt")):
        slot = path.stem.split("_")[0] if path.stem.startswith("location") else path.stem
        lines = path.read_text(encoding="utf-8").splitlines()
        values[slot].update(x.strip() for x in lines if x.strip())
    return {slot: sorted(v) for slot, v in values.items()}


@functools.cache  # read once: the web app pads requests with fillers on every call
def load_fillers(corpus: Path = CORPUS_DIR) -> tuple[str, ...]:
    lines = (corpus / "fillers.txt").read_text(encoding="utf-8").splitlines()
    return tuple(x.strip() for x in lines if x.strip() and not x.startswith("#"))


def split_templates(
    templates: list[Template], valid_share: float = 0.1, test_share: float = 0.2
) -> dict[str, list[Template]]:
    """Families to train/valid/test, per intent, in a fixed pseudo-random order: the test
    gets ``test_share`` of each intent's families (at least one), validation
    ``valid_share`` (at least one where four or more), training the rest."""
    by_intent: dict[str, dict[str, list[Template]]] = defaultdict(lambda: defaultdict(list))
    for t in templates:
        by_intent[t.intent][t.family].append(t)
    splits: dict[str, list[Template]] = {s: [] for s in SPLITS}
    for intent in sorted(by_intent):
        families = sorted(by_intent[intent], key=lambda f: _stable_fraction(f"{intent}|{f}"))
        n = len(families)
        n_test = max(1, round(n * test_share)) if n >= 3 else 0
        n_valid = max(1, round(n * valid_share)) if n >= 4 else 0
        for k, family in enumerate(families):
            split = "test" if k < n_test else "valid" if k < n_test + n_valid else "train"
            splits[split].extend(by_intent[intent][family])
    return splits


def split_values(
    values: dict[str, list[str]], heldout_share: float = 0.25
) -> dict[str, dict[str, list[str]]]:
    """``{"train": values, "heldout": values}`` with disjoint values per slot (a slot with
    a single value keeps it on both sides)."""
    out: dict[str, dict[str, list[str]]] = {"train": {}, "heldout": {}}
    for slot, vals in values.items():
        held = [v for v in vals if _stable_fraction(f"{slot}|{v}") < heldout_share]
        kept = [v for v in vals if v not in set(held)]
        out["train"][slot] = kept or vals
        out["heldout"][slot] = held or vals
    return out


def catalog_messages(catalog_dir: Path = CATALOG_DIR, max_words: int = 20) -> dict[str, list[str]]:
    """English messages of the gettext catalogs in ``catalog_dir`` as ``out_of_scope``
    sentences, split by catalog (``{"train": ..., "valid": ..., "test": ...}``); empty
    lists where the machine has no catalogs."""
    out: dict[str, list[str]] = {s: [] for s in SPLITS}
    for path in sorted(catalog_dir.glob("*.mo")) if catalog_dir.is_dir() else []:
        fraction = _stable_fraction(f"catalog|{path.stem}")
        split = "test" if fraction < 0.2 else "valid" if fraction < 0.3 else "train"
        try:
            entries = read_catalog(path)
        except (OSError, ValueError):
            continue
        for entry in entries:
            text = re.sub(r"[_&]", "", entry.msgid).strip()
            words = text.split()
            if 2 <= len(words) <= max_words and sum(c.isalpha() for c in text) > len(text) / 2:
                out[split].append(text)
    return {s: sorted(set(v)) for s, v in out.items()}


@dataclass
class SampleSpec:
    """How a set of examples is drawn from templates.

    Attributes:
        size: examples in all.
        seed: the draw's random seed.
        messages: literal ``out_of_scope`` sentences to mix in (software messages).
        message_share: the share of ``out_of_scope`` examples taken from ``messages``.
    """

    size: int
    seed: int = 0
    messages: list[str] = field(default_factory=list)
    message_share: float = 0.3


def draw_examples(
    templates: list[Template], values: dict[str, list[str]], spec: SampleSpec
) -> list[Example]:
    """``spec.size`` requests: intents equally often, then a family of that intent, then a
    template of the family and its wording, each uniformly."""
    rng = random.Random(spec.seed)
    families: dict[str, dict[str, list[Template]]] = defaultdict(lambda: defaultdict(list))
    for t in templates:
        families[t.intent][t.family].append(t)
    intents = sorted(families)
    examples = []
    for _ in range(spec.size):
        intent = rng.choice(intents)
        if intent == OUT_OF_SCOPE and spec.messages and rng.random() < spec.message_share:
            examples.append(Example(OUT_OF_SCOPE, rng.choice(spec.messages), ()))
            continue
        family = families[intent][rng.choice(sorted(families[intent]))]
        examples.append(draw(rng.choice(family), values, rng))
    return examples


@dataclass
class Encoded:
    """One request as model input: word ids, each word's n-gram buckets, tags, and which
    words came from a filled value (tagged or not: the words real use brings new)."""

    words: list[int]
    ngrams: list[list[int]]
    tags: list[int]
    intent: int
    from_value: list[bool] | None = None


class Encoder:
    """Turns requests into ids: words (``vocab``), n-gram buckets, tags and intents.

    Args:
        vocab: the word vocabulary.
        buckets: hash buckets for character n-grams.
        intents: intent labels in id order.
        tags: BIO tags in id order (default: :func:`intent.templates.slot_tags`).
    """

    def __init__(
        self, vocab: Vocabulary, buckets: int, intents=INTENTS, tags: list[str] | None = None
    ) -> None:
        self.vocab = vocab
        self.buckets = buckets
        self.intents = list(intents)
        self.tags = list(tags) if tags is not None else slot_tags()
        self._tag_id = {t: i for i, t in enumerate(self.tags)}

    def encode_words(self, words: list[str]) -> tuple[list[int], list[tuple[int, ...]]]:
        ids = [self.vocab.token_to_id(w) for w in words]
        return ids, [ngram_buckets(w, self.buckets) for w in words]

    def encode(self, example: Example) -> Encoded:
        tokens, tags = label_words(example.text, example.spans)
        words = [t.text for t in tokens]
        ids, grams = self.encode_words(words)
        # The words of untagged values, found as label_words finds a slot's words.
        _, untagged = label_words(example.text, [("", a, b) for a, b in example.untagged])
        from_value = [t != "O" or u != "O" for t, u in zip(tags, untagged, strict=True)]
        return Encoded(
            ids, grams, [self._tag_id[t] for t in tags], self.intents.index(example.intent),
            from_value,
        )  # fmt: skip


def build_vocab(examples: list[Example], min_freq: int = 2) -> Vocabulary:
    """Words seen at least ``min_freq`` times in training; rarer words go through their
    character n-grams only, as unseen words will."""
    return Vocabulary.build(
        ([t.text for t in label_words(e.text, ())[0]] for e in examples), min_freq
    )


def collate(
    batch: list[Encoded], word_dropout: float = 0.0, value_dropout: float = 0.0
) -> dict[str, torch.Tensor]:
    """Pad a list of :class:`Encoded` into tensors.

    Args:
        word_dropout: in training, the share of known words shown as unknown, so the model
            learns to read their character n-grams.
        value_dropout: in training, the share of words from filled values (slot values, and
            untagged ones such as a reminder's task) shown as unknown, so slots are found from
            their context and spelling, as the new values of real use are, and an unknown
            word is not taken for a slot by being unknown.

    Returns:
        ``words`` (B, T), ``ngrams`` (B, T, G) bucket ids + 1 (0 pads), ``lengths`` (B,),
        ``tags`` (B, T) (-100 on padding), ``intents`` (B,). An empty request keeps one
        padding step so every row has a length of at least 1 for the RNN; its length is 1.
    """
    lengths = [max(1, len(e.words)) for e in batch]
    T = max(lengths)
    G = max((len(g) for e in batch for g in e.ngrams), default=1)
    words = torch.zeros(len(batch), T, dtype=torch.long)
    ngrams = torch.zeros(len(batch), T, G, dtype=torch.long)
    tags = torch.full((len(batch), T), -100, dtype=torch.long)
    from_value = torch.zeros(len(batch), T, dtype=torch.bool)
    for b, e in enumerate(batch):
        for t, (w, g) in enumerate(zip(e.words, e.ngrams, strict=True)):
            words[b, t] = w
            ngrams[b, t, : len(g)] = torch.tensor(g) + 1
        tags[b, : len(e.tags)] = torch.tensor(e.tags, dtype=torch.long)
        if e.from_value is not None:
            from_value[b, : len(e.from_value)] = torch.tensor(e.from_value, dtype=torch.bool)
        else:
            from_value[b, : len(e.tags)] = torch.tensor(e.tags) > 0
    if word_dropout > 0 or value_dropout > 0:
        share = torch.where(from_value, max(word_dropout, value_dropout), word_dropout)
        drop = (torch.rand(words.shape) < share) & (words > 0)
        words = torch.where(drop, torch.full_like(words, Vocabulary.unk_id), words)
    return {
        "words": words,
        "ngrams": ngrams,
        "lengths": torch.tensor(lengths),
        "tags": tags,
        "intents": torch.tensor([e.intent for e in batch]),
    }
