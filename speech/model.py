"""The acoustic model: log-mel features -> 2-D convolutions that stride in time -> a stack of
(bidirectional) RNNs -> per-frame log-probabilities over characters, trained with CTC
(Deep Speech 2 in miniature)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.torch import load_file
from torch import nn

from shared.cells import make_rnn
from shared.masks import lengths_to_pad_mask
from shared.pretrained import WEIGHTS_NAME, load_weights
from speech.features import LogMel, SpecAugment

MODEL_TYPE = "speech-ctc"
FORMAT_VERSION = 1


@dataclass
class SpeechConfig:
    """Architecture of :class:`CTCModel`.

    Attributes:
        vocab_size: output symbols, CTC's blank included.
        n_mels: mel bands of the features.
        feature_norm: ``utterance`` (one mean and scale per utterance) or ``band`` (each mel
            band's mean over the utterance taken away first: fixed colourings of voice, room
            and microphone vanish).
        envelope: cepstral coefficients kept of each frame, smoothing away single pitch
            harmonics (0: off, all detail kept).
        conv_channels: channels of each 3x3 convolution.
        conv_layers: convolutions, each halving time and frequency.
        hidden_size: RNN state size per direction.
        num_layers: stacked RNN layers.
        cell: ``gru`` (Deep Speech 2), ``lstm`` or ``rnn``.
        bidirectional: read both ways; off for a streaming model that sees only the past.
        dropout: between RNN layers and before the output layer.
        output_split: output frames per RNN step: the head writes this many frames of
            log-probabilities from each step's output (2: 20 ms frames from 40 ms steps). CTC
            needs a frame for every letter and a blank between doubled ones, so speech faster
            than the frame rate allows cannot be written at all.
    """

    vocab_size: int = 29
    n_mels: int = 80
    feature_norm: str = "utterance"
    envelope: int = 0
    conv_channels: int = 32
    conv_layers: int = 2
    hidden_size: int = 256
    num_layers: int = 4
    cell: str = "gru"
    bidirectional: bool = True
    dropout: float = 0.1
    output_split: int = 1


class ConvFrontEnd(nn.Module):
    """(B, T, M) features -> (B, T', C * M') with T' = ceil(T / 2**layers); each layer is a
    3x3 convolution with stride 2 in time and frequency and a GELU. Positions past each
    utterance's end are zeroed after every layer, so padding never leaks into real frames."""

    def __init__(self, n_mels: int, channels: int, layers: int) -> None:
        super().__init__()
        self.convs = nn.ModuleList(
            nn.Conv2d(1 if i == 0 else channels, channels, 3, stride=2, padding=1)
            for i in range(layers)
        )
        bins = n_mels
        for _ in range(layers):
            bins = (bins - 1) // 2 + 1
        self.output_size = channels * bins

    @staticmethod
    def output_lengths(lengths: torch.Tensor, layers: int) -> torch.Tensor:
        """Frames after ``layers`` stride-2 convolutions (kernel 3, padding 1)."""
        for _ in range(layers):
            lengths = torch.div(lengths - 1, 2, rounding_mode="floor") + 1
        return lengths

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = x.unsqueeze(1)  # (B, 1, T, M)
        for conv in self.convs:
            x = nn.functional.gelu(conv(x))
            lengths = self.output_lengths(lengths, 1)
            keep = ~lengths_to_pad_mask(lengths, x.size(2))
            x = x * keep[:, None, :, None].to(x.dtype)
        B, C, T, M = x.shape
        return x.permute(0, 2, 1, 3).reshape(B, T, C * M), lengths


class CTCModel(nn.Module):
    """Waveforms in, per-frame character log-probabilities out.

    ``forward(waveforms (B, n), lengths (B,) samples) -> (log_probs (B, T', V), frames (B,))``;
    ``frame_seconds`` is the time between output frames.
    """

    def __init__(self, config: SpeechConfig) -> None:
        super().__init__()
        self.config = config
        self.features = LogMel(config.n_mels, norm=config.feature_norm, envelope=config.envelope)
        self.spec_augment = SpecAugment()
        self.front = ConvFrontEnd(config.n_mels, config.conv_channels, config.conv_layers)
        self.project = nn.Sequential(
            nn.Linear(self.front.output_size, 2 * config.hidden_size),
            nn.LayerNorm(2 * config.hidden_size),
        )
        self.rnn = make_rnn(
            config.cell,
            2 * config.hidden_size,
            config.hidden_size,
            num_layers=config.num_layers,
            bidirectional=config.bidirectional,
            dropout=config.dropout,
        )
        directions = 2 if config.bidirectional else 1
        self.dropout = nn.Dropout(config.dropout)
        self.head = nn.Linear(
            directions * config.hidden_size, config.output_split * config.vocab_size
        )

    @property
    def step_samples(self) -> int:
        """Samples per RNN step: audio is cut for the model on multiples of this."""
        return self.features.hop * 2**self.config.conv_layers

    @property
    def frame_seconds(self) -> float:
        return self.step_samples / self.config.output_split / 16000

    def encode_features(
        self, feats: torch.Tensor, frames: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, T, n_mels) features and frame counts -> (B, T', V) log-probs and counts."""
        x, lengths = self.front(self.spec_augment(feats, frames), frames)
        x, lengths = self.rnn(self.project(x), lengths)
        logits = self.head(self.dropout(x)).float()  # (B, T', split * V)
        split = self.config.output_split
        B, T, _ = logits.shape
        logits = logits.reshape(B, T * split, self.config.vocab_size)
        return logits.log_softmax(-1), lengths * split

    def forward(
        self, waveforms: torch.Tensor, lengths: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        feats, frames = self.features(waveforms, lengths)
        return self.encode_features(feats, frames)


def split_head(state: dict[str, torch.Tensor], split: int) -> dict[str, torch.Tensor]:
    """The weights of a model whose head writes one frame per RNN step, for a model with
    ``output_split=split``: each frame of a step starts as a copy of the old one. CTC merges
    a letter written on consecutive frames, so the new model decodes exactly as the old."""
    state = dict(state)
    for name in ("head.weight", "head.bias"):
        state[name] = state[name].repeat(split, *([1] * (state[name].dim() - 1)))
    return state


def start_from(model: CTCModel, directory: str | Path) -> CTCModel:
    """``directory``'s weights in ``model``, loaded strictly as ``load_weights`` does; when the
    saved head writes one frame per step and ``model`` writes more, it is split first
    (:func:`split_head`), so training can go on from a model of the other frame rate."""
    path = Path(directory) / WEIGHTS_NAME
    if model.config.output_split > 1 and path.is_file():
        state = load_file(str(path))
        if state["head.weight"].shape[0] == model.config.vocab_size:
            model.load_state_dict(split_head(state, model.config.output_split))
            return model
    return load_weights(model, directory)
