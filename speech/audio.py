"""Audio in: any file soundfile reads, or an array at any rate and channel count, checked and
turned into mono float32 at :data:`SAMPLE_RATE`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf
import torch
import torchaudio.functional as AF

SAMPLE_RATE = 16000
MAX_SECONDS = 600.0


def check_duration(path: str | Path, max_seconds: float = MAX_SECONDS) -> float:
    """The duration of an audio file, from its header (nothing is decoded).

    Raises:
        ValueError: not an audio file soundfile reads, empty, or longer than ``max_seconds``.
    """
    name = Path(path).name
    if not Path(path).is_file():
        raise ValueError(f"no audio file at {path}")
    try:
        info = sf.info(str(path))
    except (sf.LibsndfileError, RuntimeError, OSError, TypeError):
        raise ValueError(
            f"{name} is not an audio file this can read (WAV, FLAC, OGG/Vorbis/Opus or MP3)"
        ) from None
    if info.frames == 0:
        raise ValueError(f"{name} holds no sound (zero samples)")
    if info.duration > max_seconds:
        raise ValueError(f"{name} is {info.duration:.0f} s long; the limit is {max_seconds:.0f} s")
    return info.duration


def load_audio(path: str | Path) -> np.ndarray:
    """Read an audio file (WAV, FLAC, OGG, MP3: whatever libsndfile reads) as mono float32
    at :data:`SAMPLE_RATE`, shape (n,).

    Raises:
        ValueError: unreadable or unsupported file, or see :func:`prepare_waveform`.
    """
    check_duration(path)
    try:
        samples, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, OSError) as e:  # a header that lied
        raise ValueError(f"{Path(path).name} is damaged: {e}") from None
    return prepare_waveform(samples, rate)


def prepare_waveform(waveform: np.ndarray | torch.Tensor, sample_rate: int) -> np.ndarray:
    """Mono float32 at :data:`SAMPLE_RATE` from (n,) or (n, channels) samples at any rate.

    Integer samples are scaled to [-1, 1]; channels are averaged.

    Raises:
        ValueError: empty audio, NaN or infinite samples, a bad rate or shape, over
            :data:`MAX_SECONDS`.
    """
    if isinstance(waveform, torch.Tensor):
        waveform = waveform.detach().cpu().numpy()
    x = np.asarray(waveform)
    if not isinstance(sample_rate, (int, np.integer)) or sample_rate < 1000:
        raise ValueError(f"sample_rate must be an integer >= 1000 Hz, got {sample_rate!r}")
    if x.ndim == 2 and x.shape[0] <= 8 < x.shape[1]:
        x = x.T  # (channels, n) -> (n, channels)
    if x.ndim not in (1, 2):
        raise ValueError(f"waveform must have shape (n,) or (n, channels), got {x.shape}")
    if x.size == 0 or x.shape[0] == 0:
        raise ValueError("the audio is empty (zero samples)")
    if np.issubdtype(x.dtype, np.integer):
        x = x.astype(np.float32) / float(np.iinfo(x.dtype).max)
    elif not np.issubdtype(x.dtype, np.floating):
        raise ValueError(f"samples must be numbers, got dtype {x.dtype}")
    x = x.astype(np.float32, copy=False)
    if not np.isfinite(x).all():
        raise ValueError("the audio contains NaN or infinite samples")
    if x.shape[0] / sample_rate > MAX_SECONDS:
        raise ValueError(
            f"audio is {x.shape[0] / sample_rate:.0f} s long; the limit is {MAX_SECONDS:.0f} s"
        )
    if x.ndim == 2:
        x = x.mean(axis=1)
    if sample_rate != SAMPLE_RATE:
        x = AF.resample(torch.from_numpy(np.ascontiguousarray(x)), sample_rate, SAMPLE_RATE).numpy()
    return np.ascontiguousarray(x, dtype=np.float32)
