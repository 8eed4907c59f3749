import pytest
import torch

from shared.attention import (
    ATTENTION_TYPES,
    AdditiveAttention,
    attention_entropy,
    doubly_stochastic_penalty,
    make_attention,
)
from shared.masks import lengths_to_pad_mask


def build(kind: str):
    return make_attention(kind, query_dim=8, memory_dim=8, attn_dim=6)


@pytest.mark.parametrize("kind", ATTENTION_TYPES)
def test_shapes_rows_sum_to_one_and_padding_gets_nothing(kind):
    attn = build(kind)
    memory = torch.randn(3, 5, 8)
    pad_mask = lengths_to_pad_mask(torch.tensor([5, 2, 4]), 5)
    keys = attn.project_keys(memory)
    context, weights = attn(torch.randn(3, 8), keys, memory, pad_mask)
    assert context.shape == (3, 8) and weights.shape == (3, 5)
    assert torch.allclose(weights.sum(-1), torch.ones(3))
    assert torch.all(weights[pad_mask] == 0)
    many_ctx, many_w = attn(torch.randn(3, 4, 8), keys, memory, pad_mask)
    assert many_ctx.shape == (3, 4, 8) and many_w.shape == (3, 4, 5)
    assert torch.all(many_w.masked_select(pad_mask[:, None, :].expand(-1, 4, -1)) == 0)


@pytest.mark.parametrize("kind", ATTENTION_TYPES)
def test_beams_sharing_a_memory_equal_beams_with_a_copy_each(kind):
    attn = build(kind)
    memory, beams = torch.randn(3, 5, 8), 4
    pad_mask = lengths_to_pad_mask(torch.tensor([5, 2, 4]), 5)
    keys = attn.project_keys(memory)
    queries = torch.randn(3 * beams, 8)  # rows 0-3 are input 0's beams, 4-7 input 1's...
    shared_ctx, shared_w = attn(queries, keys, memory, pad_mask)
    copied = [t.repeat_interleave(beams, dim=0) for t in (keys, memory, pad_mask)]
    copy_ctx, copy_w = attn(queries, *copied)
    assert shared_ctx.shape == (12, 8) and shared_w.shape == (12, 5)
    assert torch.allclose(shared_ctx, copy_ctx, atol=1e-6)
    assert torch.allclose(shared_w, copy_w, atol=1e-6)
    with pytest.raises(ValueError, match="cannot share"):
        attn(torch.randn(7, 8), keys, memory, pad_mask)


@pytest.mark.parametrize("kind", ATTENTION_TYPES)
def test_all_steps_at_once_equals_one_step_at_a_time(kind):
    attn = build(kind)
    memory, queries = torch.randn(2, 5, 8), torch.randn(2, 3, 8)
    pad_mask = lengths_to_pad_mask(torch.tensor([5, 3]), 5)
    keys = attn.project_keys(memory)
    ctx_all, w_all = attn(queries, keys, memory, pad_mask)
    for t in range(3):
        ctx, w = attn(queries[:, t], keys, memory, pad_mask)
        assert torch.allclose(ctx, ctx_all[:, t], atol=1e-6)
        assert torch.allclose(w, w_all[:, t], atol=1e-6)


@pytest.mark.parametrize("kind", ATTENTION_TYPES)
def test_padding_invariance(kind):
    """Garbage in padded memory positions changes nothing."""
    attn = build(kind)
    memory = torch.randn(1, 3, 8)
    query = torch.randn(1, 8)
    ctx, w = attn(query, attn.project_keys(memory), memory)
    padded = torch.cat([memory, 100 * torch.randn(1, 4, 8)], dim=1)
    mask = lengths_to_pad_mask(torch.tensor([3]), 7)
    ctx_p, w_p = attn(query, attn.project_keys(padded), padded, mask)
    assert torch.allclose(ctx, ctx_p, atol=1e-5)
    assert torch.allclose(w, w_p[:, :3], atol=1e-6)


def test_additive_attention_follows_its_formula():
    attn = AdditiveAttention(4, 3, 5)
    q, memory = torch.randn(2, 4), torch.randn(2, 6, 3)
    _, weights = attn(q, attn.project_keys(memory), memory)
    w_q, w_k, b_k, v = (
        attn.query_proj.weight,
        attn.key_proj.weight,
        attn.key_proj.bias,
        attn.v.weight,
    )
    scores = (torch.tanh((q @ w_q.T)[:, None, :] + memory @ w_k.T + b_k) @ v.T).squeeze(-1)
    assert torch.allclose(weights, torch.softmax(scores, -1), atol=1e-6)


def test_dot_and_general_follow_their_formulas():
    memory, q = torch.randn(2, 6, 4), torch.randn(2, 4)
    dot = make_attention("dot", 4, 4, 4)
    _, w = dot(q, dot.project_keys(memory), memory)
    assert torch.allclose(w, torch.softmax(torch.einsum("bd,bsd->bs", q, memory), -1), atol=1e-6)
    general = make_attention("general", 4, 4, 4)
    _, w = general(q, general.project_keys(memory), memory)
    w_a = general.key_proj.weight
    scores = torch.einsum("bd,de,bse->bs", q, w_a, memory)
    assert torch.allclose(w, torch.softmax(scores, -1), atol=1e-5)


def test_bad_settings_are_value_errors():
    with pytest.raises(ValueError, match="unknown attention 'cosine'"):
        make_attention("cosine", 4, 4, 4)
    with pytest.raises(ValueError, match="query_dim == memory_dim"):
        make_attention("dot", 4, 6, 4)


def test_doubly_stochastic_penalty_by_hand():
    # 2 steps over 3 positions: column sums 1.0, 0.5, 0.5 -> mean(0, 0.25, 0.25) = 1/6
    weights = torch.tensor([[[0.5, 0.5, 0.0], [0.5, 0.0, 0.5]]])
    assert torch.isclose(doubly_stochastic_penalty(weights), torch.tensor(1 / 6))
    # a padded output step is ignored; a padded memory position is left out
    padded_step = torch.cat([weights, torch.tensor([[[1.0, 0.0, 0.0]]])], dim=1)
    target_mask = torch.tensor([[False, False, True]])
    assert torch.isclose(doubly_stochastic_penalty(padded_step, target_mask), torch.tensor(1 / 6))
    memory_mask = torch.tensor([[False, False, True]])
    assert torch.isclose(doubly_stochastic_penalty(weights, None, memory_mask), torch.tensor(0.125))


def test_attention_entropy():
    uniform = torch.full((1, 1, 4), 0.25)
    peaked = torch.tensor([[[1.0, 0.0, 0.0, 0.0]]])
    assert torch.isclose(attention_entropy(uniform), torch.log(torch.tensor(4.0)))
    assert attention_entropy(peaked).abs() < 1e-6
