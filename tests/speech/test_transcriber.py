import json

import numpy as np
import pytest
import soundfile as sf
import torch

from shared.pretrained import save_pretrained
from speech import Transcriber
from speech.audio import MAX_SECONDS, SPEECH_MARGIN_S, prepare_waveform, speech_bounds
from speech.inference import QUIET_PEAK, SPEECH_PEAK, TOKENS_FILE, split_points
from speech.model import FORMAT_VERSION, MODEL_TYPE, CTCModel, SpeechConfig
from speech.text import CharVocabulary
from tests.speech.conftest import TINY


@pytest.fixture(scope="module")
def transcriber(tiny_speech_dir):
    return Transcriber.from_pretrained(tiny_speech_dir)


def _speechlike(seconds, rate=16000, seed=0):
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    envelope = 0.5 + 0.5 * np.sin(np.arange(n) / rate * 2 * np.pi * 3)
    return (0.2 * rng.standard_normal(n) * envelope).astype(np.float32)


def test_result_fields_and_shapes(transcriber):
    r = transcriber.transcribe(_speechlike(2.0), 16000)
    assert r.text.split() == [w for w, _, _ in r.words]
    assert r.emissions.ndim == 2 and r.emissions.shape[1] == len(r.tokens) == 29
    assert r.frame_seconds == pytest.approx(0.04)
    assert r.emissions.shape[0] == 51  # 201 feature frames, halved twice (rounding up)
    assert r.features.shape == (201, 16)
    assert np.allclose(np.exp(r.emissions).sum(1), 1.0, atol=1e-4)
    for _, start, end in r.words:
        assert 0 <= start < end <= 2.0 + 0.04


def test_batch_equals_one_by_one(transcriber):
    audios = [_speechlike(s, seed=i) for i, s in enumerate((1.0, 2.5, 0.3, 1.7))]
    batch = transcriber.transcribe_batch(audios, 16000)
    for audio, b in zip(audios, batch, strict=True):
        single = transcriber.transcribe(audio, 16000)
        assert b.text == single.text
        assert np.allclose(b.emissions, single.emissions, atol=1e-4)


def test_silence_is_an_empty_transcript(transcriber):
    for silence in (np.zeros(16000, np.float32), 1e-5 * _speechlike(1.0)):
        r = transcriber.transcribe(silence, 16000)
        assert r.text == "" and r.words == []


def test_any_rate_channels_and_sample_type(transcriber):
    mono = _speechlike(1.0, rate=16000)
    stereo44 = np.stack([_speechlike(1.0, rate=44100)] * 2, axis=1)
    int16 = (mono * 30000).astype(np.int16)
    for audio, rate in ((stereo44, 44100), (int16, 16000), (torch.from_numpy(mono), 16000)):
        r = transcriber.transcribe(audio, rate)
        assert abs(r.features.shape[0] - 101) <= 1


def test_files_wav_flac_ogg(transcriber, tmp_path):
    audio = _speechlike(1.0)
    for name in ("a.wav", "a.flac", "a.ogg"):
        sf.write(tmp_path / name, audio, 16000)
        assert transcriber.transcribe(tmp_path / name).emissions.shape[0] == 26


@pytest.mark.parametrize(
    ("audio", "message"),
    [
        (np.zeros(0, np.float32), "empty"),
        (np.array([0.1, np.nan] * 100, np.float32), "NaN"),
        (np.array([0.1, np.inf] * 100, np.float32), "NaN or infinite"),
        (np.zeros((10, 10, 10), np.float32), "shape"),
        (np.array(["a", "b"]), "numbers"),
    ],
)
def test_bad_samples_are_value_errors(transcriber, audio, message):
    with pytest.raises(ValueError, match=message):
        transcriber.transcribe(audio, 16000)


def test_bad_files_and_limits(transcriber, tmp_path):
    (tmp_path / "not.wav").write_bytes(b"this is not audio")
    with pytest.raises(ValueError, match="not.wav is not an audio file this can read"):
        transcriber.transcribe(tmp_path / "not.wav")
    with pytest.raises(ValueError, match="no audio file at"):
        transcriber.transcribe(tmp_path / "missing.wav")
    sf.write(tmp_path / "empty.wav", np.zeros(0, np.float32), 16000)
    with pytest.raises(ValueError, match="empty.wav holds no sound"):
        transcriber.transcribe(tmp_path / "empty.wav")
    with pytest.raises(ValueError, match="sample_rate"):
        transcriber.transcribe(_speechlike(1.0))
    with pytest.raises(ValueError, match="limit"):
        prepare_waveform(np.zeros(int(MAX_SECONDS * 1000) + 1000, np.float32), 1000)


def test_long_audio_is_cut_in_quiet_places_and_frames_line_up(tiny_speech_dir):
    transcriber = Transcriber.from_pretrained(tiny_speech_dir)
    transcriber.chunk_seconds = 2.0
    audio = _speechlike(5.0)
    audio[int(1.7 * 16000) : int(1.8 * 16000)] = (
        0.0  # a pause inside the first chunk's last quarter
    )
    cuts = split_points(audio, 2.0)
    assert cuts[0] == 0 and cuts[-1] == len(audio)
    assert int(1.7 * 16000) <= cuts[1] <= int(1.8 * 16000)
    assert all(b - a <= 2 * 16000 for a, b in zip(cuts[:-1], cuts[1:], strict=True))
    r = transcriber.transcribe(audio, 16000)
    assert r.emissions.shape[0] >= 5.0 / 0.04 - len(cuts)
    assert all(0 <= s < e <= 5.0 + 0.04 for _, s, e in r.words)


def test_beam_search_runs_on_the_model(transcriber):
    r = transcriber.transcribe(_speechlike(1.0), 16000, beam_size=4)
    assert set(r.text) <= set(" 'abcdefghijklmnopqrstuvwxyz")
    assert r.text.split() == [w for w, _, _ in r.words]
    with pytest.raises(ValueError, match="beam_size"):
        transcriber.transcribe(_speechlike(1.0), 16000, beam_size=0)
    with pytest.raises(ValueError, match="no language model"):
        transcriber.transcribe(_speechlike(1.0), 16000, beam_size=4, language_model=True)


def test_default_decoding_is_greedy_without_a_language_model_and_beam_lm_with_one(
    tiny_speech_dir,
):
    plain = Transcriber.from_pretrained(tiny_speech_dir)
    audio = _speechlike(1.5)
    assert plain.transcribe(audio, 16000).text == plain.transcribe(audio, 16000, beam_size=1).text
    with_lm = Transcriber(plain.model, lm_sentences=["open the file", "close the window"])
    text = with_lm.transcribe(audio, 16000).text
    assert set(text.split()) <= {"open", "the", "file", "close", "window"}
    batch = with_lm.transcribe_batch([audio, _speechlike(0.7, seed=3)], 16000)
    assert batch[0].text == text


def test_the_word_lm_never_hides_letters_it_has_no_word_for(tiny_speech_dir):
    """Heard letters that spell no word of the LM's list come out lexicon-free rather than
    as an empty transcript; a path of blanks stays empty."""
    from tests.speech.test_decoding import _peaked

    plain = Transcriber.from_pretrained(tiny_speech_dir)
    with_lm = Transcriber(plain.model, lm_sentences=["open the file", "close the window"])
    word_search = with_lm._decoder(8, True)
    for path, words_only, decoded in [
        ("q-u-x--", "", "qux"),  # no word fits: the letters heard
        ("t-h-e- -f-i-l-e", "the file", "the file"),  # words of the list: the LM's search
        ("------", "", ""),  # nothing heard: nothing written
    ]:
        lp = _peaked(path)
        assert word_search(lp[None], torch.tensor([len(lp)]))[0].text == words_only
        assert with_lm._beam_decode(lp, 8, language_model=True).text == decoded


def _in_quiet(audio, before, after, level=1e-3, seed=1):
    """``audio`` with ``before`` and ``after`` seconds of faint noise around it."""
    rng = np.random.default_rng(seed)
    quiet = lambda s: (level * rng.standard_normal(int(s * 16000))).astype(np.float32)  # noqa: E731
    return np.concatenate([quiet(before), audio, quiet(after)])


def test_speech_bounds_keep_the_loud_part_and_a_margin():
    speech = _speechlike(1.0)
    margin = int(SPEECH_MARGIN_S * 16000)
    for level in (0.0, 1e-3, 1e-2):  # digital silence, a quiet room, a noisy one
        start, end = speech_bounds(_in_quiet(speech, 1.5, 2.0, level))
        assert abs(start - (24000 - margin)) <= 400, (level, start)
        assert abs(end - (40000 + margin)) <= 800, (level, end)
    assert speech_bounds(speech) == (0, len(speech))  # nothing to cut
    short = _in_quiet(speech, 0.4, 0.5)  # no more quiet than training speech has: kept whole
    assert speech_bounds(short) == (0, len(short))
    assert speech_bounds(np.zeros(16000, np.float32)) == (0, 16000)  # nothing stands out
    noise = np.random.default_rng(0).standard_normal(16000).astype(np.float32)
    assert speech_bounds(noise) == (0, 16000)  # steady noise: all of it
    assert speech_bounds(speech[:500]) == (0, 500)  # too short to judge


def test_quiet_around_speech_is_not_heard_and_the_timeline_stays(transcriber, monkeypatch):
    import speech.inference

    padded = _in_quiet(_speechlike(1.2), 2.0, 1.0)
    r = transcriber.transcribe(padded, 16000)
    # The frames of the recording, not of the part heard: 4.2 s at 0.04 s a frame.
    assert abs(len(r.emissions) - 4.2 / 0.04) <= 2
    assert len(r.features) == pytest.approx(4.2 / 0.01, abs=2)
    lead = int((2.0 - SPEECH_MARGIN_S) / 0.04) - 1
    assert (r.emissions[:lead].argmax(1) == 0).all()  # blank until the margin before speech
    assert (r.features[: lead * 4] == 0).all()
    # In between, what the model makes of the part heard on its own, frame for frame.
    start, end = speech_bounds(padded)
    start -= start % 640
    monkeypatch.setattr(speech.inference, "speech_bounds", lambda a: (0, len(a)))
    alone = transcriber.transcribe(padded[start:end], 16000)
    assert np.allclose(r.emissions[start // 640 :][: len(alone.emissions)], alone.emissions)
    assert alone.text == r.text
    for _, start, end in r.words:
        assert 2.0 - SPEECH_MARGIN_S - 0.04 <= start < end <= 3.2 + SPEECH_MARGIN_S + 0.08


def test_a_faint_recording_is_heard_as_loud_as_the_training_speech(transcriber):
    audio = _speechlike(1.5)
    audio *= SPEECH_PEAK / np.abs(audio).max()
    loud = transcriber.transcribe(audio, 16000)
    for gain in (0.01, 0.2):  # a microphone turned low (peak 0.007), a quiet one (0.14)
        assert np.abs(audio * gain).max() < QUIET_PEAK
        r = transcriber.transcribe(audio * gain, 16000)
        assert r.text == loud.text
        assert np.allclose(r.emissions, loud.emissions, atol=1e-3)
    # At the levels of the training speech a recording is heard as it is.
    louder = transcriber.transcribe(audio * 1.3, 16000)
    assert not np.allclose(louder.emissions, loud.emissions, atol=1e-5)


def test_a_model_writing_two_frames_a_step_keeps_times_across_chunks(tmp_path):
    """20 ms frames from 40 ms steps: chunks are still cut on whole steps, so frame f of a
    long recording is at f * 0.02 s and a batch reads as one by one."""
    torch.manual_seed(0)
    config = SpeechConfig(**{**TINY.__dict__, "output_split": 2})
    save_pretrained(
        CTCModel(config).eval(),
        tmp_path,
        config,
        model_type=MODEL_TYPE,
        format_version=FORMAT_VERSION,
    )
    (tmp_path / TOKENS_FILE).write_text(json.dumps(CharVocabulary().tokens))
    transcriber = Transcriber.from_pretrained(tmp_path)
    r = transcriber.transcribe(_speechlike(2.0), 16000)
    assert r.frame_seconds == pytest.approx(0.02)
    assert r.emissions.shape[0] == 102  # 51 steps, two frames each
    transcriber.chunk_seconds = 2.0
    long = _speechlike(5.0)
    whole = transcriber.transcribe(long, 16000)
    cuts = split_points(long, 2.0, transcriber.model.step_samples)
    assert len(cuts) > 2 and all(c % 640 == 0 for c in cuts[1:-1])
    assert abs(whole.emissions.shape[0] - 5.0 / 0.02) <= 2 * len(cuts)
    audios = [_speechlike(s, seed=i) for i, s in enumerate((1.0, 2.5, 0.3))]
    for audio, b in zip(audios, transcriber.transcribe_batch(audios, 16000), strict=True):
        assert np.allclose(b.emissions, transcriber.transcribe(audio, 16000).emissions, atol=1e-4)
