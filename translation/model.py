"""The translation network: a bidirectional RNN encoder and the shared attention decoder."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from shared.cells import make_rnn
from shared.decoder import AttentionRNNDecoder
from shared.masks import lengths_to_pad_mask

MODEL_TYPE = "rnn-translation"
FORMAT_VERSION = 1


@dataclass
class TranslationConfig:
    """Architecture of a translation model, and the length penalty its search uses by
    default (other search settings live in DecodeConfig).

    Attributes:
        src_lang, tgt_lang: language codes, for display and model selection.
        src_vocab_size, tgt_vocab_size: subword vocabulary sizes.
        embed_dim: subword embedding size, both sides.
        hidden_size: encoder state size per direction (the memory is twice this).
        decoder_hidden_size: decoder state size.
        encoder_layers, decoder_layers: stacked RNN layers.
        cell, decoder_cell: ``rnn``, ``lstm`` or ``gru``.
        attention: ``additive`` (Bahdanau), ``dot`` or ``general`` (Luong).
        input_feeding: feed the attentional state back into the decoder RNN.
        dropout: on embeddings, between layers and before the output layer.
    """

    src_lang: str = "en"
    tgt_lang: str = "fr"
    src_vocab_size: int = 4000
    tgt_vocab_size: int = 4000
    embed_dim: int = 256
    hidden_size: int = 256
    decoder_hidden_size: int = 384
    encoder_layers: int = 2
    decoder_layers: int = 1
    cell: str = "gru"
    decoder_cell: str = "lstm"
    attention: str = "general"
    input_feeding: bool = True
    dropout: float = 0.2


@dataclass
class GenerationConfig:
    """How a translation model searches by default (``generation.json``), kept apart from
    its architecture.

    Attributes:
        length_penalty: the beam search's GNMT length penalty alpha; training chooses it on
            the validation catalogs (``translation.tune``).
        max_source_tokens: longest sentence accepted, in subwords (longer text is
            translated sentence by sentence).
    """

    length_penalty: float = 0.6
    max_source_tokens: int = 200


# Search settings that older config.json files kept; they now live in generation.json.
RETIRED_KEYS = ("length_penalty", "max_source_tokens")


class Seq2Seq(nn.Module):
    """Encoder-decoder with attention.

    ``forward(src (B, S), src_lengths (B,), tgt_in (B, T))`` returns logits (B, T, V) and
    attention (B, T, S).
    """

    def __init__(self, config: TranslationConfig) -> None:
        super().__init__()
        self.config = config
        self.src_embed = nn.Embedding(config.src_vocab_size, config.embed_dim, padding_idx=0)
        self.embed_dropout = nn.Dropout(config.dropout)
        self.encoder = make_rnn(
            config.cell,
            config.embed_dim,
            config.hidden_size,
            num_layers=config.encoder_layers,
            bidirectional=True,
            dropout=config.dropout,
        )
        self.decoder = AttentionRNNDecoder(
            config.tgt_vocab_size,
            config.embed_dim,
            config.decoder_hidden_size,
            self.encoder.output_size,
            cell=config.decoder_cell,
            num_layers=config.decoder_layers,
            attention=config.attention,
            input_feeding=config.input_feeding,
            dropout=config.dropout,
        )

    def encode(
        self, src: torch.Tensor, src_lengths: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Source ids (B, S) and lengths (B,) -> memory (B, S, 2H) and pad_mask (B, S)."""
        memory, _ = self.encoder(self.embed_dropout(self.src_embed(src)), src_lengths)
        return memory, lengths_to_pad_mask(src_lengths.to(src.device), src.size(1))

    def forward(
        self, src: torch.Tensor, src_lengths: torch.Tensor, tgt_in: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        memory, pad_mask = self.encode(src, src_lengths)
        return self.decoder(tgt_in, memory, pad_mask)
