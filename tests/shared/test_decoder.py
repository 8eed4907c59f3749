import itertools

import pytest
import torch

from shared.attention import ATTENTION_TYPES
from shared.cells import CELL_TYPES
from shared.decoder import AttentionRNNDecoder
from shared.decoding import DecodeConfig, beam_search, greedy_search
from shared.masks import lengths_to_pad_mask

VARIANTS = list(itertools.product(CELL_TYPES, ATTENTION_TYPES, [True, False]))


def make(cell, attention, feeding, layers=2, dropout=0.0):
    return AttentionRNNDecoder(
        vocab_size=13,
        embed_dim=8,
        hidden_size=16,
        memory_dim=16,
        cell=cell,
        attention=attention,
        input_feeding=feeding,
        num_layers=layers,
        dropout=dropout,
    ).eval()


def batch():
    memory = torch.randn(3, 6, 16)
    pad_mask = lengths_to_pad_mask(torch.tensor([6, 2, 4]), 6)
    tokens = torch.randint(4, 13, (3, 5))
    return tokens, memory, pad_mask


@pytest.mark.parametrize(("cell", "attention", "feeding"), VARIANTS)
def test_forward_shapes_and_attention(cell, attention, feeding):
    tokens, memory, pad_mask = batch()
    logits, weights = make(cell, attention, feeding)(tokens, memory, pad_mask)
    assert logits.shape == (3, 5, 13)
    assert weights.shape == (3, 5, 6)
    assert torch.allclose(weights.sum(-1), torch.ones(3, 5), atol=1e-5)
    assert torch.all(weights.masked_select(pad_mask[:, None, :].expand(-1, 5, -1)) == 0)


@pytest.mark.parametrize(("cell", "attention", "feeding"), VARIANTS)
def test_step_by_step_equals_teacher_forced_forward(cell, attention, feeding):
    decoder = make(cell, attention, feeding)
    tokens, memory, pad_mask = batch()
    logits, weights = decoder(tokens, memory, pad_mask)
    state = decoder.init_state(memory, pad_mask)
    context = decoder.prepare_context(memory, pad_mask)
    for t in range(tokens.size(1)):
        log_probs, new_state, w = decoder.step(tokens[:, t], state, context)
        assert torch.allclose(log_probs, logits[:, t].log_softmax(-1), atol=1e-5)
        assert torch.allclose(w, weights[:, t], atol=1e-5)
        assert new_state is not state and set(new_state) == set(state)
        state = new_state


@pytest.mark.parametrize(("cell", "attention", "feeding"), VARIANTS)
def test_memory_padding_invariance(cell, attention, feeding):
    decoder = make(cell, attention, feeding)
    tokens, memory, _ = batch()
    short, _ = decoder(tokens[:1], memory[:1, :3], None)
    padded_memory = torch.cat([memory[:1, :3], 50 * torch.randn(1, 4, 16)], dim=1)
    mask = lengths_to_pad_mask(torch.tensor([3]), 7)
    padded, weights = decoder(tokens[:1], padded_memory, mask)
    assert torch.allclose(short, padded, atol=1e-5)
    assert torch.all(weights[..., 3:] == 0)


@pytest.mark.parametrize("feeding", [True, False])
def test_later_target_tokens_do_not_change_earlier_outputs(feeding):
    decoder = make("lstm", "additive", feeding)
    tokens, memory, pad_mask = batch()
    logits, _ = decoder(tokens, memory, pad_mask)
    changed = tokens.clone()
    changed[:, 3:] = 0  # padding the tail of the targets
    logits_changed, _ = decoder(changed, memory, pad_mask)
    assert torch.allclose(logits[:, :3], logits_changed[:, :3], atol=1e-6)


def test_step_does_not_modify_its_inputs():
    decoder = make("lstm", "additive", True)
    _, memory, pad_mask = batch()
    state = decoder.init_state(memory, pad_mask)
    before = {k: v.clone() for k, v in state.items()}
    decoder.step(torch.tensor([1, 1, 1]), state, decoder.prepare_context(memory, pad_mask))
    assert all(torch.equal(before[k], state[k]) for k in state)


@pytest.mark.parametrize(("cell", "attention", "feeding"), VARIANTS[::4])
def test_beam_one_equals_greedy_on_a_real_decoder(cell, attention, feeding):
    decoder = make(cell, attention, feeding)
    _, memory, pad_mask = batch()
    args = dict(bos=1, eos=2, config=DecodeConfig(1, 8))
    greedy = greedy_search(
        decoder.step,
        decoder.init_state(memory, pad_mask),
        context=decoder.prepare_context(memory, pad_mask),
        **args,
    )
    beam1 = beam_search(
        decoder.step,
        decoder.init_state(memory, pad_mask),
        context=decoder.prepare_context(memory, pad_mask),
        **args,
    )
    for g, b in zip(greedy, beam1, strict=True):
        assert g[0].tokens == b[0].tokens
        assert g[0].log_prob == pytest.approx(b[0].log_prob, abs=1e-4)
        assert torch.allclose(g[0].attention, b[0].attention)


@pytest.mark.parametrize(("cell", "attention", "feeding"), VARIANTS[1::4])
def test_generate_keeps_attention_and_never_outputs_pad_or_bos(cell, attention, feeding):
    decoder = make(cell, attention, feeding)
    _, memory, pad_mask = batch()
    for config in (DecodeConfig(1, 8), DecodeConfig(3, 8, n_best=2)):
        results = decoder.generate(memory, pad_mask, bos=1, eos=2, config=config)
        for nbest, length in zip(results, [6, 2, 4], strict=True):
            assert len(nbest) == config.n_best
            assert [h.score for h in nbest] == sorted((h.score for h in nbest), reverse=True)
            for hyp in nbest:
                assert hyp.attention.shape == (len(hyp.tokens), 6)
                assert torch.all(hyp.attention[:, length:] == 0)
                assert 0 not in hyp.tokens and 1 not in hyp.tokens


def test_dropout_only_in_training():
    decoder = make("gru", "general", False, dropout=0.5)
    tokens, memory, pad_mask = batch()
    a, _ = decoder(tokens, memory, pad_mask)
    b, _ = decoder(tokens, memory, pad_mask)
    assert torch.equal(a, b)
    decoder.train()
    c, _ = decoder(tokens, memory, pad_mask)
    assert not torch.allclose(a, c)


def test_bad_input_is_a_clear_value_error():
    decoder = make("lstm", "dot", False)
    with pytest.raises(ValueError, match="non-empty"):
        decoder(torch.zeros(0, 3, dtype=torch.long), torch.randn(0, 4, 16))
    with pytest.raises(ValueError, match="batch of 2 targets but 3 memories"):
        decoder(torch.ones(2, 3, dtype=torch.long), torch.randn(3, 4, 16))
