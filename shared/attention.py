"""Soft attention over an encoder memory, in the three classic scoring forms.

Every class splits its work in two so decoders can run fast:

* ``project_keys(memory)`` does the query-independent part once per source
  (for additive attention that is ``W_k h_s``, the costliest product);
* ``forward(query, keys, memory, pad_mask)`` scores, masks, normalises and
  reads the context, for one step ``(B, Q)`` or for all steps at once ``(B, T, Q)``.
"""

from __future__ import annotations

import torch
from torch import nn

ATTENTION_TYPES = ("additive", "dot", "general")


class Attention(nn.Module):
    """Base class: masked softmax over scores and the weighted sum of the memory."""

    def project_keys(self, memory: torch.Tensor) -> torch.Tensor:
        """Precompute the query-independent keys.

        Args:
            memory: (B, S, D) encoder outputs.

        Returns:
            keys: (B, S, K), where K depends on the scoring form.
        """
        raise NotImplementedError

    def score(self, query: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
        """Unnormalised scores: query (B, T, Q), keys (B, S, K) -> (B, T, S)."""
        raise NotImplementedError

    def forward(
        self,
        query: torch.Tensor,
        keys: torch.Tensor,
        memory: torch.Tensor,
        pad_mask: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Attend.

        Args:
            query: (N, Q) for one step, or (B, T, Q) for T steps at once. For one step N may
                be a multiple of B: each run of N / B consecutive queries (the beams of one
                input) attends over the same memory.
            keys: (B, S, K) from :meth:`project_keys`.
            memory: (B, S, D) the values that are averaged.
            pad_mask: (B, S) bool, True = padding (never attended). Each row needs a False.

        Returns:
            context: (N, D) or (B, T, D).
            weights: (N, S) or (B, T, S); each row sums to 1 and is 0 at padding.
        """
        single_step = query.dim() == 2
        if single_step:
            rows, memories = query.size(0), keys.size(0)
            if rows % memories:
                raise ValueError(f"{rows} queries cannot share {memories} memories evenly")
            # Consecutive queries may share one memory (the beams of one input): they are
            # scored as the steps of that memory, so it is never copied per beam.
            query = query.view(memories, rows // memories, -1)
        scores = self.score(query, keys)
        if pad_mask is not None:
            scores = scores.masked_fill(pad_mask.unsqueeze(1), float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        context = torch.bmm(weights, memory)
        if single_step:
            return context.reshape(rows, -1), weights.reshape(rows, -1)
        return context, weights


class AdditiveAttention(Attention):
    """Additive attention (Bahdanau, Cho & Bengio 2015, "Neural Machine Translation by
    Jointly Learning to Align and Translate").

    score(q, h_s) = v^T tanh(W_q q + W_k h_s)
    """

    def __init__(self, query_dim: int, memory_dim: int, attn_dim: int) -> None:
        super().__init__()
        self.query_proj = nn.Linear(query_dim, attn_dim, bias=False)
        self.key_proj = nn.Linear(memory_dim, attn_dim, bias=True)
        self.v = nn.Linear(attn_dim, 1, bias=False)

    def project_keys(self, memory: torch.Tensor) -> torch.Tensor:
        return self.key_proj(memory)

    def score(self, query: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
        # (B, T, 1, A) + (B, 1, S, A) -> (B, T, S, A) -> (B, T, S)
        hidden = torch.tanh(self.query_proj(query).unsqueeze(2) + keys.unsqueeze(1))
        return self.v(hidden).squeeze(-1)


class DotAttention(Attention):
    """Dot-product attention (Luong, Pham & Manning 2015, "Effective Approaches to
    Attention-based Neural Machine Translation").

    score(q, h_s) = q^T h_s      (needs query_dim == memory_dim)
    """

    def __init__(self, query_dim: int, memory_dim: int) -> None:
        super().__init__()
        if query_dim != memory_dim:
            raise ValueError(
                f"dot attention needs query_dim == memory_dim, got {query_dim} and {memory_dim};"
                " use 'general' attention instead"
            )

    def project_keys(self, memory: torch.Tensor) -> torch.Tensor:
        return memory

    def score(self, query: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
        return torch.bmm(query, keys.transpose(1, 2))


class GeneralAttention(Attention):
    """Bilinear ("general") attention (Luong, Pham & Manning 2015).

    score(q, h_s) = q^T W_a h_s  — computed as q . (W_a h_s) so W_a h_s is projected once.
    """

    def __init__(self, query_dim: int, memory_dim: int) -> None:
        super().__init__()
        self.key_proj = nn.Linear(memory_dim, query_dim, bias=False)

    def project_keys(self, memory: torch.Tensor) -> torch.Tensor:
        return self.key_proj(memory)

    def score(self, query: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
        return torch.bmm(query, keys.transpose(1, 2))


def make_attention(kind: str, query_dim: int, memory_dim: int, attn_dim: int) -> Attention:
    """Build ``"additive"`` (Bahdanau), ``"dot"`` or ``"general"`` (Luong) attention."""
    name = str(kind).lower()
    if name == "additive":
        return AdditiveAttention(query_dim, memory_dim, attn_dim)
    if name == "dot":
        return DotAttention(query_dim, memory_dim)
    if name == "general":
        return GeneralAttention(query_dim, memory_dim)
    raise ValueError(f"unknown attention {kind!r}; choose one of {', '.join(ATTENTION_TYPES)}")


def doubly_stochastic_penalty(
    weights: torch.Tensor,
    target_pad_mask: torch.Tensor | None = None,
    memory_pad_mask: torch.Tensor | None = None,
) -> torch.Tensor:
    """Show, Attend and Tell's regulariser (Xu et al. 2015): summed over the output steps,
    every memory position should receive about one unit of attention.

    penalty = mean_b mean_s (1 - sum_t alpha_{b,t,s})^2

    (The paper sums over positions; the mean, as common implementations take it, keeps the
    weight of the penalty independent of the grid size.)

    Args:
        weights: (B, T, S) attention of each output step.
        target_pad_mask: (B, T) bool, True = padded output step (its weights are ignored).
        memory_pad_mask: (B, S) bool, True = padded memory position (left out).

    Returns:
        scalar tensor.
    """
    if target_pad_mask is not None:
        weights = weights.masked_fill(target_pad_mask.unsqueeze(-1), 0.0)
    deficit = (1.0 - weights.sum(dim=1)) ** 2
    if memory_pad_mask is None:
        return deficit.mean()
    keep = (~memory_pad_mask).to(deficit.dtype)
    return ((deficit * keep).sum(dim=1) / keep.sum(dim=1).clamp_min(1.0)).mean()


def attention_entropy(
    weights: torch.Tensor,
    target_pad_mask: torch.Tensor | None = None,
) -> torch.Tensor:
    """Mean entropy (nats) of the attention rows; add it to the loss to sharpen attention.

    Args:
        weights: (B, T, S).
        target_pad_mask: (B, T) bool, True = padded output step (excluded from the mean).

    Returns:
        scalar tensor.
    """
    entropy = -(weights * weights.clamp_min(1e-12).log()).sum(-1)
    if target_pad_mask is None:
        return entropy.mean()
    keep = (~target_pad_mask).to(entropy.dtype)
    return (entropy * keep).sum() / keep.sum().clamp_min(1.0)
