"""Parallel text for translation: gettext catalogs, tab-separated pairs, line-aligned files.

The default corpus is the human translations every Debian-family machine carries in
``/usr/share/locale/<lang>/LC_MESSAGES/*.mo``; package descriptions (DDTP); pair files.
How they are held out is :mod:`translation.split`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from torch.utils.data import Dataset

from shared.catalogs import read_catalog, translated_pairs
from translation.descriptions import ORIGIN_PREFIX, description_pairs, is_description_lists
from translation.text import clean_message, mask_source, mask_target
from translation.tokenizer import BOS_ID, EOS_ID, SubwordTokenizer

LOCALE_ROOT = Path("/usr/share/locale")
# Which locale folder a bare language code means when the machine has several.
DEFAULT_REGION = {"zh": "zh_CN", "pt": "pt_BR", "en": "en_GB"}
MAX_WORDS = 50
MAX_CHARS = 300


@dataclass(frozen=True)
class Pair:
    """A source sentence, its translation, and where it came from (catalog domain or file)."""

    source: str
    target: str
    origin: str


def locale_dir(lang: str, root: Path = LOCALE_ROOT) -> Path:
    """``<root>/<lang>/LC_MESSAGES``, trying the usual region for bare codes (zh -> zh_CN).

    Raises:
        ValueError: no catalogs for that language under ``root``.
    """
    for name in (lang, DEFAULT_REGION.get(lang, "")):
        candidate = root / name / "LC_MESSAGES"
        if name and candidate.is_dir():
            return candidate
    available = sorted(p.name for p in root.glob("*/LC_MESSAGES/..")) if root.is_dir() else []
    raise ValueError(
        f"no gettext catalogs for {lang!r} under {root} (there are: {', '.join(available[:40])}...)"
    )


def catalog_domain(path: Path) -> str:
    """A catalog's package name; ``iso_639-3`` and ``iso_639_3`` (the same file under two
    names) share one, so they land in the same split."""
    return path.stem.replace("-", "_")


def find_catalogs(paths: list[str | Path]) -> list[Path]:
    """Every ``.mo``/``.po`` file among ``paths`` (files, or folders searched recursively)."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found += sorted(q for q in p.rglob("*") if q.suffix in (".mo", ".po"))
        elif p.is_file():
            found.append(p)
        else:
            raise ValueError(f"{p} does not exist")
    return found


def usable(source: str, target: str) -> bool:
    """Non-empty, not the same on both sides, not too long."""
    if not source or not target or source == target:
        return False
    return (
        len(source) <= MAX_CHARS and len(target) <= MAX_CHARS and len(source.split()) <= MAX_WORDS
    )


def catalog_pairs(files: list[Path]) -> list[Pair]:
    """Cleaned, usable pairs from catalogs, each tagged with its catalog's domain."""
    pairs = []
    for path in files:
        domain = catalog_domain(path)
        for source, target in translated_pairs(read_catalog(path)):
            source, target = clean_message(source), clean_message(target)
            if usable(source, target):
                pairs.append(Pair(source, target, domain))
    return pairs


def read_tsv(
    path: str | Path,
    source_column: int = 0,
    target_column: int = 1,
    origin_column: int | None = None,
) -> list[Pair]:
    """Tab-separated pairs, one per line (Tatoeba / the PyTorch tutorial's ``eng-fra.txt``;
    extra columns such as attributions are ignored). Each pair's origin is ``file#line``,
    or the text of ``origin_column`` (a model's ``test_sample.tsv`` names the catalog or
    description each pair came from)."""
    pairs = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            columns = line.rstrip("\n").split("\t")
            if len(columns) <= max(source_column, target_column):
                if line.strip():
                    raise ValueError(
                        f"{path}:{number}: expected at least two tab-separated columns"
                    )
                continue
            source, target = (
                clean_message(columns[source_column]),
                clean_message(columns[target_column]),
            )
            if usable(source, target):
                origin = (
                    columns[origin_column]
                    if origin_column is not None and len(columns) > origin_column
                    else f"{Path(path).name}#{number}"
                )
                pairs.append(Pair(source, target, origin))
    return pairs


def read_parallel(source_path: str | Path, target_path: str | Path) -> list[Pair]:
    """Line-aligned files (``train.en`` / ``train.fr``, Multi30k and WMT style)."""
    sources = Path(source_path).read_text(encoding="utf-8").splitlines()
    targets = Path(target_path).read_text(encoding="utf-8").splitlines()
    if len(sources) != len(targets):
        raise ValueError(
            f"{source_path} has {len(sources)} lines but {target_path} has {len(targets)}"
        )
    pairs = []
    for number, (s, t) in enumerate(zip(sources, targets, strict=True), 1):
        s, t = clean_message(s), clean_message(t)
        if usable(s, t):
            pairs.append(Pair(s, t, f"{Path(source_path).name}#{number}"))
    return pairs


def load_pairs(src: str, tgt: str, data: list[str] | None = None) -> list[Pair]:
    """The corpus for a language pair.

    Args:
        src: source language; only English sources exist in gettext catalogs (``en``).
        tgt: target language code or locale folder name (``fr``, ``zh``, ``zh_TW``).
        data: catalogs or folders of them, ``.tsv``/``.txt`` pair files,
            ``SRC_FILE,TGT_FILE`` for line-aligned files, or an apt lists folder with
            ``Translation-*`` indexes (translated package descriptions,
            :mod:`translation.descriptions`); default: this machine's catalogs for ``tgt``.
    """
    if not data:
        if src != "en":
            raise ValueError(
                "gettext catalogs translate from English: use --src en, or give --data"
            )
        return catalog_pairs(find_catalogs([locale_dir(tgt)]))
    pairs: list[Pair] = []
    catalogs: list[str] = []
    for item in data:
        if "," in item:
            source_path, target_path = item.split(",", 1)
            pairs += read_parallel(source_path, target_path)
        elif Path(item).suffix in (".tsv", ".txt"):
            pairs += read_tsv(item)
        elif is_description_lists(item):
            if src != "en":
                raise ValueError("package descriptions translate from English: use --src en")
            pairs += [
                Pair(s, t, o)
                for s, t, o in description_pairs(item, tgt_locale(tgt))
                if usable(s, t)
            ]
        else:
            catalogs.append(item)
    if catalogs:
        pairs += catalog_pairs(find_catalogs(catalogs))
    if not pairs:
        raise ValueError(f"no usable translation pairs in {', '.join(data)}")
    return pairs


def tgt_locale(lang: str) -> str:
    """A bare language code as the locale the Debian indexes use (zh -> zh_CN)."""
    return DEFAULT_REGION.get(lang, lang) if lang != "en" else lang


# The kinds of text the corpus holds: software messages (catalogs, pair files) and the
# sentences of package descriptions.
KINDS = ("messages", "prose")


def kind_of(origin: str) -> str:
    """``prose`` for package descriptions, ``messages`` for catalogs and pair files."""
    return "prose" if origin.startswith(ORIGIN_PREFIX) else "messages"


def of_kind(pairs: list[Pair], kind: str) -> list[Pair]:
    """The pairs of one kind of text (see :func:`kind_of`), in their order."""
    return [p for p in pairs if kind_of(p.origin) == kind]


def weigh_prose(pairs: list[Pair], repeat: int) -> list[Pair]:
    """``pairs`` with each package-description pair ``repeat`` times (1: as they are): in the
    harvested corpora descriptions are about a tenth of the pairs, so ordinary descriptive
    English gets little of the training's attention unless it is read more often."""
    if repeat < 1:
        raise ValueError(f"repeat must be at least 1, not {repeat}")
    return pairs + of_kind(pairs, "prose") * (repeat - 1)


# -- training examples ----------------------------------------------------------------------


def masked_texts(pairs: list[Pair]) -> list[tuple[str, str]]:
    """Each pair's source and target with placeholders masked alike on both sides."""
    out = []
    for pair in pairs:
        masked, found = mask_source(pair.source)
        out.append((masked, mask_target(pair.target, found)))
    return out


def encode_pairs(
    pairs: list[Pair], src_tok: SubwordTokenizer, tgt_tok: SubwordTokenizer
) -> list[tuple[list[int], list[int]]]:
    return [(src_tok.encode(s), tgt_tok.encode(t)) for s, t in masked_texts(pairs)]


class TrainingPairs(Dataset):
    """Training pairs as (source ids, target ids).

    With ``sample_alpha`` > 0 a pair is segmented afresh each time it is read, so every
    epoch sees other subword splits of the same sentences (subword regularisation); the
    best segmentation decides which pairs are kept and orders the batches (``best``).

    Args:
        texts: masked (source, target) strings.
        src_tok, tgt_tok: the two sides' tokenizers.
        sample_alpha: sentencepiece sampling smoothing; 0 keeps the best segmentation.
        max_tokens: keep only pairs of 1 to ``max_tokens`` subwords on each side.
    """

    def __init__(
        self,
        texts: list[tuple[str, str]],
        src_tok: SubwordTokenizer,
        tgt_tok: SubwordTokenizer,
        sample_alpha: float = 0.0,
        max_tokens: int | None = None,
    ) -> None:
        self.texts, self.best = [], []
        for source, target in texts:
            ids = src_tok.encode(source), tgt_tok.encode(target)
            if max_tokens is None or (0 < len(ids[0]) <= max_tokens and len(ids[1]) <= max_tokens):
                self.texts.append((source, target))
                self.best.append(ids)
        self.src_tok, self.tgt_tok = src_tok, tgt_tok
        self.sample_alpha = sample_alpha

    def __len__(self) -> int:
        return len(self.texts)

    def __getitem__(self, i: int) -> tuple[list[int], list[int]]:
        if not self.sample_alpha:
            return self.best[i]
        source, target = self.texts[i]
        return (
            self.src_tok.encode(source, self.sample_alpha),
            self.tgt_tok.encode(target, self.sample_alpha),
        )


def collate(examples: list[tuple[list[int], list[int]]]) -> dict[str, torch.Tensor]:
    """Pad a batch: source ids, decoder input (<bos> + target), output (target + <eos>)."""
    batch = len(examples)
    src_len = max(len(s) for s, _ in examples)
    tgt_len = max(len(t) for _, t in examples) + 1
    src = torch.zeros(batch, src_len, dtype=torch.long)
    tgt_in = torch.zeros(batch, tgt_len, dtype=torch.long)
    tgt_out = torch.zeros(batch, tgt_len, dtype=torch.long)
    for i, (s, t) in enumerate(examples):
        src[i, : len(s)] = torch.tensor(s)
        tgt_in[i, : len(t) + 1] = torch.tensor([BOS_ID, *t])
        tgt_out[i, : len(t) + 1] = torch.tensor([*t, EOS_ID])
    return {
        "src": src,
        "src_lengths": torch.tensor([len(s) for s, _ in examples]),
        "tgt_in": tgt_in,
        "tgt_out": tgt_out,
    }
