"""The language model: embedding -> recurrent stack -> the embedding again, as output layer.

Tying the output layer to the input embedding (Press & Wolf 2017; Inan et al. 2017) makes a
token's "meaning in" and "meaning out" one vector: fewer weights and better perplexity. The
recurrent stack's last layer is projected down to the embedding size when the two differ.

A :class:`TextModel` holds a left-to-right model and, optionally, a right-to-left one over
the reversed text, trained together; fill-in-the-blank scores each candidate from both
sides, as the explainer describes ("given what comes before and after").
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from shared.cells import make_fused_rnn

MODEL_TYPE = "textgen"
FORMAT_VERSION = 1


@dataclass
class TextModelConfig:
    """Architecture of a :class:`TextModel`.

    Attributes:
        vocab_size: tokens (set from the tokenizer).
        cell: ``rnn``, ``lstm`` or ``gru``.
        embed_dim: embedding size (also the output layer's, tied).
        hidden_size: recurrent state size per layer.
        num_layers: stacked recurrent layers.
        dropout: on embeddings, between layers and before the output layer.
        backward: also a right-to-left model (for fill in the blank).
    """

    vocab_size: int = 0
    cell: str = "lstm"
    embed_dim: int = 256
    hidden_size: int = 512
    num_layers: int = 2
    dropout: float = 0.2
    backward: bool = True


class RNNLanguageModel(nn.Module):
    """One direction: next-token logits from the tokens so far, state carried across calls."""

    def __init__(self, config: TextModelConfig) -> None:
        super().__init__()
        self.embedding = nn.Embedding(config.vocab_size, config.embed_dim)
        nn.init.normal_(self.embedding.weight, std=config.embed_dim**-0.5)
        self.rnn = make_fused_rnn(
            config.cell,
            config.embed_dim,
            config.hidden_size,
            config.num_layers,
            dropout=config.dropout,
        )
        self.project = (
            nn.Linear(config.hidden_size, config.embed_dim)
            if config.hidden_size != config.embed_dim
            else nn.Identity()
        )
        self.output_bias = nn.Parameter(torch.zeros(config.vocab_size))
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, ids: torch.Tensor, state=None) -> tuple[torch.Tensor, object]:
        """Read ``ids`` after ``state``.

        Args:
            ids: (B, T) token ids.
            state: the state a previous call returned (None: the zero state).

        Returns:
            logits: (B, T, vocab_size), the next token's after each step.
            state: to continue from (a tensor, or (h, c) for an LSTM; (layers, B, H) each).
        """
        outputs, state = self.rnn(self.dropout(self.embedding(ids)), state)
        features = self.project(self.dropout(outputs))
        return nn.functional.linear(features, self.embedding.weight, self.output_bias), state


class TextModel(nn.Module):
    """A left-to-right language model and, if ``config.backward``, a right-to-left one."""

    def __init__(self, config: TextModelConfig) -> None:
        super().__init__()
        if config.vocab_size < 2:
            raise ValueError(f"vocab_size must be >= 2, got {config.vocab_size}")
        self.config = config
        self.forward_lm = RNNLanguageModel(config)
        self.backward_lm = RNNLanguageModel(config) if config.backward else None

    def forward(
        self,
        ids: torch.Tensor,
        state=None,
        reversed_ids: torch.Tensor | None = None,
        reversed_state=None,
    ) -> tuple[torch.Tensor, object, torch.Tensor | None, object]:
        """Both directions in one call (so data-parallel training syncs both).

        Args:
            ids: (B, T) text, left to right; ``state`` carries over from the previous chunk.
            reversed_ids: (B, T) the reversed text for the backward model (None: skip it).

        Returns:
            (logits (B, T, V), state, reversed logits (B, T, V) or None, reversed state).
        """
        logits, state = self.forward_lm(ids, state)
        if reversed_ids is None or self.backward_lm is None:
            return logits, state, None, None
        reversed_logits, reversed_state = self.backward_lm(reversed_ids, reversed_state)
        return logits, state, reversed_logits, reversed_state


def detach_state(state):
    """The state with its history cut (truncated backpropagation through time)."""
    if state is None:
        return None
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()


def state_rows(state, rows: slice):
    """The state of some batch rows (states are (layers, B, H), or a tuple of them)."""
    if isinstance(state, tuple):
        return tuple(s[:, rows] for s in state)
    return state[:, rows]


def stack_states(states: list):
    """One batch state from the states of several batches, rows in order."""
    if isinstance(states[0], tuple):
        return tuple(torch.cat(parts, dim=1) for parts in zip(*states, strict=True))
    return torch.cat(states, dim=1)
