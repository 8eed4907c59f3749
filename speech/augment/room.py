"""Rooms and microphones: reverberation from a simulated impulse response, distance, and the
colouring of a cheap microphone. Each keeps the length of its input."""

from __future__ import annotations

import numpy as np
import torch
import torchaudio.functional as AF

from speech.audio import SAMPLE_RATE


def room_impulse_response(
    rt60: float, direct_to_reverb_db: float, rng: np.random.Generator
) -> np.ndarray:
    """A simulated room impulse response: a direct path, a few early reflections, then a
    tail of noise that decays by 60 dB in ``rt60`` seconds (a statistical room model).
    ``direct_to_reverb_db`` sets the distance: high near the talker, low across a room.
    Normalised to unit energy."""
    length = int(min(rt60 * 1.2, 1.5) * SAMPLE_RATE)
    t = np.arange(length) / SAMPLE_RATE
    tail = rng.standard_normal(length) * np.exp(-6.9078 * t / rt60)  # ln(1000) = 6.9078
    # Walls absorb highs faster than lows: smooth the tail more as it goes.
    tail = np.convolve(tail, np.ones(3) / 3, mode="same")
    response = np.zeros(length)
    response[0] = 1.0
    for _ in range(rng.integers(2, 6)):  # early reflections within 2-20 ms
        response[int(rng.uniform(0.002, 0.02) * SAMPLE_RATE)] += rng.uniform(0.2, 0.7)
    direct_energy = float(np.sum(response**2))
    tail_energy = float(np.sum(tail**2)) + 1e-12
    tail *= np.sqrt(direct_energy / tail_energy / 10 ** (direct_to_reverb_db / 10))
    response += tail
    return (response / np.sqrt(np.sum(response**2))).astype(np.float32)


def reverberate(samples: np.ndarray, response: np.ndarray) -> np.ndarray:
    """Convolve with an impulse response; the tail that rings past the end is cut, so the
    length stays ``len(samples)``."""
    wet = AF.fftconvolve(torch.from_numpy(samples), torch.from_numpy(response))
    return wet[: len(samples)].numpy().astype(np.float32)


def colour_microphone(samples: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random microphone and preamp: a high-pass at 50-200 Hz, a low-pass at 4-7.5 kHz and
    two peaking filters of -8 to +8 dB somewhere between 200 Hz and 5 kHz."""
    wave = torch.from_numpy(samples)
    wave = AF.highpass_biquad(wave, SAMPLE_RATE, float(rng.uniform(50, 200)))
    wave = AF.lowpass_biquad(wave, SAMPLE_RATE, float(rng.uniform(4000, 7500)))
    for _ in range(2):
        centre = float(np.exp(rng.uniform(np.log(200), np.log(5000))))
        wave = AF.equalizer_biquad(
            wave, SAMPLE_RATE, centre, float(rng.uniform(-8, 8)), float(rng.uniform(0.5, 2.0))
        )
    return wave.numpy().astype(np.float32)
