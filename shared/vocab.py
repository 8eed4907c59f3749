"""A token vocabulary with the four special symbols every decoder needs."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

PAD, BOS, EOS, UNK = "<pad>", "<bos>", "<eos>", "<unk>"
SPECIALS = (PAD, BOS, EOS, UNK)


class Vocabulary:
    """Maps tokens to ids and back. Ids 0-3 are ``<pad>``, ``<bos>``, ``<eos>``, ``<unk>``.

    Args:
        tokens: the ordinary tokens, in id order (they follow the specials).
    """

    pad_id, bos_id, eos_id, unk_id = 0, 1, 2, 3

    def __init__(self, tokens: Iterable[str] = ()) -> None:
        self._itos: list[str] = list(SPECIALS)
        self._stoi: dict[str, int] = {t: i for i, t in enumerate(self._itos)}
        for token in tokens:
            if token in self._stoi:
                raise ValueError(f"duplicate token {token!r} in vocabulary")
            self._stoi[token] = len(self._itos)
            self._itos.append(token)

    @classmethod
    def from_counts(
        cls, counts: Counter | dict[str, int], min_freq: int = 1, max_size: int | None = None
    ) -> Vocabulary:
        """Keep tokens seen at least ``min_freq`` times, most frequent first (ties by token),
        at most ``max_size`` of them (specials not counted)."""
        kept = sorted(
            ((t, c) for t, c in counts.items() if c >= min_freq and t not in SPECIALS),
            key=lambda tc: (-tc[1], tc[0]),
        )
        if max_size is not None:
            kept = kept[:max_size]
        return cls(t for t, _ in kept)

    @classmethod
    def build(
        cls, sequences: Iterable[Sequence[str]], min_freq: int = 1, max_size: int | None = None
    ) -> Vocabulary:
        """Count the tokens of ``sequences`` and keep them as in :meth:`from_counts`."""
        counts: Counter = Counter()
        for seq in sequences:
            counts.update(seq)
        return cls.from_counts(counts, min_freq, max_size)

    def __len__(self) -> int:
        return len(self._itos)

    def __contains__(self, token: str) -> bool:
        return token in self._stoi

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocabulary) and self._itos == other._itos

    @property
    def tokens(self) -> list[str]:
        """All tokens in id order, specials first."""
        return list(self._itos)

    def token_to_id(self, token: str) -> int:
        return self._stoi.get(token, self.unk_id)

    def id_to_token(self, index: int) -> str:
        return self._itos[index]

    def encode(self, tokens: Sequence[str], add_bos: bool = False, add_eos: bool = False):
        """Tokens to ids; unknown tokens become ``<unk>``."""
        ids = [self._stoi.get(t, self.unk_id) for t in tokens]
        return ([self.bos_id] if add_bos else []) + ids + ([self.eos_id] if add_eos else [])

    def decode(self, ids: Iterable[int], strip_special: bool = True) -> list[str]:
        """Ids to tokens, stopping at ``<eos>`` and dropping ``<pad>``/``<bos>`` when
        ``strip_special``."""
        out = []
        for index in ids:
            index = int(index)
            if strip_special:
                if index == self.eos_id:
                    break
                if index in (self.pad_id, self.bos_id):
                    continue
            out.append(self._itos[index])
        return out

    def to_json(self) -> str:
        return json.dumps(
            {"specials": list(SPECIALS), "tokens": self._itos[len(SPECIALS) :]},
            ensure_ascii=False,
            indent=0,
        )

    @classmethod
    def from_json(cls, text: str) -> Vocabulary:
        data = json.loads(text)
        if data.get("specials") != list(SPECIALS):
            raise ValueError(f"vocabulary specials {data.get('specials')} are not {list(SPECIALS)}")
        return cls(data["tokens"])

    def save(self, path: str | Path) -> None:
        Path(path).write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> Vocabulary:
        return cls.from_json(Path(path).read_text(encoding="utf-8"))
