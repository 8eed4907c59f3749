"""Reading BIO slot tags: the best tag sequence that obeys BIO, and the spans it marks."""

from __future__ import annotations

import numpy as np

from intent.templates import OUTSIDE


def allowed_transitions(tags: list[str]) -> np.ndarray:
    """(n + 1, n) bool: row i, column j says tag j may follow tag i; the last row is the
    start. ``I-x`` may only follow ``B-x`` or ``I-x``; everything else may follow anything."""
    n = len(tags)
    allowed = np.ones((n + 1, n), dtype=bool)
    for j, tag in enumerate(tags):
        prefix, _, slot = tag.partition("-")
        if prefix == "I":
            allowed[:, j] = False
            for i, before in enumerate(tags):
                if before in (f"B-{slot}", f"I-{slot}"):
                    allowed[i, j] = True
    return allowed


def best_bio_path(log_probs: np.ndarray, allowed: np.ndarray) -> list[int]:
    """Viterbi over per-word tag log-probabilities (T, n) with only ``allowed`` transitions:
    the most likely tag sequence that is valid BIO (no ``I-x`` without its ``B-x``)."""
    T, n = log_probs.shape
    if T == 0:
        return []
    penalty = np.where(allowed, 0.0, -np.inf)
    score = log_probs[0] + penalty[n]
    back = np.zeros((T, n), dtype=np.int64)
    for t in range(1, T):
        candidates = score[:, None] + penalty[:n]  # (from, to)
        back[t] = candidates.argmax(0)
        score = candidates.max(0) + log_probs[t]
    path = [int(score.argmax())]
    for t in range(T - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return path[::-1]


def spans_from_tags(tags: list[str]) -> list[tuple[str, int, int]]:
    """BIO tags -> ``(slot, first word, last word + 1)``; an ``I-`` that does not continue
    a slot of its own kind starts one (as seqeval reads it)."""
    spans, current = [], None
    for k, tag in enumerate([*tags, OUTSIDE]):
        prefix, _, slot = tag.partition("-")
        continues = current is not None and prefix == "I" and slot == current[0]
        if current is not None and not continues:
            spans.append((current[0], current[1], k))
            current = None
        if prefix in ("B", "I") and not continues:
            current = (slot, k)
    return spans
