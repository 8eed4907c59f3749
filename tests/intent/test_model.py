import pytest
import torch

from intent.data import Encoded, collate
from intent.model import IntentConfig, JointIntentModel


def tiny(cell="gru", **kw) -> JointIntentModel:
    torch.manual_seed(0)
    config = IntentConfig(
        vocab_size=40,
        ngram_buckets=64,
        n_intents=5,
        n_tags=9,
        embed_dim=8,
        hidden_size=16,
        cell=cell,
        **kw,
    )
    return JointIntentModel(config).eval()


def batch_of(lengths):
    g = torch.Generator().manual_seed(1)
    items = []
    for n in lengths:
        words = torch.randint(4, 40, (n,), generator=g).tolist()
        grams = [torch.randint(0, 64, (3,), generator=g).tolist() for _ in range(n)]
        items.append(Encoded(words, grams, [0] * n, 1))
    return items


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize(
    "extra", [{}, {"pooling": "mean"}, {"bidirectional": True}, {"slot_lookahead": 0}]
)
def test_shapes_and_padding_invariance(cell, extra):
    model = tiny(cell, **extra)
    items = batch_of([5, 2, 7])
    batch = collate(items)
    intent, slots, outputs = model(batch["words"], batch["ngrams"], batch["lengths"])
    width = 32 if extra.get("bidirectional") else 16
    assert intent.shape == (3, 5) and slots.shape == (3, 7, 9) and outputs.shape == (3, 7, width)
    for k, item in enumerate(items):  # alone, without padding: the same numbers
        alone = collate([item])
        i1, s1, _ = model(alone["words"], alone["ngrams"], alone["lengths"])
        n = len(item.words)
        torch.testing.assert_close(i1[0], intent[k], atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(s1[0, :n], slots[k, :n], atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("pooling", ["last", "mean"])
def test_prefix_logits_equal_running_each_prefix(pooling):
    model = tiny("lstm", pooling=pooling)
    (item,) = batch_of([6])
    batch = collate([item])
    _, _, outputs = model(batch["words"], batch["ngrams"], batch["lengths"])
    prefix = model.prefix_intent_logits(outputs)[0]
    for t in range(1, 7):
        cut = collate([Encoded(item.words[:t], item.ngrams[:t], [0] * t, 1)])
        logits, _, _ = model(cut["words"], cut["ngrams"], cut["lengths"])
        torch.testing.assert_close(prefix[t - 1], logits[0], atol=1e-5, rtol=1e-5)
    with pytest.raises(ValueError, match="bidirectional"):
        tiny(bidirectional=True).prefix_intent_logits(outputs)


def test_loss_goes_down_on_one_batch():
    from intent.train import loss_fn

    model = tiny().train()
    batch = collate(batch_of([4, 6, 3, 5]))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    first = None
    for _ in range(30):
        loss, _ = loss_fn(model, batch)
        first = first if first is not None else loss.item()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < first / 3


def test_bad_configs_are_refused():
    with pytest.raises(ValueError, match="pooling"):
        IntentConfig(pooling="max")
    with pytest.raises(ValueError, match="slot_lookahead"):
        IntentConfig(slot_lookahead=-1)
    with pytest.raises(ValueError, match="unknown cell type 'foo'"):
        IntentConfig(cell="foo")
