"""Tokens a language model reads: single characters, or subwords (SentencePiece).

Both tokenizers are lossless on what they saw and never fail on what they did not: a
character outside the character set becomes ``<unk>`` (it still costs bits when scored), and
the subword model falls back to UTF-8 bytes. Id 0 is always ``<doc>``, the boundary put
before every document: a model fed only ``<doc>`` is in its start-of-text state.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

DOC = "<doc>"
UNK = "<unk>"
CHARS_NAME = "chars.json"
SUBWORDS_NAME = "subwords.model"
REPLACEMENT = "\ufffd"


class CharTokenizer:
    """One token per character: ``<doc>``, ``<unk>``, then the characters of the training
    text seen at least ``min_count`` times."""

    kind = "char"

    def __init__(self, chars: Sequence[str]) -> None:
        self.tokens = [DOC, UNK, *chars]
        self._ids = {c: i for i, c in enumerate(self.tokens)}
        self.doc_id, self.unk_id = 0, 1

    @classmethod
    def train(cls, texts: Iterable[str], min_count: int = 1) -> CharTokenizer:
        counts = Counter()
        for text in texts:
            counts.update(text)
        return cls(sorted(c for c, n in counts.items() if n >= min_count))

    @property
    def vocab_size(self) -> int:
        return len(self.tokens)

    def encode(self, text: str) -> list[int]:
        return [self._ids.get(c, self.unk_id) for c in text]

    def decode(self, ids: Iterable[int]) -> str:
        return "".join(self.token_text(i) for i in ids if i != self.doc_id)

    def token_text(self, token_id: int) -> str:
        """The characters a token stands for (``<unk>`` shows as U+FFFD)."""
        return REPLACEMENT if token_id == self.unk_id else self.tokens[token_id]

    def save(self, folder: Path) -> None:
        chars = self.tokens[2:]
        (Path(folder) / CHARS_NAME).write_text(
            json.dumps(chars, ensure_ascii=False), encoding="utf-8"
        )

    @classmethod
    def load(cls, folder: Path) -> CharTokenizer:
        return cls(json.loads((Path(folder) / CHARS_NAME).read_text(encoding="utf-8")))


class SubwordTokenizer:
    """SentencePiece unigram subwords with byte fallback, trained without normalisation so
    that ``decode(encode(text)) == text`` for any text (spaces, newlines and all)."""

    kind = "subword"

    def __init__(self, model_proto: bytes) -> None:
        import sentencepiece as spm

        self.proto = model_proto
        self.sp = spm.SentencePieceProcessor(model_proto=model_proto)
        self.doc_id, self.unk_id = 0, self.sp.unk_id()

    @classmethod
    def train(
        cls, texts: Iterable[str], vocab_size: int = 8000, max_lines: int = 2_000_000
    ) -> SubwordTokenizer:
        import sentencepiece as spm

        lines = [line for text in texts for line in text.split("\n") if line.strip()][:max_lines]
        proto = io.BytesIO()
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(lines), model_writer=proto, vocab_size=vocab_size,
            model_type="unigram", byte_fallback=True, normalization_rule_name="identity",
            add_dummy_prefix=False, remove_extra_whitespaces=False, split_digits=True,
            user_defined_symbols=["\n"], bos_id=0, unk_id=1, eos_id=-1, pad_id=-1,
            bos_piece=DOC, character_coverage=0.9995, minloglevel=2,
            input_sentence_size=max_lines, shuffle_input_sentence=True, hard_vocab_limit=False,
        )  # fmt: skip
        return cls(proto.getvalue())

    @property
    def vocab_size(self) -> int:
        return self.sp.get_piece_size()

    def encode(self, text: str) -> list[int]:
        return self.sp.encode(text)

    def decode(self, ids: Iterable[int]) -> str:
        return self.sp.decode([int(i) for i in ids if i != self.doc_id])

    def token_text(self, token_id: int) -> str:
        """The text a token stands for (a lone byte of a longer character shows as U+FFFD)."""
        return self.sp.decode([int(token_id)]) if token_id != self.doc_id else ""

    def save(self, folder: Path) -> None:
        (Path(folder) / SUBWORDS_NAME).write_bytes(self.proto)

    @classmethod
    def load(cls, folder: Path) -> SubwordTokenizer:
        return cls((Path(folder) / SUBWORDS_NAME).read_bytes())


Tokenizer = CharTokenizer | SubwordTokenizer


def train_tokenizer(kind: str, texts: Sequence[str], vocab_size: int = 8000) -> Tokenizer:
    """A ``char`` or ``subword`` tokenizer trained on ``texts``."""
    if kind == "char":
        return CharTokenizer.train(texts)
    if kind == "subword":
        return SubwordTokenizer.train(texts, vocab_size)
    raise ValueError(f"unknown tokenizer {kind!r}; choose char or subword")


def load_tokenizer(folder: Path) -> Tokenizer:
    """The tokenizer saved in a model folder."""
    folder = Path(folder)
    if (folder / CHARS_NAME).is_file():
        return CharTokenizer.load(folder)
    if (folder / SUBWORDS_NAME).is_file():
        return SubwordTokenizer.load(folder)
    raise ValueError(f"{folder} has no tokenizer ({CHARS_NAME} or {SUBWORDS_NAME})")
