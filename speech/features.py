"""Log-mel features (normalised per utterance or per band, optionally smoothed to their
spectral envelope), and SpecAugment."""

from __future__ import annotations

import torch
import torchaudio.functional as AF
from torch import nn

from speech.audio import SAMPLE_RATE

NORMS = ("utterance", "band")


class LogMel(nn.Module):
    """Waveforms (B, n) -> normalised log-mel features (B, T, n_mels) and frame counts.

    25 ms windows every ``hop_ms``. ``norm="utterance"`` shifts and scales each utterance's
    features to zero mean and unit variance over its own frames (padding excluded), so
    loudness does not matter; ``norm="band"`` takes each mel band's own mean over the
    utterance away first (cepstral mean normalisation), so a fixed colouring of the voice, the
    room or the microphone does not matter either. ``envelope > 0`` keeps only that many
    cepstral coefficients of each frame (the spectral envelope, as MFCCs do) and returns them
    to ``n_mels`` bands: the fine ripple of single pitch harmonics, which synthetic voices
    render differently from people, is smoothed away while the formants stay.
    """

    def __init__(
        self, n_mels: int = 80, hop_ms: float = 10.0, norm: str = "utterance", envelope: int = 0
    ) -> None:
        super().__init__()
        if norm not in NORMS:
            raise ValueError(f"norm must be one of {NORMS}, not {norm!r}")
        if not 0 <= envelope <= n_mels:
            raise ValueError(f"envelope must be 0 (off) to n_mels={n_mels}, not {envelope}")
        self.norm = norm
        self.hop = int(SAMPLE_RATE * hop_ms / 1000)
        self.n_fft = 512
        # Fixed maths, not weights: kept out of the saved state (persistent=False).
        self.register_buffer(
            "window", torch.hann_window(int(SAMPLE_RATE * 0.025)), persistent=False
        )
        fbanks = AF.melscale_fbanks(
            self.n_fft // 2 + 1,
            0.0,
            SAMPLE_RATE / 2,
            n_mels,
            SAMPLE_RATE,
            norm="slaney",
            mel_scale="slaney",
        )
        self.register_buffer("fbanks", fbanks, persistent=False)  # (freqs, n_mels)
        smooth = None
        if envelope:
            dct = AF.create_dct(envelope, n_mels, norm="ortho")  # (n_mels, envelope)
            smooth = dct @ dct.T  # to cepstra, keep the first ones, and back
        self.register_buffer("smooth", smooth, persistent=False)  # (n_mels, n_mels) or None

    def frames(self, num_samples: torch.Tensor) -> torch.Tensor:
        """Frames for ``num_samples`` samples (centred STFT: n // hop + 1)."""
        return torch.div(num_samples, self.hop, rounding_mode="floor") + 1

    def forward(
        self, waveforms: torch.Tensor, lengths: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Args: waveforms (B, n) float; lengths (B,) samples. Returns (B, T, n_mels), (B,)."""
        with torch.autocast(waveforms.device.type, enabled=False):
            spec = torch.stft(
                waveforms.float(),
                self.n_fft,
                hop_length=self.hop,
                win_length=self.window.numel(),
                window=self.window,
                center=True,
                pad_mode="constant",  # zeros, as batch padding is: results do not depend on it
                return_complex=True,
            )
            power = spec.abs().pow(2).transpose(1, 2)  # (B, T, freqs)
            feats = (power @ self.fbanks + 1e-6).log()  # (B, T, M)
            if self.smooth is not None:
                feats = feats @ self.smooth
        frames = self.frames(lengths).clamp(max=feats.size(1))
        valid = torch.arange(feats.size(1), device=feats.device)[None] < frames[:, None]
        valid = valid.unsqueeze(-1).to(feats.dtype)
        if self.norm == "band":  # each band's mean over the utterance's frames
            feats = feats - (feats * valid).sum(1, keepdim=True) / valid.sum(1, keepdim=True)
        count = valid.sum(1, keepdim=True) * feats.size(2)
        mean = (feats * valid).sum((1, 2), keepdim=True) / count
        var = (((feats - mean) * valid) ** 2).sum((1, 2), keepdim=True) / count
        return (feats - mean) / (var + 1e-5).sqrt() * valid, frames


class SpecAugment(nn.Module):
    """Masks random frequency bands and time spans (Park et al., 2019) of (B, T, M) features;
    a no-op in eval mode. Time masks are capped at ``max_time_share`` of each utterance."""

    def __init__(
        self,
        freq_masks: int = 2,
        freq_width: int = 15,
        time_masks: int = 2,
        time_width: int = 40,
        max_time_share: float = 0.1,
    ) -> None:
        super().__init__()
        self.freq_masks, self.freq_width = freq_masks, freq_width
        self.time_masks, self.time_width = time_masks, time_width
        self.max_time_share = max_time_share

    def forward(self, feats: torch.Tensor, frames: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return feats
        B, T_, M = feats.shape
        keep = torch.ones_like(feats)
        bins = torch.arange(M, device=feats.device)
        steps = torch.arange(T_, device=feats.device)
        for _ in range(self.freq_masks):
            width = torch.randint(0, self.freq_width + 1, (B, 1), device=feats.device)
            start = (torch.rand(B, 1, device=feats.device) * (M - width)).long()
            band = (bins[None] >= start) & (bins[None] < start + width)
            keep = keep * (~band)[:, None, :]
        widest = (frames.float() * self.max_time_share).long().clamp(max=self.time_width)[:, None]
        for _ in range(self.time_masks):
            width = (torch.rand(B, 1, device=feats.device) * (widest + 1)).long()
            start = (torch.rand(B, 1, device=feats.device) * (frames[:, None] - width)).long()
            span = (steps[None] >= start) & (steps[None] < start + width)
            keep = keep * (~span)[:, :, None]
        return feats * keep
