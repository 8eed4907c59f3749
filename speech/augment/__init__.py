"""Make synthetic speech sound like people, rooms and phones: seeded, composable waveform
augmentations for training (:class:`Augmenter`).

Four families, each in its own module and each a plain function of float32 samples at 16 kHz:
:mod:`~speech.augment.voice` (speed, tempo, rhythm, pitch, vocal-tract length),
:mod:`~speech.augment.room` (simulated reverberation, microphone colouring),
:mod:`~speech.augment.channel` (band limits, 8 kHz telephone audio, mu-law, GSM/MP3/Opus,
clipping, DC offset, gain) and :mod:`~speech.augment.noise` (coloured noise, recorded
background sound, babble). ``python -m speech.augment --demo OUT`` writes examples to listen to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from speech.audio import SAMPLE_RATE
from speech.augment import channel, noise, room, voice
from speech.augment.noise import NoiseBank


@dataclass
class AugmentConfig:
    """How often each augmentation is applied to an utterance (probabilities, 0 to 1).

    Attributes:
        speed: speed 0.9x or 1.1x (pitch and formants move with it).
        tempo: a tempo drawn from ``tempo_range`` at the same pitch.
        tempo_range: the slowest and fastest tempo (0.8-1.25x: from a person reading
            slowly to one speaking fast).
        rhythm: a tempo that wanders along the utterance, 0.7-1.3x, a new one every
            0.2-0.5 s (people's timing is less even than a synthesizer's).
        pitch: pitch shifted by -3 to +3 semitones.
        vocal_tract: vocal-tract length warp, alpha 0.85-1.15.
        room: reverberation, RT60 0.15-0.9 s, talker near or far.
        microphone: a random microphone colouring.
        telephone: 8 kHz telephone audio, mu-law half the time.
        codec: GSM 6.10, MP3 or Opus at their lowest bit rate.
        band_limit: a random band (100-500 Hz to 3-6 kHz).
        noise: coloured noise, or recorded background sound when there is some, at 0-25 dB SNR.
        babble: two to five other utterances behind, at 5-20 dB SNR.
        clipping: hard clipping at 0.3-0.8 of the peak (a microphone turned up too high).
        dc_offset: a constant offset of up to 0.05.
    """

    speed: float = 0.4
    tempo: float = 0.3
    tempo_range: tuple[float, float] = (0.8, 1.25)
    rhythm: float = 0.3
    pitch: float = 0.5  # the corpus has few voices: most utterances get a new one
    vocal_tract: float = 0.6
    room: float = 0.4
    microphone: float = 0.5
    telephone: float = 0.15
    codec: float = 0.15
    band_limit: float = 0.1
    noise: float = 0.5
    babble: float = 0.15
    clipping: float = 0.15
    dc_offset: float = 0.05


class Augmenter:
    """Apply the augmentations of an :class:`AugmentConfig` in the order a sound travels:
    the voice, the room, the microphone, the background, the line, then the gain.

    Args:
        config: how often each one applies.
        noise_bank: recorded background sounds (None: coloured noise only).
        other_utterances: ``draw(rng) -> samples`` of another utterance, for babble
            (None: no babble).
    """

    def __init__(
        self,
        config: AugmentConfig | None = None,
        noise_bank: NoiseBank | None = None,
        other_utterances: Callable[[np.random.Generator], np.ndarray] | None = None,
    ) -> None:
        self.config = config or AugmentConfig()
        self.noise_bank = noise_bank
        self.other_utterances = other_utterances

    def __call__(self, samples: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """A new version of ``samples`` (float32 at 16 kHz); the same ``rng`` state gives
        the same result. Speed, tempo and rhythm change the length; nothing else does."""
        c = self.config
        x = np.asarray(samples, np.float32)
        if rng.random() < c.speed:
            x = voice.change_speed(x, float(rng.choice([0.9, 1.1])))
        if rng.random() < c.tempo:
            x = voice.change_tempo(x, float(rng.uniform(*c.tempo_range)))
        # Drawn only when on, so that a config without rhythm draws as configs did before it.
        if c.rhythm and rng.random() < c.rhythm:
            points = max(2, int(len(x) / SAMPLE_RATE / rng.uniform(0.2, 0.5)) + 1)
            x = voice.vary_rhythm(x, np.exp(rng.uniform(np.log(0.7), np.log(1.3), points)))
        if rng.random() < c.pitch:
            x = voice.shift_pitch(x, float(rng.uniform(-3, 3)))
        if rng.random() < c.vocal_tract:
            x = voice.warp_vocal_tract(x, float(rng.uniform(0.85, 1.15)))
        x = self._room(x, rng)
        if self.other_utterances is not None and rng.random() < c.babble:
            crowd = [self.other_utterances(rng) for _ in range(int(rng.integers(2, 6)))]
            x = noise.mix_at_snr(x, noise.babble(crowd, len(x), rng), float(rng.uniform(5, 20)))
        if rng.random() < c.noise:
            if self.noise_bank and rng.random() < 0.7:
                background = self.noise_bank.draw(rng)
            else:
                background = noise.coloured_noise(len(x), float(rng.uniform(0, 2)), rng)
            x = noise.mix_at_snr(x, background, float(rng.uniform(0, 25)))
        x = self._line(x, rng)
        x = channel.gain(x, float(rng.uniform(-12, 6)))
        return np.clip(x, -1.0, 1.0).astype(np.float32)

    def no_speech(self, length: int, rng: np.random.Generator) -> np.ndarray:
        """``length`` samples with no speech in them, to be transcribed as nothing: recorded
        background sound (half the time, when there is some) or coloured noise, at any level
        from near silence (-70 dBFS) to loud (-10 dBFS), through a room, a microphone and a
        line as often as speech goes through them. Babble is left out: it is speech."""
        if self.noise_bank and rng.random() < 0.5:
            piece = self.noise_bank.draw(rng)
            x = np.resize(np.roll(piece, -int(rng.integers(len(piece)))), length)
        else:
            x = noise.coloured_noise(length, float(rng.uniform(0, 2)), rng)
        level = 10 ** (float(rng.uniform(-70, -10)) / 20)
        x = (x * level / (np.sqrt(np.mean(x**2)) + 1e-10)).astype(np.float32)
        x = self._room(x, rng)
        return np.clip(self._line(x, rng), -1.0, 1.0).astype(np.float32)

    def _room(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        c = self.config
        if rng.random() < c.room:
            response = room.room_impulse_response(
                float(rng.uniform(0.15, 0.9)), float(rng.uniform(-5, 15)), rng
            )
            x = room.reverberate(x, response)
        if rng.random() < c.microphone:
            x = room.colour_microphone(x, rng)
        return x

    def _line(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        c = self.config
        if rng.random() < c.telephone:
            x = channel.telephone(x, mu_law=bool(rng.random() < 0.5))
        elif rng.random() < c.band_limit:
            x = channel.band_limit(x, float(rng.uniform(100, 500)), float(rng.uniform(3000, 6000)))
        if rng.random() < c.codec:
            x = channel.encode_decode(x, str(rng.choice(sorted(channel.CODECS))))
        if rng.random() < c.clipping:
            x = channel.clip_below_peak(x, float(rng.uniform(0.3, 0.8)))
        if rng.random() < c.dc_offset:
            x = channel.dc_offset(x, float(rng.uniform(-0.05, 0.05)))
        return x


__all__ = ["AugmentConfig", "Augmenter", "NoiseBank", "channel", "noise", "room", "voice"]
