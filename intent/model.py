"""The joint intent and slot model (Liu & Lane, 2016): one RNN reads the request a word at a
time; its output at every step tags that word's slot (many-to-many) and its final state
decides the intent (many-to-one), the explainer's "what time is it?" picture exactly.

Each word enters as its embedding plus the mean embedding of its hashed character n-grams
(fastText's subwords), so a word the model never saw (a city, a typo) still has a meaning.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from shared.cells import CELL_TYPES, make_rnn
from shared.masks import lengths_to_pad_mask, masked_mean

MODEL_TYPE = "rnn-intent"
FORMAT_VERSION = 1
POOLINGS = ("last", "mean")


@dataclass
class IntentConfig:
    """Architecture of an intent model.

    Attributes:
        vocab_size: known words (specials included).
        ngram_buckets: hash buckets for character n-grams.
        n_intents: intent labels.
        n_tags: BIO slot tags.
        embed_dim: word and n-gram embedding size.
        hidden_size: RNN state size per direction.
        num_layers: stacked RNN layers.
        cell: ``rnn``, ``lstm`` or ``gru``.
        bidirectional: read both ways (the final state then joins the forward RNN's last
            state and the backward RNN's first).
        pooling: what the intent head reads: ``last`` (the final state) or ``mean`` (the
            mean of every step's output).
        slot_lookahead: the slot head tags word t from the outputs at t .. t + k, so a
            one-way RNN sees the next word before it decides whether "the" starts "the day
            after tomorrow" (0: from the output at t alone).
        dropout: on embeddings and before the heads.
    """

    vocab_size: int = 2000
    ngram_buckets: int = 8192
    n_intents: int = 12
    n_tags: int = 9
    embed_dim: int = 96
    hidden_size: int = 192
    num_layers: int = 1
    cell: str = "gru"
    bidirectional: bool = False
    pooling: str = "last"
    slot_lookahead: int = 2
    dropout: float = 0.35

    def __post_init__(self) -> None:
        if self.cell not in CELL_TYPES:
            raise ValueError(
                f"unknown cell type {self.cell!r}; choose one of {', '.join(CELL_TYPES)}"
            )
        if self.pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}, not {self.pooling!r}")
        if self.slot_lookahead < 0:
            raise ValueError(f"slot_lookahead must be >= 0, got {self.slot_lookahead}")


class JointIntentModel(nn.Module):
    """Embeddings -> RNN -> (intent head on the pooled state, slot head on every step)."""

    def __init__(self, config: IntentConfig) -> None:
        super().__init__()
        self.config = config
        self.words = nn.Embedding(config.vocab_size, config.embed_dim, padding_idx=0)
        # Bucket 0 pads; bucket ids arrive shifted by one.
        self.ngrams = nn.Embedding(config.ngram_buckets + 1, config.embed_dim, padding_idx=0)
        self.rnn = make_rnn(
            config.cell,
            config.embed_dim,
            config.hidden_size,
            config.num_layers,
            config.bidirectional,
            config.dropout,
        )
        width = config.hidden_size * (2 if config.bidirectional else 1)
        self.dropout = nn.Dropout(config.dropout)
        self.intent_head = nn.Linear(width, config.n_intents)
        self.slot_head = nn.Linear(width * (1 + config.slot_lookahead), config.n_tags)

    def embed(self, words: torch.Tensor, ngrams: torch.Tensor) -> torch.Tensor:
        """(B, T, E): word embedding + mean n-gram embedding. ``words`` (B, T),
        ``ngrams`` (B, T, G) with 0 as padding."""
        grams = self.ngrams(ngrams)  # (B, T, G, E); padding rows are zero
        count = (ngrams > 0).sum(-1, keepdim=True).clamp(min=1)
        return self.words(words) + grams.sum(2) / count

    def encode(
        self, embedded: torch.Tensor, lengths: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """RNN outputs (B, T, H') and the pooled state (B, H') the intent head reads."""
        outputs, _ = self.rnn(self.dropout(embedded), lengths)
        pad_mask = lengths_to_pad_mask(lengths, outputs.size(1))
        if self.config.pooling == "mean":
            return outputs, masked_mean(outputs, pad_mask)
        last = outputs[torch.arange(outputs.size(0)), lengths.to(outputs.device) - 1]
        if self.config.bidirectional:
            # The backward direction has read the whole request by the first word.
            h = self.config.hidden_size
            last = torch.cat([last[:, :h], outputs[:, 0, h:]], dim=-1)
        return outputs, last

    def forward(
        self, words: torch.Tensor, ngrams: torch.Tensor, lengths: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Args: ``words`` (B, T), ``ngrams`` (B, T, G), ``lengths`` (B,).

        Returns:
            intent logits (B, n_intents), slot logits (B, T, n_tags) and the RNN outputs
            (B, T, H') (zero past each length).
        """
        outputs, pooled = self.encode(self.embed(words, ngrams), lengths)
        intent = self.intent_head(self.dropout(pooled))
        slots = self.slot_head(self.dropout(self._with_lookahead(outputs)))
        return intent, slots, outputs

    def _with_lookahead(self, outputs: torch.Tensor) -> torch.Tensor:
        """(B, T, H * (1 + k)): each step's output joined with the next k steps' (zeros past
        the end, as the RNN's outputs are past each length, so padding changes nothing)."""
        shifted = [outputs]
        for k in range(1, self.config.slot_lookahead + 1):
            shifted.append(nn.functional.pad(outputs, (0, 0, 0, k))[:, k:])
        return torch.cat(shifted, dim=-1)

    def prefix_intent_logits(self, outputs: torch.Tensor) -> torch.Tensor:
        """(B, T, n_intents): the intent logits had each request ended at each step. Exact
        only for a one-way RNN, whose output at step t has read nothing after t.

        Args:
            outputs: (B, T, H) the RNN outputs of :meth:`forward`.
        """
        if self.config.bidirectional:
            raise ValueError("a bidirectional model must be run on each prefix instead")
        if self.config.pooling == "mean":
            steps = torch.arange(1, outputs.size(1) + 1, device=outputs.device)
            outputs = outputs.cumsum(1) / steps.view(1, -1, 1)
        return self.intent_head(outputs)
