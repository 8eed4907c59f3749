"""Search against hand-made log-probabilities."""

import math

import pytest
import torch

from shared.decoding import DecodeConfig, beam_search, greedy_search, length_penalty, search

PAD, BOS, EOS, A, B = range(5)
V = 5
# Probabilities of the next token after each prefix; greedy takes "a a" (p = .5 * .36 * .98
# = .176) although "b" (p = .4 * .9 = .36) is twice as likely: only a beam finds it.
TABLE = {
    (): {A: 0.5, B: 0.4, EOS: 0.1},
    (A,): {A: 0.36, B: 0.34, EOS: 0.30},
    (B,): {EOS: 0.9, A: 0.06, B: 0.04},
    (A, A): {EOS: 0.98, A: 0.01, B: 0.01},
    (A, B): {EOS: 0.5, A: 0.26, B: 0.24},
}
# A second input whose best answer is "b b".
TABLE_2 = {(): {B: 0.7, A: 0.2, EOS: 0.1}, (B,): {B: 0.8, EOS: 0.2}, (B, B): {EOS: 1.0}}
# With a strong length penalty the long "a a" wins although "" and "b" end first: a search
# that stops once the pool is full, judging the live "a a" at its current length, misses it.
TABLE_LONG = {
    (): {EOS: 0.55, A: 0.25, B: 0.20},
    (A,): {A: 0.54, EOS: 0.46},
    (B,): {EOS: 0.9, A: 0.1},
    (A, A): {EOS: 1.0},
}
TABLES = [TABLE, TABLE_2, TABLE_LONG]
UNKNOWN = {EOS: 0.7, A: 0.15, B: 0.15}


def log_probs_for(table: dict, prefix: tuple) -> list[float]:
    probs = table.get(prefix, UNKNOWN)
    return [math.log(probs[v]) if probs.get(v, 0) > 0 else -1e9 for v in range(V)]


def fake_step(tokens, state, context):
    """Appends each previous token to its own history (so a wrong reorder shows), looks up
    the next-token distribution by prefix, and 'attends' to the previous token's id."""
    history, length = state["history"].clone(), state["length"] + 1
    history[torch.arange(len(tokens)), length] = tokens
    rows = []
    per_input = len(tokens) // len(context["table"])  # the beams of an input are consecutive
    for i in range(len(tokens)):
        prefix = tuple(history[i, 2 : length[i] + 1].tolist())
        rows.append(log_probs_for(TABLES[int(context["table"][i // per_input])], prefix))
    attention = torch.nn.functional.one_hot(tokens, V).float()
    return torch.tensor(rows), {"history": history, "length": length}, attention


def start(tables=(0,)):
    n = len(tables)
    state = {
        "history": torch.zeros(n, 12, dtype=torch.long),
        "length": torch.zeros(n, dtype=torch.long),
    }
    return state, {"table": torch.tensor(tables)}


def run(fn, config, tables=(0,)):
    state, context = start(tables)
    return fn(fake_step, state, bos=BOS, eos=EOS, config=config, context=context)


def test_greedy_takes_the_locally_best_path():
    hyp = run(greedy_search, DecodeConfig(beam_size=1, max_len=10))[0][0]
    assert hyp.tokens == [A, A] and hyp.finished
    assert hyp.log_prob == pytest.approx(math.log(0.5 * 0.36 * 0.98))


def test_beam_finds_the_more_probable_sequence():
    hyps = run(beam_search, DecodeConfig(beam_size=2, max_len=10, n_best=2))[0]
    assert [h.tokens for h in hyps] == [[B], [A, A]]
    assert hyps[0].log_prob == pytest.approx(math.log(0.36), abs=1e-5)
    assert hyps[0].score >= hyps[1].score
    assert all(h.finished for h in hyps)


@pytest.mark.parametrize("tables", [(0,), (1,), (2,), (0, 1), (1, 0, 2)])
@pytest.mark.parametrize("max_len", [1, 2, 10])
def test_beam_size_one_is_exactly_greedy(tables, max_len):
    config = DecodeConfig(beam_size=1, max_len=max_len, length_penalty=0.6)
    greedy = run(greedy_search, config, tables)
    beam = run(beam_search, config, tables)
    for g, b in zip(greedy, beam, strict=True):
        assert g[0].tokens == b[0].tokens and g[0].finished == b[0].finished
        assert g[0].score == pytest.approx(b[0].score, abs=1e-5)
        assert torch.equal(g[0].attention, b[0].attention)


def test_end_symbol_is_not_in_the_tokens_but_in_the_probability():
    hyp = run(beam_search, DecodeConfig(beam_size=2, max_len=10))[0][0]
    assert EOS not in hyp.tokens
    assert hyp.log_prob == pytest.approx(math.log(0.4) + math.log(0.9), abs=1e-5)


def test_length_penalty_favours_longer_output():
    plain = run(beam_search, DecodeConfig(beam_size=2, max_len=10, n_best=2))[0]
    # alpha 5 rewards length so much that, uncapped, a cut 10-token continuation of "a a"
    # would win; a cap of 3 tokens leaves "a a" + end against "b" + end.
    strong = run(beam_search, DecodeConfig(beam_size=2, max_len=3, n_best=2, length_penalty=5.0))[0]
    assert plain[0].tokens == [B]
    assert strong[0].tokens == [A, A]
    expected = math.log(0.5 * 0.36 * 0.98) / length_penalty(3, 5.0)  # two words + end symbol
    assert strong[0].score == pytest.approx(expected, abs=1e-5)


def test_stop_is_admissible_under_a_length_penalty():
    config = DecodeConfig(beam_size=2, max_len=10, length_penalty=5.0, n_best=2)
    hyps = run(beam_search, config, (2,))[0]
    assert hyps[0].tokens == [A, A] and hyps[0].finished
    expected = math.log(0.25 * 0.54) / length_penalty(3, 5.0)
    assert hyps[0].score == pytest.approx(expected, abs=1e-5)  # -0.475, above "" at -0.598
    assert hyps[0].score > math.log(0.55) / length_penalty(1, 5.0)
    # Without the penalty the empty output is best, and the search may stop at once.
    assert run(beam_search, DecodeConfig(beam_size=2, max_len=10), (2,))[0][0].tokens == []


def test_max_len_cuts_unfinished_hypotheses():
    hyps = run(beam_search, DecodeConfig(beam_size=2, max_len=1, n_best=2))[0]
    assert [h.tokens for h in hyps] == [[A], [B]]
    assert not any(h.finished for h in hyps)
    greedy = run(greedy_search, DecodeConfig(beam_size=1, max_len=1))[0][0]
    assert greedy.tokens == [A] and not greedy.finished


def test_batched_search_equals_one_input_at_a_time():
    config = DecodeConfig(beam_size=3, max_len=6, n_best=3)
    together = run(beam_search, config, (0, 1, 0))
    for i, table in enumerate((0, 1, 0)):
        alone = run(beam_search, config, (table,))[0]
        assert [h.tokens for h in together[i]] == [h.tokens for h in alone]
        assert [h.score for h in together[i]] == pytest.approx([h.score for h in alone])
    assert together[1][0].tokens == [B, B]


def test_attention_rows_follow_each_hypothesis_path():
    for hyp in run(beam_search, DecodeConfig(beam_size=3, max_len=6, n_best=3), (0,))[0]:
        previous = [BOS, *hyp.tokens][: len(hyp.tokens)]
        assert hyp.attention.shape == (len(hyp.tokens), V)
        assert hyp.attention.argmax(-1).tolist() == previous


def test_search_dispatches_on_beam_size():
    assert run(search, DecodeConfig(beam_size=1))[0][0].tokens == [A, A]
    assert run(search, DecodeConfig(beam_size=2))[0][0].tokens == [B]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"beam_size": 0}, "beam_size"),
        ({"max_len": 0}, "max_len"),
        ({"beam_size": 2, "n_best": 3}, "n_best"),
        ({"length_penalty": -1.0}, "length_penalty"),
    ],
)
def test_bad_settings_are_value_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DecodeConfig(**kwargs)


def test_empty_batch_is_a_value_error():
    state = {"history": torch.zeros(0, 4, dtype=torch.long)}
    with pytest.raises(ValueError, match="empty batch"):
        beam_search(fake_step, state, bos=BOS, eos=EOS, config=DecodeConfig(2))
    with pytest.raises(ValueError, match="cannot tell the batch size"):
        greedy_search(fake_step, {}, bos=BOS, eos=EOS, config=DecodeConfig(1))


@pytest.mark.parametrize("fn", [greedy_search, beam_search])
def test_per_input_length_caps_make_batching_irrelevant(fn):
    caps = [1, 3, 2]
    tables = (0, 1, 0)
    beam = 1 if fn is greedy_search else 2
    state, context = start(tables)
    together = fn(
        fake_step,
        state,
        bos=BOS,
        eos=EOS,
        config=DecodeConfig(beam, max_len=5),
        context=context,
        max_lens=caps,
    )
    for i, (table, cap) in enumerate(zip(tables, caps, strict=True)):
        alone = run(fn, DecodeConfig(beam, max_len=cap), (table,))[0]
        assert [(h.tokens, h.finished) for h in together[i]] == [
            (h.tokens, h.finished) for h in alone
        ]
        assert all(len(h.tokens) <= cap for h in together[i])
    with pytest.raises(ValueError, match="2 max_lens for a batch of 3"):
        fn(
            fake_step,
            state,
            bos=BOS,
            eos=EOS,
            config=DecodeConfig(beam),
            context=context,
            max_lens=[1, 2],
        )


@pytest.mark.parametrize("fn", [greedy_search, beam_search])
def test_finished_inputs_leave_the_batch(fn):
    """Input 1 ends at once; input 0 runs to its cap: later steps only carry input 0."""
    sizes = []

    def recording_step(tokens, state, context):
        sizes.append(len(tokens))
        return fake_step(tokens, state, context)

    beam = 1 if fn is greedy_search else 2
    state, context = start((0, 1))
    table_1_ends = {(): {EOS: 0.9, A: 0.05, B: 0.05}}
    TABLES.append(table_1_ends)
    try:
        state, context = start((0, len(TABLES) - 1))
        fn(
            recording_step,
            state,
            bos=BOS,
            eos=EOS,
            config=DecodeConfig(beam, max_len=6),
            context=context,
            max_lens=[6, 6],
        )
    finally:
        TABLES.pop()
    assert sizes[0] == 2 * beam and sizes[-1] == beam
