import pytest
import torch
from torch import nn

from shared.cells import (
    CELL_TYPES,
    input_gates,
    make_fused_rnn,
    make_rnn,
    make_rnn_cell,
    recurrent_step,
)


@pytest.mark.parametrize("cell", CELL_TYPES)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_shapes_and_zero_padding(cell, bidirectional):
    rnn = make_rnn(cell, 5, 16, num_layers=2, bidirectional=bidirectional, dropout=0.1).eval()
    x = torch.randn(3, 7, 5)
    lengths = torch.tensor([7, 3, 5])
    y, out_lengths = rnn(x, lengths)
    assert y.shape == (3, 7, 16 * (2 if bidirectional else 1)) == (3, 7, rnn.output_size)
    assert torch.equal(out_lengths, lengths)
    assert torch.all(y[1, 3:] == 0) and torch.all(y[2, 5:] == 0)


@pytest.mark.parametrize("cell", CELL_TYPES)
def test_padding_invariance(cell):
    """A sequence's outputs do not depend on what pads it or on its batch mates."""
    rnn = make_rnn(cell, 4, 16, bidirectional=True).eval()
    seq = torch.randn(1, 4, 4)
    alone, _ = rnn(seq, torch.tensor([4]))
    batch = torch.randn(2, 9, 4) * 10  # garbage everywhere, then our sequence in row 1
    batch[1, :4] = seq[0]
    together, _ = rnn(batch, torch.tensor([9, 4]))
    assert torch.allclose(together[1, :4], alone[0], atol=1e-6)


@pytest.mark.parametrize("cell", CELL_TYPES)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_same_outputs_and_gradients_as_packed_sequences(cell, bidirectional):
    """The padded run computes what the fused layer computes on a packed batch."""
    from shared.masks import pack, unpack

    rnn = make_rnn(cell, 5, 8, num_layers=3, bidirectional=bidirectional, dropout=0.2).eval()
    x = torch.randn(4, 9, 5, requires_grad=True)
    lengths = torch.tensor([9, 2, 6, 1])
    y, _ = rnn(x, lengths)
    expected, _ = unpack(rnn.rnn(pack(x, lengths))[0], total_length=9)
    assert torch.allclose(y, expected, atol=1e-5)
    weights = torch.randn_like(y)
    ours = torch.autograd.grad((y * weights).sum(), [x, *rnn.parameters()])
    theirs = torch.autograd.grad((expected * weights).sum(), [x, *rnn.parameters()])
    for a, b in zip(ours, theirs, strict=True):
        assert torch.allclose(a, b, atol=1e-5)


def test_reverse_within_keeps_padding_in_place():
    from shared.cells import reverse_within

    x = torch.arange(8.0).view(2, 4, 1)
    flipped = reverse_within(x, torch.tensor([3, 4]))
    assert flipped[..., 0].tolist() == [[2, 1, 0, 3], [7, 6, 5, 4]]
    assert torch.equal(reverse_within(flipped, torch.tensor([3, 4])), x)


def test_no_lengths_means_full_length():
    rnn = make_rnn("gru", 4, 8)
    y, lengths = rnn(torch.randn(2, 3, 4))
    assert y.shape == (2, 3, 8) and lengths.tolist() == [3, 3]


def test_single_step_cells_by_name():
    assert isinstance(make_rnn_cell("lstm", 3, 4), nn.LSTMCell)
    assert isinstance(make_rnn_cell("GRU", 3, 4), nn.GRUCell)
    assert isinstance(make_rnn_cell("rnn", 3, 4), nn.RNNCell)


@pytest.mark.parametrize("cell", CELL_TYPES)
def test_written_out_step_matches_fused_layer(cell):
    """input_gates + recurrent_step compute exactly what nn.RNN/LSTM/GRU compute."""
    fused = make_fused_rnn(cell, 6, 8, num_layers=1)
    x = torch.randn(4, 5, 6)
    expected, _ = fused(x)
    state = (torch.zeros(4, 8), torch.zeros(4, 8)) if cell == "lstm" else torch.zeros(4, 8)
    gates = input_gates(fused, 0, x)
    outputs = []
    for t in range(5):
        state = recurrent_step(fused, 0, gates[:, t], state)
        outputs.append(state[0] if cell == "lstm" else state)
    assert torch.allclose(torch.stack(outputs, 1), expected, atol=1e-5)


def test_input_gates_split_by_columns_sum_to_whole():
    fused = make_fused_rnn("lstm", 6, 4)
    x = torch.randn(3, 6)
    whole = input_gates(fused, 0, x)
    parts = input_gates(fused, 0, x[:, :2], slice(0, 2)) + input_gates(
        fused, 0, x[:, 2:], slice(2, None)
    )
    assert torch.allclose(whole, parts, atol=1e-6)


def test_bad_input_is_a_clear_value_error():
    with pytest.raises(ValueError, match="unknown cell type 'transformer'"):
        make_rnn("transformer", 4, 4)
    rnn = make_rnn("lstm", 4, 4)
    with pytest.raises(ValueError, match="beyond"):
        rnn(torch.randn(2, 3, 4), torch.tensor([3, 4]))
    with pytest.raises(ValueError, match="non-empty"):
        rnn(torch.randn(0, 3, 4), torch.tensor([], dtype=torch.long))
