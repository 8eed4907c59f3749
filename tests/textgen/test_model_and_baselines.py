"""The language model: tied weights, state carried across chunks equals one long read, the
loss goes down; sampling filters; the Kneser-Ney baseline is a distribution."""

import numpy as np
import pytest
import torch

from textgen.model import TextModel, TextModelConfig, detach_state
from textgen.ngram import KneserNeyLM
from textgen.sampling import choose, filter_logits
from textgen.train import CarriedStateLoss


def _model(cell="lstm", **kw):
    torch.manual_seed(0)
    config = TextModelConfig(
        vocab_size=11, cell=cell, embed_dim=6, hidden_size=8, num_layers=2, dropout=0.0, **kw
    )
    return TextModel(config).eval()


def test_output_layer_is_the_embedding():
    model = _model()
    names = [n for n, _ in model.forward_lm.named_parameters()]
    assert not any("decoder" in n or "output.weight" in n for n in names)
    x = torch.randint(0, 11, (2, 5))
    before, _ = model.forward_lm(x)
    with torch.no_grad():
        model.forward_lm.embedding.weight[3] += 1.0  # one token's vector, in and out
    after, _ = model.forward_lm(x)
    assert not torch.allclose(before[..., 3], after[..., 3])


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_carried_state_equals_one_long_read(cell):
    model = _model(cell)
    x = torch.randint(0, 11, (3, 12))
    whole, _ = model.forward_lm(x)
    first, state = model.forward_lm(x[:, :5])
    second, _ = model.forward_lm(x[:, 5:], detach_state(state))
    torch.testing.assert_close(torch.cat([first, second], 1), whole)


def test_carried_loss_resets_when_the_stream_restarts():
    model = _model()
    loss = CarriedStateLoss()
    batch = {
        k: torch.randint(0, 11, (2, 4))
        for k in ("inputs", "targets", "reversed_inputs", "reversed_targets")
    }
    loss(model, {**batch, "chunk": 0})
    carried = loss.states[0][0].clone()
    value_follow, _ = loss(model, {**batch, "chunk": 1})
    loss.chunk = 0
    loss.states = ((carried, carried), loss.states[1])
    value_restart, _ = loss(model, {**batch, "chunk": 0})  # chunk 0 again: a fresh start
    fresh, _ = CarriedStateLoss()(model, {**batch, "chunk": 0})
    assert torch.isclose(value_restart, fresh) and not torch.isclose(value_follow, fresh)


def test_a_few_steps_lower_the_loss():
    model = _model().train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    ids = torch.arange(12).remainder(11).repeat(4, 3)[:, :33]
    batch = {"inputs": ids[:, :-1], "targets": ids[:, 1:], "reversed_inputs": ids.flip(1)[:, :-1],
             "reversed_targets": ids.flip(1)[:, 1:], "chunk": 0}  # fmt: skip
    losses = []
    for _ in range(40):
        value, _ = CarriedStateLoss()(model, batch)
        optimizer.zero_grad()
        value.backward()
        optimizer.step()
        losses.append(value.item())
    assert losses[-1] < 0.5 * losses[0]


def test_top_k_and_top_p_keep_the_right_tokens():
    logits = torch.log(torch.tensor([[0.5, 0.25, 0.15, 0.1]]))
    assert torch.isfinite(filter_logits(logits, top_k=2)).tolist() == [[True, True, False, False]]
    assert torch.isfinite(filter_logits(logits, top_p=0.7)).tolist() == [[True, True, False, False]]
    assert torch.isfinite(filter_logits(logits, top_p=0.75)).tolist() == [
        [True, True, False, False]
    ]
    assert torch.isfinite(filter_logits(logits, top_p=0.76)).tolist() == [[True, True, True, False]]
    assert torch.isfinite(filter_logits(logits, top_p=0.1)).tolist() == [
        [True, False, False, False]
    ]
    assert choose(logits, 0, None, None, None).tolist() == [0]
    generator = torch.Generator().manual_seed(0)
    draws = [int(choose(logits, 1.0, 2, None, generator)) for _ in range(200)]
    assert set(draws) == {0, 1}
    with pytest.raises(ValueError, match="top_k"):
        filter_logits(logits, top_k=0)


def test_kneser_ney_is_a_distribution_and_learns():
    rng = np.random.default_rng(0)
    ids = np.tile([1, 2, 3, 4], 300)
    ids[rng.integers(0, len(ids), 50)] = 0
    lm = KneserNeyLM(3, 6).fit(ids)
    for context in ([1, 2], [4, 4], [5, 5], [3]):
        total = sum(np.exp(lm.log_probs([w], np.array(context)))[0] for w in range(6))
        assert total == pytest.approx(1.0)
    assert np.exp(lm.log_probs([3], np.array([1, 2])))[0] > 0.9  # 1 2 -> 3, learned
    assert np.exp(lm.log_probs([5], np.array([1, 2])))[0] > 0  # never seen, still possible
    with pytest.raises(ValueError, match="int64"):
        KneserNeyLM(12, 5000)
