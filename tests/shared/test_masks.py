import pytest
import torch

from shared.masks import check_lengths, lengths_to_pad_mask, masked_mean, pad_mask_to_lengths


def test_pad_mask_marks_padding_true():
    mask = lengths_to_pad_mask(torch.tensor([3, 1, 2]), max_len=4)
    expected = torch.tensor(
        [[False, False, False, True], [False, True, True, True], [False, False, True, True]]
    )
    assert torch.equal(mask, expected)
    assert torch.equal(pad_mask_to_lengths(mask), torch.tensor([3, 1, 2]))


def test_pad_mask_defaults_to_longest():
    assert lengths_to_pad_mask(torch.tensor([2, 5])).shape == (2, 5)


@pytest.mark.parametrize(
    ("lengths", "max_len", "message"),
    [
        (torch.tensor([3, 6]), 5, "beyond"),
        (torch.tensor([], dtype=torch.long), None, "empty batch"),
        (torch.tensor([2, 0]), None, "at least one step"),
        (torch.tensor([[2]]), None, "1-D"),
        (torch.tensor([2.0]), None, "integers"),
    ],
)
def test_bad_lengths_are_clear_value_errors(lengths, max_len, message):
    with pytest.raises(ValueError, match=message):
        check_lengths(lengths, max_len)


def test_masked_mean_ignores_padding():
    x = torch.tensor([[[1.0], [3.0], [100.0]], [[2.0], [2.0], [2.0]]])
    mask = lengths_to_pad_mask(torch.tensor([2, 3]), 3)
    assert torch.allclose(masked_mean(x, mask), torch.tensor([[2.0], [2.0]]))
