"""Sound behind the speech: coloured noise, recorded background sound, and babble made of other
utterances, each mixed at a chosen signal-to-noise ratio. Each keeps the length."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from speech.audio import load_audio


def mix_at_snr(samples: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    """``samples`` plus ``noise`` (looped or cut to the same length) scaled so that the
    speech is ``snr_db`` decibels above it."""
    if len(noise) == 0:
        return samples
    noise = np.resize(noise, len(samples))  # loops a short noise
    signal_power = float(np.mean(samples**2)) + 1e-10
    noise_power = float(np.mean(noise**2)) + 1e-10
    scale = np.sqrt(signal_power / (noise_power * 10 ** (snr_db / 10)))
    return (samples + scale * noise).astype(np.float32)


def coloured_noise(length: int, exponent: float, rng: np.random.Generator) -> np.ndarray:
    """Noise whose power falls as 1/f**``exponent``: 0 white, 1 pink (rain, fans), 2 brown
    (rumble, traffic)."""
    spectrum = np.fft.rfft(rng.standard_normal(length))
    freqs = np.fft.rfftfreq(length)
    freqs[0] = freqs[1] if length > 1 else 1.0
    shaped = np.fft.irfft(spectrum / freqs ** (exponent / 2), n=length)
    return (shaped / (np.std(shaped) + 1e-10)).astype(np.float32)


def babble(others: list[np.ndarray], length: int, rng: np.random.Generator) -> np.ndarray:
    """The sum of a few other utterances, each from a random point: a crowd talking."""
    out = np.zeros(length, np.float32)
    for voice in others:
        if len(voice) == 0:
            continue
        start = int(rng.integers(0, len(voice)))
        out += np.resize(np.roll(voice, -start), length)
    return out


class NoiseBank:
    """Recorded background sounds (any audio files under some folders), read once, cut into
    pieces of at most ``max_seconds`` so that one long recording does not dominate."""

    def __init__(self, folders: list[str | Path], max_seconds: float = 10.0) -> None:
        self.pieces: list[np.ndarray] = []
        for folder in folders:
            for path in sorted(Path(folder).rglob("*")):
                if path.suffix.lower() not in (".wav", ".flac", ".ogg", ".oga", ".mp3"):
                    continue
                try:
                    audio = load_audio(path)
                except ValueError:
                    continue  # not every file that looks like audio is
                step = int(max_seconds * 16000)
                self.pieces += [audio[i : i + step] for i in range(0, len(audio), step)]
        self.pieces = [p for p in self.pieces if len(p) > 1600 and np.abs(p).max() > 1e-4]

    def __len__(self) -> int:
        return len(self.pieces)

    def draw(self, rng: np.random.Generator) -> np.ndarray:
        return self.pieces[int(rng.integers(len(self.pieces)))]
