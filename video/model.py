"""The video tagging network (S2VT-style encoder-decoder with temporal attention):

    frames (B, T, 3, S, S) -> the scene CNN on every frame (and, optionally, a second CNN on
    its difference from the frame before) -> a feature per frame (B, T, F)
    -> a bidirectional RNN over the frames (B, T, 2H) -> the shared attention decoder writes
    the caption, attending over time (and, optionally, over places: each grid cell's features
    in every frame, (B, P, 2H), beside the frames' memory).

``temporal="mean"`` replaces the RNN by the mean of the frame features: the same CNN and
decoder with no notion of order, to measure what the recurrence adds.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from shared.cells import SequenceRNN
from shared.convnet import SceneCNN
from shared.decoder import AttentionRNNDecoder

MODEL_TYPE = "rnn-video"
FORMAT_VERSION = 1
TEMPORAL = ("rnn", "mean")


@dataclass
class VideoConfig:
    """Architecture of a video tagging model (search settings live in DecodeConfig).

    Attributes:
        vocab_size: words, specials included.
        frames: frames sampled from a video (evenly over its length).
        frame_size: each frame is resized to this square before the CNN.
        channels: width of the scene CNN's first block (its grid has 8x this).
        input_coords: give the CNN each pixel's x and y (CoordConv at the input), so frame
            features say where things are within a grid cell: motion needs it.
        motion_input: a second stream: a CNN of its own (half as wide) reads each frame's
            difference from the one before (zero for the first), as TSN's RGB difference
            does, and its grid joins the frame's: what moved is then visible in one frame's
            feature instead of inferred by comparing two. Its own filters, because the
            differences given as three more planes of the one stem took the filters that
            tell colours apart.
        places: the decoder also attends over places: each cell of the CNN's grid with its
            features in every frame, in order (what happened there during the clip), so an
            action can be read where its object is as well as when. Over time alone, two
            objects acting at once share one feature per frame, and the decoder has to untangle
            which action was whose.
        frame_dim: size of the feature each frame becomes.
        temporal: ``rnn`` (a bidirectional RNN over the frames) or ``mean`` (the frames'
            mean feature: no order).
        encoder_hidden: the frame RNN's state size per direction.
        embed_dim: size of each word's embedding.
        hidden_size: the decoder's state size.
        cell: ``gru``, ``lstm`` or ``rnn``, for the frame RNN and the decoder.
        attention: ``additive``, ``dot`` or ``general`` (over time).
        input_feeding: feed the attentional state back into the decoder.
        dropout: on frame features and in the decoder.
    """

    vocab_size: int = 40
    frames: int = 16
    frame_size: int = 80
    channels: int = 16
    input_coords: bool = True
    motion_input: bool = False
    places: bool = False
    frame_dim: int = 256
    temporal: str = "rnn"
    encoder_hidden: int = 128
    embed_dim: int = 64
    hidden_size: int = 256
    cell: str = "gru"
    attention: str = "additive"
    input_feeding: bool = True
    dropout: float = 0.1

    @property
    def grid_side(self) -> int:
        """The side of the CNN's grid (the scene CNN takes a frame down 16x)."""
        return self.frame_size // 16

    @property
    def time_steps(self) -> int:
        """Memory positions over time: one per frame (``rnn``) or one pooled (``mean``)."""
        return self.frames if self.temporal == "rnn" else 1


class FrameEncoder(nn.Module):
    """Frames (B, T, 3, S, S) -> features (B, T, F): the scene CNN's grid (with the motion
    stream's grid beside it, cell by cell), flattened (where things are stays in the
    feature: the moves need it), then a linear layer."""

    def __init__(self, config: VideoConfig) -> None:
        super().__init__()
        self.cnn = SceneCNN(config.channels, config.input_coords)
        self.motion_cnn = (
            SceneCNN(max(config.channels // 2, 1), config.input_coords)
            if config.motion_input
            else None
        )
        grid_channels = self.cnn.out_channels
        if self.motion_cnn is not None:
            grid_channels += self.motion_cnn.out_channels
        side = config.frame_size // 16
        self.grid_channels = grid_channels
        self.project = nn.Sequential(
            nn.Flatten(),
            nn.Linear(grid_channels * side * side, config.frame_dim),
            nn.ReLU(inplace=True),
            nn.Dropout(config.dropout),
        )

    def grids(self, frames: torch.Tensor) -> torch.Tensor:
        """Frames (B, T, 3, S, S) -> grids (B, T, C, S/16, S/16)."""
        b, t = frames.shape[:2]
        grid = self.cnn(frames.flatten(0, 1))
        if self.motion_cnn is not None:
            change = torch.diff(frames, dim=1, prepend=frames[:, :1])
            grid = torch.cat([grid, self.motion_cnn(change.flatten(0, 1))], dim=1)
        return grid.unflatten(0, (b, t))

    def features(self, grids: torch.Tensor) -> torch.Tensor:
        """Grids (B, T, C, s, s) -> features (B, T, F)."""
        return self.project(grids.flatten(0, 1)).unflatten(0, grids.shape[:2])

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        return self.features(self.grids(frames))


class PlaceEncoder(nn.Module):
    """Grids (B, T, C, s, s) -> places (B, s*s, D): each cell's features in every frame, in
    order, projected together (the cell's own short film), plus a learned embedding of where
    the cell is."""

    def __init__(self, frames: int, channels: int, side: int, dim: int, dropout: float) -> None:
        super().__init__()
        self.project = nn.Linear(frames * channels, dim)
        self.where = nn.Parameter(torch.zeros(side * side, dim))
        self.dropout = nn.Dropout(dropout)

    def forward(self, grids: torch.Tensor) -> torch.Tensor:
        b, t, c, h, w = grids.shape
        cells = grids.permute(0, 3, 4, 1, 2).reshape(b, h * w, t * c)
        return self.dropout(torch.relu(self.project(cells) + self.where))


class VideoModel(nn.Module):
    """``forward(frames, tokens_in)`` -> logits (B, L, V) and attention over the memory
    (B, L, T' + P): T' time steps, the frame count (``rnn``) or 1 (``mean``), then P places
    (``places``; else none)."""

    def __init__(self, config: VideoConfig) -> None:
        super().__init__()
        if config.temporal not in TEMPORAL:
            raise ValueError(
                f"temporal must be one of {', '.join(TEMPORAL)}, not {config.temporal!r}"
            )
        if config.frame_size % 16:
            raise ValueError(f"frame_size must be a multiple of 16, not {config.frame_size}")
        self.config = config
        self.frames = FrameEncoder(config)
        if config.temporal == "rnn":
            self.temporal = SequenceRNN(
                config.cell, config.frame_dim, config.encoder_hidden, bidirectional=True
            )
            memory_dim = self.temporal.output_size
        else:
            self.temporal = None
            memory_dim = config.frame_dim
        side = config.frame_size // 16
        self.places = (
            PlaceEncoder(config.frames, self.frames.grid_channels, side, memory_dim, config.dropout)
            if config.places
            else None
        )
        self.decoder = AttentionRNNDecoder(
            config.vocab_size,
            config.embed_dim,
            config.hidden_size,
            memory_dim,
            cell=config.cell,
            attention=config.attention,
            input_feeding=config.input_feeding,
            dropout=config.dropout,
        )

    def encode(self, frames: torch.Tensor) -> torch.Tensor:
        """Frames (B, T, 3, S, S) -> memory (B, T' + P, D): over time (B, T, 2H) (``rnn``) or
        (B, 1, F) (``mean``), then the places (``places``)."""
        grids = self.frames.grids(frames)
        features = self.frames.features(grids)
        if self.temporal is None:
            memory = features.mean(dim=1, keepdim=True)
        else:
            memory = self.temporal(features)[0]
        if self.places is not None:
            memory = torch.cat([memory, self.places(grids)], dim=1)
        return memory

    def forward(
        self, frames: torch.Tensor, tokens_in: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        return self.decoder(tokens_in, self.encode(frames))
