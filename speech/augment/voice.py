"""Other voices from one voice: speed, tempo, rhythm, pitch and vocal-tract length.

Each takes float32 samples (n,) at 16 kHz and returns float32 samples; speed, tempo and
rhythm change the length, the others keep it exactly.
"""

from __future__ import annotations

import numpy as np
import torch
import torchaudio.functional as AF

from speech.audio import SAMPLE_RATE

N_FFT, HOP = 512, 128


def change_speed(samples: np.ndarray, factor: float) -> np.ndarray:
    """Play ``factor`` times faster; pitch and formants move with it (Kaldi's speed
    perturbation). Length: about ``n / factor``.

    The factor is rounded so that 16 kHz and the intermediate rate share a large divisor
    (1.1 -> 160/144): resampling cost grows with the reduced ratio's terms.
    """
    if factor == 1.0:
        return samples
    new_rate = int(round(SAMPLE_RATE / factor / 800)) * 800
    return AF.resample(torch.from_numpy(samples), SAMPLE_RATE, new_rate).numpy()


def _stft(samples: np.ndarray) -> torch.Tensor:
    return torch.stft(
        torch.from_numpy(samples),
        N_FFT,
        HOP,
        window=torch.hann_window(N_FFT),
        return_complex=True,
    )


def _istft(spectrum: torch.Tensor, length: int) -> np.ndarray:
    wave = torch.istft(spectrum, N_FFT, HOP, window=torch.hann_window(N_FFT), length=length)
    return wave.numpy().astype(np.float32)


def change_tempo(samples: np.ndarray, factor: float) -> np.ndarray:
    """Speak ``factor`` times faster at the same pitch (phase vocoder). Length: about
    ``n / factor``."""
    if factor == 1.0:
        return samples
    spectrum = _stft(samples)
    advance = torch.linspace(0, np.pi * HOP, N_FFT // 2 + 1)[..., None]
    stretched = AF.phase_vocoder(spectrum, factor, advance)
    return _istft(stretched, int(round(len(samples) / factor)))


def vary_rhythm(samples: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """Speak each stretch of the utterance at its own tempo, at the same pitch: ``rates``
    (k,) are the tempo factors at k evenly spaced points, the rate in between moving
    linearly from one to the next. People hurry some syllables and dwell on others; a
    synthesizer's durations come from one model per voice. Length: about ``n`` over the
    rates' mean.

    A phase vocoder read at a varying step: each output frame takes the magnitude between
    two input frames and advances the phase by their measured phase difference.
    """
    rates = np.asarray(rates, np.float64)
    spectrum = _stft(samples)
    frames = spectrum.size(-1)
    if frames < 4:  # a few milliseconds: nothing to vary
        return samples
    points = np.linspace(0, frames - 1, len(rates)) if len(rates) > 1 else np.zeros(1)
    steps = [0.0]
    while steps[-1] + 1 < frames - 1:
        steps.append(steps[-1] + float(np.interp(steps[-1], points, rates)))
    time = torch.tensor(steps, dtype=torch.float64)
    index = time.floor().long()
    fraction = (time - index).to(torch.float32)
    now, following = spectrum[:, index], spectrum[:, (index + 1).clamp(max=frames - 1)]
    magnitude = now.abs() * (1 - fraction) + following.abs() * fraction
    expected = torch.linspace(0, np.pi * HOP, N_FFT // 2 + 1)[:, None]
    deviation = following.angle() - now.angle() - expected
    deviation = deviation - 2 * np.pi * torch.round(deviation / (2 * np.pi))
    advance = torch.cat([spectrum[:, :1].angle(), (expected + deviation)[:, :-1]], dim=1)
    stretched = torch.polar(magnitude, torch.cumsum(advance, dim=1))
    return _istft(stretched, (len(steps) - 1) * HOP)


def shift_pitch(samples: np.ndarray, semitones: float) -> np.ndarray:
    """Raise (or lower, when negative) the pitch, formants with it, at the same length: the
    tempo slowed by the pitch factor, then the speed raised by it. (torchaudio's
    ``pitch_shift`` resamples by an irrational ratio: seconds per utterance.)"""
    if semitones == 0:
        return samples
    factor = 2.0 ** (semitones / 12)
    shifted = change_speed(change_tempo(samples, 1 / factor), factor)
    out = np.zeros(len(samples), np.float32)
    out[: min(len(out), len(shifted))] = shifted[: len(out)]
    return out


def warp_vocal_tract(samples: np.ndarray, alpha: float, boundary_hz: float = 4800.0) -> np.ndarray:
    """Vocal-tract length perturbation (Jaitly and Hinton 2013): stretch the spectrum's
    frequency axis by ``alpha`` below ``boundary_hz`` and map the rest linearly onto what
    is left up to Nyquist, as a longer (``alpha`` < 1) or shorter vocal tract would. Same
    length; the time structure (each bin's phase) is kept."""
    if alpha == 1.0:
        return samples
    spectrum = _stft(samples)
    bins = spectrum.size(0)
    nyquist = SAMPLE_RATE / 2
    freqs = np.linspace(0, nyquist, bins)
    cut = boundary_hz * min(alpha, 1.0) / alpha
    # Where each output frequency reads from: the inverse of the piecewise-linear warp.
    warped = np.where(
        freqs <= cut * alpha,
        freqs / alpha,
        cut + (freqs - cut * alpha) * (nyquist - cut) / (nyquist - cut * alpha),
    )
    source = np.clip(warped / nyquist * (bins - 1), 0, bins - 1)
    low = np.floor(source).astype(np.int64)
    high = np.minimum(low + 1, bins - 1)
    weight = torch.from_numpy((source - low).astype(np.float32))[:, None]
    magnitude = spectrum.abs()
    warped_magnitude = magnitude[low] * (1 - weight) + magnitude[high] * weight
    return _istft(torch.polar(warped_magnitude, spectrum.angle()), len(samples))
