"""The captioning network: a CNN feature grid attended by the shared LSTM decoder."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from captioning.encoders import make_encoder
from shared.decoder import AttentionRNNDecoder

MODEL_TYPE = "rnn-captioning"
FORMAT_VERSION = 1


@dataclass
class CaptionConfig:
    """Architecture of a captioning model (search settings live in DecodeConfig).

    Attributes:
        vocab_size: words, specials included.
        encoder: ``scene-cnn`` (trained from scratch) or ``resnet18/34/50/101``.
        channels: width of the scene CNN's first block (the grid has 8x this).
        image_size: images are resized to this square before encoding.
        embed_dim: size of each word's embedding.
        hidden_size: the decoder's state size.
        cell: ``lstm`` (Show, Attend and Tell), ``gru`` or ``rnn``.
        attention: ``additive`` (as in the paper), ``dot`` or ``general``.
        input_feeding: feed the attentional state back into the decoder.
        dropout: decoder dropout.
    """

    vocab_size: int = 100
    encoder: str = "scene-cnn"
    channels: int = 24
    image_size: int = 128
    embed_dim: int = 64
    hidden_size: int = 256
    cell: str = "lstm"
    attention: str = "additive"
    input_feeding: bool = True
    dropout: float = 0.1


# Training settings that older config.json files kept; loading drops them.
RETIRED_KEYS = ("finetune_blocks", "attention_penalty")


class CaptionModel(nn.Module):
    """Image (B, 3, H, W) -> feature grid (B, h*w, C) -> captions.

    ``forward(images, tokens_in)`` returns logits (B, T, V) and attention (B, T, h*w).
    """

    def __init__(
        self, config: CaptionConfig, pretrained_encoder: bool = False, finetune_blocks: int = 0
    ) -> None:
        """``pretrained_encoder``: start a ResNet from ImageNet weights; ``finetune_blocks``:
        its last stages that train (0: frozen). Both matter for training only."""
        super().__init__()
        self.config = config
        self.encoder = make_encoder(
            config.encoder, config.channels, pretrained_encoder, finetune_blocks
        )
        self.decoder = AttentionRNNDecoder(
            config.vocab_size,
            config.embed_dim,
            config.hidden_size,
            self.encoder.out_channels,
            cell=config.cell,
            attention=config.attention,
            input_feeding=config.input_feeding,
            dropout=config.dropout,
        )

    def encode(self, images: torch.Tensor) -> tuple[torch.Tensor, tuple[int, int]]:
        """Images (B, 3, H, W) -> memory (B, h*w, C) and the grid shape (h, w)."""
        grid = self.encoder(images)
        h, w = grid.shape[-2:]
        return grid.flatten(2).transpose(1, 2), (h, w)

    def forward(
        self, images: torch.Tensor, tokens_in: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        memory, _ = self.encode(images)
        return self.decoder(tokens_in, memory)
