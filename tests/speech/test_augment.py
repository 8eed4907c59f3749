"""The training augmentations: lengths, determinism under a seed, and that each does what it
says (the SNR asked for, no sound above 4 kHz on a telephone line, a decaying room)."""

from dataclasses import asdict

import numpy as np
import pytest
import soundfile as sf

from speech.augment import AugmentConfig, Augmenter, NoiseBank, channel, noise, room, voice
from speech.augment.__main__ import main as demo_main
from speech.evaluate import CHANNELS

RATE = 16000


def _tone_mix(seconds=1.0):
    t = np.arange(int(seconds * RATE)) / RATE
    rng = np.random.default_rng(0)
    return (
        0.3 * np.sin(2 * np.pi * 220 * t) + 0.2 * np.sin(2 * np.pi * 6000 * t)
        + 0.05 * rng.standard_normal(len(t))
    ).astype(np.float32)  # fmt: skip


def _band_power(x, low, high):
    spectrum = np.abs(np.fft.rfft(x)) ** 2
    freqs = np.fft.rfftfreq(len(x), 1 / RATE)
    return spectrum[(freqs >= low) & (freqs < high)].sum()


@pytest.mark.parametrize(
    "effect",
    [
        lambda x, r: voice.shift_pitch(x, 2.5),
        lambda x, r: voice.shift_pitch(x, -3),
        lambda x, r: voice.warp_vocal_tract(x, 0.87),
        lambda x, r: room.reverberate(x, room.room_impulse_response(0.6, 0, r)),
        lambda x, r: room.colour_microphone(x, r),
        lambda x, r: channel.telephone(x),
        lambda x, r: channel.band_limit(x),
        lambda x, r: channel.encode_decode(x, "gsm"),
        lambda x, r: channel.encode_decode(x, "mp3"),
        lambda x, r: channel.encode_decode(x, "opus"),
        lambda x, r: noise.mix_at_snr(x, noise.coloured_noise(len(x), 1.0, r), 10),
        lambda x, r: noise.mix_at_snr(x, noise.babble([x[::-1], x[::2]], len(x), r), 10),
    ],
)
def test_each_effect_keeps_the_length_and_is_seeded(effect):
    x = _tone_mix()
    a = effect(x, np.random.default_rng(3))
    b = effect(x, np.random.default_rng(3))
    assert a.dtype == np.float32 and a.shape == x.shape and np.isfinite(a).all()
    assert np.array_equal(a, b)
    assert not np.allclose(a, x, atol=1e-3)


@pytest.mark.parametrize("factor", [0.9, 1.1])
def test_speed_and_tempo_change_the_length_by_their_factor(factor):
    x = _tone_mix(2.0)
    assert len(voice.change_speed(x, factor)) == pytest.approx(len(x) / factor, rel=0.02)
    assert len(voice.change_tempo(x, factor)) == round(len(x) / factor)


def test_rhythm_at_one_steady_rate_is_the_tempo_change():
    x = _tone_mix(2.0)
    steady, tempo = voice.vary_rhythm(x, np.array([1.25])), voice.change_tempo(x, 1.25)
    n = min(len(steady), len(tempo))
    assert abs(len(steady) - len(tempo)) <= voice.HOP
    assert np.abs(steady[:n] - tempo[:n]).max() < 1e-3


def test_rhythm_that_speeds_up_takes_the_time_its_rates_give_and_keeps_the_pitch():
    t = np.arange(2 * RATE) / RATE
    x = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    out = voice.vary_rhythm(x, np.array([0.5, 2.0]))
    # The rate moves linearly from 0.5 to 2 over the input: it lasts the integral of 1 / rate.
    expected = len(x) * np.log(2.0 / 0.5) / (2.0 - 0.5)
    assert len(out) == pytest.approx(expected, rel=0.03)
    middle = out[len(out) // 4 : 3 * len(out) // 4]
    freqs = np.fft.rfftfreq(len(middle), 1 / RATE)
    assert freqs[np.abs(np.fft.rfft(middle)).argmax()] == pytest.approx(220, abs=3)


def test_noise_is_mixed_at_the_snr_asked_for():
    x = _tone_mix()
    background = noise.coloured_noise(len(x) // 3, 2.0, np.random.default_rng(1))  # looped
    mixed = noise.mix_at_snr(x, background, 7.0)
    snr = 10 * np.log10(np.mean(x**2) / np.mean((mixed - x) ** 2))
    assert snr == pytest.approx(7.0, abs=1e-3)


def test_a_telephone_line_carries_nothing_above_4_khz():
    x = _tone_mix()
    line = channel.telephone(x, mu_law=False)
    assert _band_power(line, 4200, 8000) < 1e-3 * _band_power(x, 4200, 8000)
    assert _band_power(line, 200, 300) > 0.5 * _band_power(x, 200, 300)  # the 220 Hz tone stays


def test_a_room_response_starts_direct_and_decays():
    response = room.room_impulse_response(0.5, 5.0, np.random.default_rng(0))
    assert np.sum(response**2) == pytest.approx(1.0, rel=1e-5)
    assert abs(response[0]) == np.abs(response).max()
    tenth = len(response) // 10
    assert np.sum(response[-tenth:] ** 2) < 1e-3 * np.sum(response[1:tenth] ** 2)


def _every(chance: float) -> AugmentConfig:
    """A config that applies each augmentation with the same ``chance`` (ranges as they are)."""
    defaults = asdict(AugmentConfig())
    return AugmentConfig(**{k: chance for k, v in defaults.items() if isinstance(v, float)})


def test_the_pipeline_is_deterministic_under_a_seed_and_varies_across_seeds():
    x = _tone_mix(1.5)
    augmenter = Augmenter(
        _every(0.5),
        other_utterances=lambda rng: np.roll(x, int(rng.integers(len(x)))),
    )
    outputs = [augmenter(x, np.random.default_rng(seed)) for seed in (0, 0, 1, 2)]
    assert np.array_equal(outputs[0], outputs[1])
    assert not np.array_equal(outputs[0], outputs[2])
    for out in outputs:
        assert out.dtype == np.float32 and np.abs(out).max() <= 1.0
        # Only speed (0.9-1.1x), tempo (0.8-1.25x) and rhythm (0.7-1.3x) move it.
        assert 0.5 * len(x) <= len(out) <= 2.1 * len(x)
    nothing = Augmenter(_every(0.0))
    quiet = nothing(x, np.random.default_rng(0))
    assert quiet.shape == x.shape  # only the gain applies


def test_noise_bank_reads_audio_files_and_skips_the_rest(tmp_path):
    sf.write(
        tmp_path / "rain.wav",
        noise.coloured_noise(RATE * 25, 1.0, np.random.default_rng(0)) * 0.1,
        RATE,
    )
    (tmp_path / "broken.ogg").write_bytes(b"not audio")
    (tmp_path / "notes.txt").write_text("hello")
    bank = NoiseBank([tmp_path], max_seconds=10)
    assert len(bank) == 3  # 25 s in pieces of 10, 10 and 5 s
    assert len(bank.draw(np.random.default_rng(0))) in (RATE * 10, RATE * 5)


def test_demo_writes_listenable_examples(tmp_path):
    out = demo_main(["--demo", str(tmp_path / "demo"), "--chains", "2"])
    names = {p.stem for p in out.glob("*.wav")}
    assert {
        "00-original",
        "room-far",
        "telephone-mu-law",
        "codec-gsm",
        "chain-0",
        "chain-1",
    } <= names
    audio, rate = sf.read(out / "chain-1.wav")
    assert rate == RATE and len(audio) > RATE and np.abs(audio).max() > 0.01


def test_no_speech_clips_have_the_length_asked_for_at_any_level(tmp_path):
    sf.write(tmp_path / "hum.wav", 0.2 * _tone_mix(2.0), RATE)
    half = _every(0.5)
    augmenter = Augmenter(half, NoiseBank([tmp_path]))
    clips = [augmenter.no_speech(RATE, np.random.default_rng(seed)) for seed in range(40)]
    assert all(c.shape == (RATE,) and c.dtype == np.float32 for c in clips)
    assert np.array_equal(clips[0], augmenter.no_speech(RATE, np.random.default_rng(0)))
    levels = [20 * np.log10(np.sqrt(np.mean(c**2)) + 1e-12) for c in clips]
    assert min(levels) < -45 and max(levels) > -30  # near silence to loud, not one level
    assert max(np.abs(c).max() for c in clips) <= 1.0


def test_the_clipped_line_cuts_every_peak_at_three_tenths_and_keeps_the_rest():
    x = _tone_mix(0.5)
    out = CHANNELS["clipped"](x)
    peak = np.abs(x).max()
    assert out.shape == x.shape and out.dtype == np.float32
    assert np.abs(out).max() == pytest.approx(0.3 * peak, rel=1e-4)
    under = np.abs(x) < 0.3 * peak
    assert np.array_equal(out[under], x[under].astype(np.float32))
