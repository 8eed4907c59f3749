"""Length and padding helpers shared by every sequence model.

Masks are named for what ``True`` means: in a ``pad_mask`` True marks padding.
"""

from __future__ import annotations

import torch
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence


def check_lengths(
    lengths: torch.Tensor, max_len: int | None = None, batch_size: int | None = None
) -> torch.Tensor:
    """Validate a batch of sequence lengths and return them as a CPU int64 tensor.

    Args:
        lengths: (B,) integer lengths.
        max_len: the padded time dimension T the lengths must fit in, if known.
        batch_size: the B of the padded batch they describe, if known.

    Raises:
        ValueError: empty batch, a non-1-D tensor, a count other than ``batch_size``, a
            length below 1 or above ``max_len``.
    """
    lengths = torch.as_tensor(lengths)
    if lengths.dim() != 1:
        raise ValueError(f"lengths must be a 1-D tensor, got shape {tuple(lengths.shape)}")
    if lengths.numel() == 0:
        raise ValueError("empty batch: lengths has no entries")
    if batch_size is not None and lengths.numel() != batch_size:
        raise ValueError(f"{lengths.numel()} lengths for a batch of {batch_size}")
    if lengths.is_floating_point():
        raise ValueError("lengths must be integers")
    lengths = lengths.to("cpu", torch.int64)
    if int(lengths.min()) < 1:
        raise ValueError(f"every sequence needs at least one step, got length {int(lengths.min())}")
    if max_len is not None and int(lengths.max()) > max_len:
        raise ValueError(f"length {int(lengths.max())} is beyond the padded length T={max_len}")
    return lengths


def lengths_to_pad_mask(lengths: torch.Tensor, max_len: int | None = None) -> torch.Tensor:
    """Turn lengths into a padding mask.

    Args:
        lengths: (B,) integer lengths, each in [1, max_len].
        max_len: T; defaults to ``lengths.max()``.

    Returns:
        (B, T) bool, True where the position is padding. On the device of ``lengths``.
    """
    device = lengths.device if isinstance(lengths, torch.Tensor) else None
    checked = check_lengths(lengths, max_len)
    if max_len is None:
        max_len = int(checked.max())
    positions = torch.arange(max_len, device=device)
    return positions[None, :] >= checked.to(device)[:, None]


def pad_mask_to_lengths(pad_mask: torch.Tensor) -> torch.Tensor:
    """Inverse of :func:`lengths_to_pad_mask` for masks whose padding is at the end.

    Args:
        pad_mask: (B, T) bool, True = padding.

    Returns:
        (B,) int64 lengths.
    """
    return (~pad_mask).sum(dim=1)


def pack(x: torch.Tensor, lengths: torch.Tensor) -> PackedSequence:
    """Pack a batch-first padded tensor (B, T, ...) for a fused RNN; any length order."""
    lengths = check_lengths(lengths, x.size(1), x.size(0))
    return pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)


def unpack(packed: PackedSequence, total_length: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Unpack to batch-first (B, total_length, ...) with zeros at padding, plus (B,) lengths."""
    y, lengths = pad_packed_sequence(packed, batch_first=True, total_length=total_length)
    return y, lengths


def masked_mean(x: torch.Tensor, pad_mask: torch.Tensor) -> torch.Tensor:
    """Mean over time of the non-padding steps.

    Args:
        x: (B, T, D).
        pad_mask: (B, T) bool, True = padding.

    Returns:
        (B, D).
    """
    keep = (~pad_mask).unsqueeze(-1).to(x.dtype)
    return (x * keep).sum(1) / keep.sum(1).clamp_min(1.0)
