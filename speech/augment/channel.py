"""Telephone lines and codecs: band limits, 8 kHz audio, mu-law, lossy codecs, clipping, DC
offset and gain. Each keeps the length of its input (16 kHz in, 16 kHz out)."""

from __future__ import annotations

import io

import numpy as np
import soundfile as sf
import torch
import torchaudio.functional as AF

from speech.audio import SAMPLE_RATE

# Lossy codecs libsndfile writes and reads, as (format, subtype, rate): GSM 6.10 as telephones
# use it, MP3 and Opus at their lowest settings.
CODECS = {
    "gsm": ("WAV", "GSM610", 8000),
    "mp3": ("MP3", "MPEG_LAYER_III", 16000),
    "opus": ("OGG", "OPUS", 16000),
}


def band_limit(samples: np.ndarray, low_hz: float = 300.0, high_hz: float = 3400.0) -> np.ndarray:
    """Keep only ``low_hz`` to ``high_hz`` (the telephone band by default)."""
    wave = AF.highpass_biquad(torch.from_numpy(samples), SAMPLE_RATE, low_hz)
    wave = AF.lowpass_biquad(wave, SAMPLE_RATE, high_hz)
    return wave.numpy().astype(np.float32)


def _resample(samples: np.ndarray, rate: int, back: bool = False) -> np.ndarray:
    wave = torch.from_numpy(np.ascontiguousarray(samples))
    if back:
        return AF.resample(wave, rate, SAMPLE_RATE).numpy()
    return AF.resample(wave, SAMPLE_RATE, rate).numpy()


def _fit(samples: np.ndarray, length: int) -> np.ndarray:
    out = np.zeros(length, np.float32)
    out[: min(length, len(samples))] = samples[:length]
    return out


def telephone(samples: np.ndarray, mu_law: bool = True) -> np.ndarray:
    """Down to 8 kHz and back (nothing above 4 kHz survives), through 8-bit mu-law."""
    narrow = _resample(samples, 8000)
    if mu_law:
        codes = AF.mu_law_encoding(torch.from_numpy(np.clip(narrow, -1, 1)), 256)
        narrow = AF.mu_law_decoding(codes, 256).numpy()
    return _fit(_resample(narrow.astype(np.float32), 8000, back=True), len(samples))


def encode_decode(samples: np.ndarray, codec: str) -> np.ndarray:
    """Through a lossy codec of :data:`CODECS` and back, in memory."""
    fmt, subtype, rate = CODECS[codec]
    audio = _resample(samples, rate) if rate != SAMPLE_RATE else samples
    buffer = io.BytesIO()
    # Near the lowest bit rate (libsndfile refuses exactly 1.0 for MP3): about 24 kbit/s
    # MP3 and 14 kbit/s Opus for 16 kHz speech.
    options = {"compression_level": 0.99} if fmt in ("MP3", "OGG") else {}
    sf.write(buffer, np.clip(audio, -1, 1), rate, format=fmt, subtype=subtype, **options)
    buffer.seek(0)
    decoded, _ = sf.read(buffer, dtype="float32")
    if rate != SAMPLE_RATE:
        decoded = _resample(decoded, rate, back=True)
    # Encoders add a little delay at the start and padding at the end.
    return _fit(np.asarray(decoded, np.float32), len(samples))


def clip(samples: np.ndarray, level: float) -> np.ndarray:
    """Hard clipping at ``level`` (of full scale), as an overdriven input does."""
    return np.clip(samples, -level, level).astype(np.float32)


def clip_below_peak(samples: np.ndarray, share: float) -> np.ndarray:
    """Hard clipping at ``share`` of the samples' own peak, whatever their level."""
    return clip(samples, share * (float(np.abs(samples).max()) + 1e-6))


def dc_offset(samples: np.ndarray, offset: float) -> np.ndarray:
    """Add a constant, as a cheap converter does."""
    return (samples + offset).astype(np.float32)


def gain(samples: np.ndarray, decibels: float) -> np.ndarray:
    return (samples * 10 ** (decibels / 20)).astype(np.float32)
