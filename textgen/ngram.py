"""The baseline every neural language model should beat: an interpolated Kneser-Ney
character n-gram (Kneser & Ney 1995; Chen & Goodman 1998), counted with numpy.

An n-gram of ids below ``V`` is one integer in base ``V``, so counting is ``np.unique`` and
lookup is ``np.searchsorted``: the whole works of Shakespeare count in seconds. The highest
order uses counts, lower orders continuation counts (in how many contexts a string
appears), each order discounts every seen n-gram by ``D = n1 / (n1 + 2 n2)`` (kept within [0.05, 0.95]) and gives the
mass to the order below; order 1 interpolates with the uniform distribution, so every
token, even one never seen, has a probability.
"""

from __future__ import annotations

import math

import numpy as np


def _grams(ids: np.ndarray, order: int, base: int) -> np.ndarray:
    """Every ``order``-gram of ``ids`` as one int64, oldest token most significant."""
    n = len(ids) - order + 1
    grams = np.zeros(max(n, 0), dtype=np.int64)
    for k in range(order):
        grams = grams * base + ids[k : k + n]
    return grams


class _Table:
    """Counts of one order: ``counts[i]`` for ``grams[i]`` (sorted), and per context (the
    gram without its last token) the total count and the number of distinct next tokens."""

    def __init__(self, grams: np.ndarray, counts: np.ndarray, base: int) -> None:
        self.grams, self.counts = grams, counts.astype(np.float64)
        self.contexts, first = np.unique(grams // base, return_index=True)
        self.totals = np.add.reduceat(self.counts, first) if len(first) else np.zeros(0)
        self.types = np.diff(np.append(first, len(grams))).astype(np.float64)
        n1, n2 = float((counts == 1).sum()), float((counts == 2).sum())
        # Clamped away from 0, so that some mass always reaches the order below (and so
        # every token keeps a probability) even when no n-gram was seen only once.
        self.discount = min(max(n1 / (n1 + 2 * n2) if n1 + 2 * n2 > 0 else 0.5, 0.05), 0.95)

    @staticmethod
    def _find(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        at = np.clip(np.searchsorted(keys, values), 0, max(len(keys) - 1, 0))
        found = (keys[at] == values) if len(keys) else np.zeros(len(values), dtype=bool)
        return at, found

    def gram_counts(self, grams: np.ndarray) -> np.ndarray:
        at, found = self._find(self.grams, grams)
        return np.where(found, self.counts[at] if len(self.counts) else 0.0, 0.0)

    def context_stats(self, contexts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        at, found = self._find(self.contexts, contexts)
        if not len(self.contexts):
            return np.zeros(len(contexts)), np.zeros(len(contexts))
        return np.where(found, self.totals[at], 0.0), np.where(found, self.types[at], 0.0)


class KneserNeyLM:
    """An interpolated Kneser-Ney n-gram over token ids ``0 .. vocab_size - 1``.

    Args:
        order: the longest n-gram (history of ``order - 1`` tokens).
        vocab_size: the number of token ids; ``vocab_size ** order`` must fit in int64.
    """

    def __init__(self, order: int, vocab_size: int) -> None:
        if order < 1:
            raise ValueError(f"order must be >= 1, got {order}")
        if order * math.log2(max(vocab_size, 2)) > 62:
            raise ValueError(
                f"{vocab_size} tokens to the power {order} do not fit in int64: lower the order"
            )
        self.order, self.base = order, vocab_size
        self.tables: list[_Table] = []

    def fit(self, ids: np.ndarray) -> KneserNeyLM:
        """Count the n-grams of the token stream ``ids`` (N,)."""
        ids = np.asarray(ids, dtype=np.int64)
        if len(ids) < self.order:
            raise ValueError(f"{len(ids)} tokens are too few for order {self.order}")
        top, top_counts = np.unique(_grams(ids, self.order, self.base), return_counts=True)
        tables = [_Table(top, top_counts, self.base)]
        for order in range(self.order - 1, 0, -1):
            # Continuation count of a k-gram: how many distinct (k+1)-grams end with it.
            longer = np.unique(_grams(ids, order + 1, self.base))
            grams, counts = np.unique(longer % self.base**order, return_counts=True)
            tables.append(_Table(grams, counts, self.base))
        self.tables = tables[::-1]  # tables[k - 1] holds order k
        return self

    def log_probs(self, ids: np.ndarray, context: np.ndarray | None = None) -> np.ndarray:
        """Natural-log probability of each token of ``ids`` given the tokens before it
        (``context`` first, then ``ids``; the stream's own first tokens see less history).

        Returns:
            (len(ids),) float64.
        """
        if not self.tables:
            raise ValueError("the model has no counts: call fit first")
        context = np.asarray(context if context is not None else [], dtype=np.int64)
        stream = np.concatenate([context, np.asarray(ids, dtype=np.int64)])
        positions = np.arange(len(context), len(stream))
        tokens = stream[positions]
        table = self.tables[0]
        totals = table.counts.sum()
        probs = (
            np.maximum(table.gram_counts(tokens) - table.discount, 0.0) / totals
            + table.discount * len(table.grams) / totals / self.base
        )
        for order in range(2, self.order + 1):
            table = self.tables[order - 1]
            has = positions >= order - 1
            history = np.zeros(len(positions), dtype=np.int64)
            for back in range(order - 1, 0, -1):
                history = history * self.base + stream[np.maximum(positions - back, 0)]
            denom, types = table.context_stats(history)
            use = has & (denom > 0)
            grams = history * self.base + tokens
            mass = np.maximum(table.gram_counts(grams) - table.discount, 0.0)
            safe = np.where(use, denom, 1.0)
            mixed = mass / safe + table.discount * types / safe * probs
            probs = np.where(use, mixed, probs)
        return np.log(probs)
