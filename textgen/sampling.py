"""Choosing the next token from a distribution: temperature, top-k and nucleus (top-p).

Kept apart from the model (it sees only logits), as search is elsewhere in the suite.
"""

from __future__ import annotations

import torch


def filter_logits(
    logits: torch.Tensor,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
) -> torch.Tensor:
    """Logits to sample from: divided by ``temperature``; all but the ``top_k`` most likely
    tokens, and all outside the smallest set whose probability reaches ``top_p`` (Holtzman et
    al. 2020), set to -inf. The most likely token always survives.

    Args:
        logits: (B, V).

    Returns:
        (B, V) float32.
    """
    if temperature <= 0:
        raise ValueError(f"temperature must be > 0 to sample, got {temperature}")
    if top_k is not None and top_k < 1:
        raise ValueError(f"top_k must be >= 1, got {top_k}")
    if top_p is not None and not 0 < top_p <= 1:
        raise ValueError(f"top_p must be in (0, 1], got {top_p}")
    logits = logits.float() / temperature
    if top_k is not None and top_k < logits.size(-1):
        kth = torch.topk(logits, top_k, dim=-1).values[..., -1:]
        logits = logits.masked_fill(logits < kth, float("-inf"))
    if top_p is not None and top_p < 1:
        sorted_logits, order = torch.sort(logits, dim=-1, descending=True)
        cumulative = sorted_logits.softmax(-1).cumsum(-1)
        # Drop a token when the tokens before it already reach top_p.
        drop_sorted = (cumulative - sorted_logits.softmax(-1)) >= top_p
        drop = torch.zeros_like(drop_sorted).scatter(-1, order, drop_sorted)
        logits = logits.masked_fill(drop, float("-inf"))
    return logits


def choose(
    logits: torch.Tensor,
    temperature: float,
    top_k: int | None,
    top_p: float | None,
    generator: torch.Generator | None,
) -> torch.Tensor:
    """One token per row: the most likely when ``temperature == 0``, else a sample.

    Args:
        logits: (B, V).

    Returns:
        (B,) token ids.
    """
    if temperature == 0:
        return logits.argmax(-1)
    probs = filter_logits(logits, temperature, top_k, top_p).softmax(-1)
    return torch.multinomial(probs, 1, generator=generator).squeeze(-1)
