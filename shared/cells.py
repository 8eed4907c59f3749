"""Recurrent layers by name: ``rnn`` (Elman, tanh), ``lstm`` and ``gru``.

Every model in the suite lets its cell type be chosen, so the choice lives in one place.
Sequence layers are the fused cuDNN/oneDNN kernels (``nn.RNN``/``nn.LSTM``/``nn.GRU``),
run over padded batches so that padding never leaks into the states: each sequence ends in
its padding, and a backward direction reads each sequence reversed within its own length.
"""

from __future__ import annotations

import torch
from torch import _VF, nn

from shared.masks import check_lengths, lengths_to_pad_mask

CELL_TYPES = ("rnn", "lstm", "gru")

_FUSED = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
_SINGLE_STEP = {"rnn": nn.RNNCell, "lstm": nn.LSTMCell, "gru": nn.GRUCell}
# The kernels behind nn.RNN/nn.LSTM/nn.GRU, called one layer and one direction at a time.
_KERNELS = {"rnn": _VF.rnn_tanh, "lstm": _VF.lstm, "gru": _VF.gru}


def _check_cell(cell: str) -> str:
    name = str(cell).lower()
    if name not in CELL_TYPES:
        raise ValueError(f"unknown cell type {cell!r}; choose one of {', '.join(CELL_TYPES)}")
    return name


def make_fused_rnn(
    cell: str,
    input_size: int,
    hidden_size: int,
    num_layers: int = 1,
    bidirectional: bool = False,
    dropout: float = 0.0,
) -> nn.RNNBase:
    """The bare batch-first fused layer (``nn.RNN``/``nn.LSTM``/``nn.GRU``) for ``cell``."""
    cls = _FUSED[_check_cell(cell)]
    return cls(
        input_size,
        hidden_size,
        num_layers=num_layers,
        bidirectional=bidirectional,
        dropout=dropout if num_layers > 1 else 0.0,
        batch_first=True,
    )


def make_rnn_cell(cell: str, input_size: int, hidden_size: int) -> nn.RNNCellBase:
    """A single-step cell (``nn.RNNCell``/``nn.LSTMCell``/``nn.GRUCell``) for ``cell``."""
    return _SINGLE_STEP[_check_cell(cell)](input_size, hidden_size)


class SequenceRNN(nn.Module):
    """A stack of (optionally bidirectional) recurrent layers over padded batches.

    Each sequence's outputs depend on its own steps only, and outputs at padded positions
    are exactly zero. Padding sits after each sequence, where a forward direction reaches it
    only after the sequence's last step; a backward direction reads each sequence reversed
    within its length. This does what packed sequences do at the padded batch's speed: on
    CPUs the backward pass through a packed batch of uneven lengths is much slower
    (``python -m benchmarks.sequence_rnn``). Forward alone, a batch of uneven lengths costs
    the padding steps a packed run would skip (about 10% more for lengths 50 to 75).
    """

    def __init__(
        self,
        cell: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.cell = _check_cell(cell)
        self.rnn = make_fused_rnn(cell, input_size, hidden_size, num_layers, bidirectional, dropout)
        self.output_size = hidden_size * (2 if bidirectional else 1)

    def forward(
        self, x: torch.Tensor, lengths: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Run the stack.

        Args:
            x: (B, T, input_size).
            lengths: (B,) valid steps per sequence; None means all T.

        Returns:
            y: (B, T, output_size), zero at padding.
            lengths: (B,) int64, on ``x.device``.
        """
        if x.dim() != 3 or x.size(0) == 0:
            raise ValueError(f"expected a non-empty (B, T, D) batch, got shape {tuple(x.shape)}")
        if lengths is None:
            y, _ = self.rnn(x)
            return y, torch.full((x.size(0),), x.size(1), dtype=torch.long, device=x.device)
        lengths = check_lengths(lengths, x.size(1), x.size(0)).to(x.device)
        keep = (~lengths_to_pad_mask(lengths, x.size(1))).unsqueeze(-1).to(x.dtype)
        rnn = self.rnn
        for layer in range(rnn.num_layers):
            if layer > 0 and rnn.dropout:
                x = nn.functional.dropout(x, rnn.dropout, self.training)
            y = self._direction(x, layer, "")
            if rnn.bidirectional:
                back = self._direction(reverse_within(x, lengths), layer, "_reverse")
                y = torch.cat([y, reverse_within(back, lengths)], dim=-1)
            x = y * keep
        return x, lengths

    def _direction(self, x: torch.Tensor, layer: int, suffix: str) -> torch.Tensor:
        """One layer's one direction, left to right over (B, T, D): (B, T, hidden_size)."""
        rnn = self.rnn
        names = ["weight_ih", "weight_hh"] + (["bias_ih", "bias_hh"] if rnn.bias else [])
        weights = [getattr(rnn, f"{name}_l{layer}{suffix}") for name in names]
        state = x.new_zeros(1, x.size(0), rnn.hidden_size)
        start = (state, state) if self.cell == "lstm" else state
        kernel = _KERNELS[self.cell]
        return kernel(x, start, weights, rnn.bias, 1, 0.0, self.training, False, True)[0]


def reverse_within(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Each sequence of (B, T, D) ``x`` reversed within its first ``lengths`` steps, its
    padding left where it is (its own inverse)."""
    steps = torch.arange(x.size(1), device=x.device)
    order = torch.where(steps < lengths[:, None], lengths[:, None] - 1 - steps, steps)
    return x.gather(1, order.unsqueeze(-1).expand_as(x))


def make_rnn(
    cell: str,
    input_size: int,
    hidden_size: int,
    num_layers: int = 1,
    bidirectional: bool = False,
    dropout: float = 0.0,
) -> SequenceRNN:
    """Build a packed, batch-first recurrent stack of the named cell type.

    Args:
        cell: ``"rnn"``, ``"lstm"`` or ``"gru"``.
        input_size: features per step.
        hidden_size: state size per direction.
        num_layers: stacked layers.
        bidirectional: read both ways; outputs concatenate the two directions.
        dropout: between stacked layers (ignored for one layer).

    Returns:
        A :class:`SequenceRNN`; ``forward(x (B, T, input_size), lengths (B,))`` returns
        ``(y (B, T, hidden_size * directions), lengths)``.
    """
    return SequenceRNN(cell, input_size, hidden_size, num_layers, bidirectional, dropout)


def input_gates(rnn: nn.RNNBase, layer: int, x: torch.Tensor, columns: slice | None = None):
    """The input part of a fused layer's gate pre-activations, ``x W_ih^T + b_ih``.

    Computing it apart from the recurrence lets callers do it once for all time steps.

    Args:
        rnn: a unidirectional ``nn.RNN``/``nn.LSTM``/``nn.GRU``.
        layer: which layer's weights.
        x: (..., I) the layer's input, or only the part of it given by ``columns``.
        columns: the slice of the input features ``x`` holds; the bias is added only when
            the slice starts at 0, so partial products can be summed.

    Returns:
        (..., G * H) with G = 4 (LSTM), 3 (GRU) or 1 (RNN).
    """
    weight = getattr(rnn, f"weight_ih_l{layer}")
    bias = getattr(rnn, f"bias_ih_l{layer}", None)
    if columns is not None:
        weight = weight[:, columns]
        if columns.start not in (None, 0):
            bias = None
    return nn.functional.linear(x, weight, bias)


def recurrent_step(rnn: nn.RNNBase, layer: int, gates_x: torch.Tensor, state):
    """Advance one layer of a fused RNN by one step, given its input gates.

    The maths are those of ``nn.RNN``/``nn.LSTM``/``nn.GRU`` (same gate order, same weights),
    written out so the input product can be hoisted out of a time loop.

    Args:
        rnn: a unidirectional fused layer stack.
        layer: which layer.
        gates_x: (B, G * H) from :func:`input_gates`.
        state: (B, H), or ``(h, c)`` for LSTM.

    Returns:
        the new state, of the same structure.
    """
    w_hh = getattr(rnn, f"weight_hh_l{layer}")
    b_hh = getattr(rnn, f"bias_hh_l{layer}", None)
    if isinstance(rnn, nn.LSTM):
        h, c = state
        gates = gates_x + nn.functional.linear(h, w_hh, b_hh)
        i, f, g, o = gates.chunk(4, dim=-1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        return torch.sigmoid(o) * torch.tanh(c), c
    gates_h = nn.functional.linear(state, w_hh, b_hh)
    if isinstance(rnn, nn.GRU):
        x_r, x_z, x_n = gates_x.chunk(3, dim=-1)
        h_r, h_z, h_n = gates_h.chunk(3, dim=-1)
        r = torch.sigmoid(x_r + h_r)
        z = torch.sigmoid(x_z + h_z)
        n = torch.tanh(x_n + r * h_n)
        return n + z * (state - n)
    activation = torch.tanh if rnn.nonlinearity == "tanh" else torch.relu
    return activation(gates_x + gates_h)
