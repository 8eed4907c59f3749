"""The "How it works" pictures: the memory curves are measured, so test what they claim."""

import numpy as np

from shared.explain import input_influence, memory_figure, unrolled_figure


def test_plain_rnn_forgets_and_open_gates_remember():
    rnn = input_influence("rnn", steps=20, seeds=2)
    lstm = input_influence("lstm", steps=20, gate_bias=3.0, seeds=2)
    gru = input_influence("gru", steps=20, gate_bias=3.0, seeds=2)
    for curve in (rnn, lstm, gru):
        assert curve.shape == (20,) and curve[-1] == 1.0  # relative to the newest input
    assert rnn[0] < 1e-3  # twenty steps ago: almost gone from a plain RNN...
    assert lstm[0] > 100 * rnn[0] and gru[0] > 100 * rnn[0]  # ...kept by open gates
    assert np.all(np.diff(np.log(rnn)) > 0)  # and fading steadily with age


def test_figures_draw():
    for fig in (memory_figure(steps=10), unrolled_figure(("a", "b"))):
        fig.canvas.draw()
        assert fig.axes
