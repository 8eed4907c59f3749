"""Waveform augmentation for training: speed perturbation, gain and additive noise at a random
signal-to-noise ratio. Each takes and returns float32 numpy samples at 16 kHz."""

from __future__ import annotations

import random

import numpy as np
import torch
import torchaudio.functional as AF

from speech.audio import SAMPLE_RATE


def change_speed(samples: np.ndarray, factor: float) -> np.ndarray:
    """Play ``factor`` times faster (pitch moves with it, as in Kaldi's speed perturbation).

    The factor is rounded so that 16 kHz and the intermediate rate share a large divisor
    (1.1 -> 160/144): resampling cost grows with the reduced ratio's terms.
    """
    if factor == 1.0:
        return samples
    # Resample to rate/factor, then read the result at the original rate.
    new_rate = int(round(SAMPLE_RATE / factor / 800)) * 800
    return AF.resample(torch.from_numpy(samples), SAMPLE_RATE, new_rate).numpy()


def add_noise(samples: np.ndarray, snr_db: float, rng: random.Random) -> np.ndarray:
    """Add white or brown noise at ``snr_db`` decibels below the speech's power."""
    noise = np.random.default_rng(rng.getrandbits(32)).standard_normal(len(samples))
    if rng.random() < 0.5:  # brown noise: most energy low, like hum and rumble
        noise = np.cumsum(noise)
        noise -= np.convolve(noise, np.ones(400) / 400, mode="same")
    signal_power = float(np.mean(samples**2)) + 1e-10
    noise_power = float(np.mean(noise**2)) + 1e-10
    scale = np.sqrt(signal_power / (noise_power * 10 ** (snr_db / 10)))
    return (samples + scale * noise).astype(np.float32)


def augment(samples: np.ndarray, rng: random.Random) -> np.ndarray:
    """Random speed (0.9-1.1x), gain (-6 to +6 dB) and, half the time, noise at 5-30 dB SNR."""
    samples = change_speed(samples, rng.choice((0.9, 1.0, 1.1)))
    samples = samples * 10 ** (rng.uniform(-6, 6) / 20)
    if rng.random() < 0.5:
        samples = add_noise(samples, rng.uniform(5, 30), rng)
    return np.clip(samples, -1.0, 1.0).astype(np.float32)
