"""The intent tab's pictures (plotly, drawn by the browser): the intent after each word, the
hidden state after each word, and each word's influence on the decision."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _go():
    import plotly.graph_objects as go

    return go


def _word_axis(tokens: Sequence[str]) -> dict:
    # Positions, not labels: a request can repeat a word, and plotly would merge equal labels.
    return dict(tickvals=list(range(len(tokens))), ticktext=list(tokens), tickangle=-45)


def per_step_figure(
    tokens: Sequence[str], per_step: np.ndarray, intents: Sequence[str], top: int = 5
):
    """A line per intent: its probability after each word (the ``top`` intents that ever
    lead or come close; the rest would be flat lines at zero).

    Args:
        per_step: (len(tokens), len(intents)).
    """
    go = _go()
    peak = per_step.max(0) if len(tokens) else np.zeros(len(intents))
    shown = np.argsort(-peak)[:top]
    fig = go.Figure()
    for k in shown:
        fig.add_trace(
            go.Scatter(
                x=list(range(len(tokens))),
                y=per_step[:, k].round(3),
                mode="lines+markers",
                name=intents[k],
            )
        )
    fig.update_layout(
        title="What the model would say if the request ended at each word",
        xaxis=_word_axis(tokens), yaxis=dict(title="probability", range=[0, 1.02]),
        height=320, margin=dict(l=10, r=10, t=50, b=10),
    )  # fmt: skip
    return fig


def states_figure(tokens: Sequence[str], states: np.ndarray):
    """The hidden state after each word as colours: a column per word, a row per unit
    (the explainer's coloured-state picture, from the real model).

    Args:
        states: (len(tokens), H).
    """
    go = _go()
    limit = max(1e-6, float(np.abs(states).max())) if states.size else 1.0
    fig = go.Figure(go.Heatmap(
        z=states.T.round(3), x=list(range(len(tokens))), colorscale="RdBu", zmid=0,
        zmin=-limit, zmax=limit, hovertemplate="unit %{y}<br>value %{z:.2f}<extra></extra>",
    ))  # fmt: skip
    fig.update_layout(
        title="Hidden state after each word (each word mixes into what came before)",
        xaxis=_word_axis(tokens), yaxis=dict(title="state unit"),
        height=360, margin=dict(l=10, r=10, t=50, b=10),
    )  # fmt: skip
    return fig


def influence_figure(tokens: Sequence[str], influence: np.ndarray, intent: str):
    """Bars: each word's influence on the decision (gradient norm, the largest = 1)."""
    go = _go()
    fig = go.Figure(
        go.Bar(x=list(range(len(tokens))), y=np.asarray(influence).round(3), marker_color="#64b5f6")
    )
    fig.update_layout(
        title=f"How much each word moved the decision for {intent}",
        xaxis=_word_axis(tokens), yaxis=dict(title="influence (largest = 1)", range=[0, 1.05]),
        height=300, margin=dict(l=10, r=10, t=50, b=10),
    )  # fmt: skip
    return fig
