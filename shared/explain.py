"""Pictures for the "How it works" story: an RNN unrolled over a sentence, and how much of each
earlier input survives in the hidden state of a plain RNN, an LSTM and a GRU.

The survival curves are measured, not drawn by hand: for a randomly initialised cell the size
of the gradient of the last hidden state with respect to each input says how much that input
can still move the state.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # never a window: these figures are drawn to files and pages
    import matplotlib.pyplot as plt

    return plt


def input_influence(
    cell: str, steps: int = 30, hidden_size: int = 64, gate_bias: float = 0.0, seeds: int = 8
) -> np.ndarray:
    """(steps,) mean ||d h_T / d x_t|| for t = 1..T, relative to the last input's.

    Args:
        cell: ``rnn``, ``lstm`` or ``gru`` (PyTorch's layers with their default init).
        gate_bias: added to the bias of the gate that decides what to keep (the LSTM's forget
            gate; the GRU's update gate), as a trained network does when it must remember.
    """
    total = np.zeros(steps)
    for seed in range(seeds):
        torch.manual_seed(seed)
        layer = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell](
            hidden_size, hidden_size, batch_first=True
        )
        if cell != "rnn":
            # The second gate block is the LSTM's forget gate (order i, f, g, o) and the
            # GRU's update gate (order r, z, n; z near 1 keeps the old state).
            with torch.no_grad():
                layer.bias_hh_l0[hidden_size : 2 * hidden_size] += gate_bias
        x = torch.randn(1, steps, hidden_size, requires_grad=True)
        out, _ = layer(x)
        out[0, -1].sum().backward()
        norms = x.grad[0].norm(dim=-1).numpy()
        total += norms / norms[-1]
    return total / seeds


def memory_figure(steps: int = 30):
    """Influence of each earlier input on the final state, for RNN, LSTM and GRU."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 3.6))
    ago = np.arange(steps)[::-1]
    curves = [
        ("plain RNN", input_influence("rnn", steps), "#e57373"),
        ("LSTM, forget gate open", input_influence("lstm", steps, gate_bias=3.0), "#64b5f6"),
        ("GRU, update gate keeping", input_influence("gru", steps, gate_bias=3.0), "#81c784"),
    ]
    for label, values, colour in curves:
        ax.semilogy(ago, np.maximum(values, 1e-12), label=label, color=colour, linewidth=2)
    ax.invert_xaxis()
    ax.set_xlabel("how many steps ago the input came")
    ax.set_ylabel("its influence on the last state\n(relative to the newest input)")
    ax.set_ylim(1e-10, 10)
    ax.legend(loc="lower left")
    ax.set_title("Short-term memory, measured: d(last state)/d(input) over time")
    fig.tight_layout()
    return fig


def unrolled_figure(words: Sequence[str] = ("what", "time", "is", "it", "?")):
    """The intent classifier of the story, unrolled: one cell per word, the state passed on,
    and only the last output used."""
    plt = _pyplot()
    n = len(words)
    fig, ax = plt.subplots(figsize=(1.8 * n + 2.2, 3.4))
    colours = plt.get_cmap("viridis")(np.linspace(0.15, 0.85, n))
    for k, word in enumerate(words):
        x = 1.8 * k
        ax.text(x, 0, word, ha="center", va="center", fontsize=12, weight="bold")
        ax.annotate("", (x, 0.95), (x, 0.3), arrowprops={"arrowstyle": "->"})
        ax.add_patch(plt.Rectangle((x - 0.55, 1.0), 1.1, 0.9, color="#eeeeee", ec="black"))
        # The state after word k holds a share of every word so far: one stripe per word.
        for j in range(k + 1):
            h = 0.8 / (k + 1)
            ax.add_patch(plt.Rectangle((x - 0.45, 1.05 + j * h), 0.9, h, color=colours[j]))
        ax.text(x, 2.05, f"h{k + 1}", ha="center", fontsize=10)
        if k < n - 1:
            ax.annotate("", (x + 1.2, 1.45), (x + 0.6, 1.45), arrowprops={"arrowstyle": "->"})
    last = 1.8 * (n - 1)
    ax.annotate("", (last + 1.2, 1.45), (last + 0.6, 1.45), arrowprops={"arrowstyle": "->"})
    ax.text(last + 1.3, 1.45, "intent:\nask the time", va="center", fontsize=11)
    ax.set_xlim(-1, last + 3.2)
    ax.set_ylim(-0.4, 2.4)
    ax.axis("off")
    ax.set_title("An RNN reads one word at a time; its state mixes in every word so far")
    fig.tight_layout()
    return fig
