"""Transcribe speech with a trained model: audio checks and resampling, chunking of long audio,
batched inference, greedy or beam CTC decoding, word timings."""

from __future__ import annotations

import json
import lzma
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

from shared.pretrained import list_pretrained as _list_pretrained
from shared.pretrained import load_pretrained
from speech.audio import SAMPLE_RATE, load_audio, prepare_waveform, speech_bounds
from speech.decoding import BeamDecoder, CTCOutput, greedy_decode, words_or_letters
from speech.model import FORMAT_VERSION, MODEL_TYPE, CTCModel, SpeechConfig
from speech.text import ALPHABET, CharVocabulary

if TYPE_CHECKING:  # the LM needs torchaudio's decoder module: imported when first used
    from speech.lm import BigramLM

PRETRAINED_DIR = Path(__file__).parent / "pretrained"
DEFAULT_MODEL = "tts-en"
TOKENS_FILE = "tokens.json"
# Optional: the LM's sentences, one per line, xz-compressed (broad text is tens of MB plain);
# a plain lm.txt is read too.
LM_FILE = "lm.txt.xz"
PLAIN_LM_FILE = "lm.txt"
# Optional: the LM weight and word bonus speech.tune_lm chose for this model on validation speech.
DECODING_FILE = "decoding.json"
# Language-model decoding: the LM's weight and a bonus per word, where a model records none.
DEFAULT_BEAM = 32
LM_WEIGHT = 0.7
LM_WORD_SCORE = 0.5
MAX_DECODERS = 8  # beam decoders kept per Transcriber (one per beam size and LM setting)
SILENCE_PEAK = 1e-3  # about -60 dBFS: quieter than this is taken as silence
# A chunk that peaks under QUIET_PEAK (the synthetic speech the model learned from peaks over
# 0.3 in 95 utterances of 100) is scaled up to SPEECH_PEAK (its median) before the model hears
# it. Its features floor the faintest bands (log of power + 1e-6), so a quiet microphone
# changed what it heard: 40 dB down (peak ~0.007), greedy CER on 150 validation utterances
# went from 21.1% to 39.0% (through training's rooms and phones, 32.3% to 72.3%); scaled up,
# 21.1% and 32.3%. Louder chunks are heard as they are, as in training.
SPEECH_PEAK = 0.7
QUIET_PEAK = 0.25


def list_pretrained() -> list[str]:
    """Names of the speech models shipped in ``speech/pretrained``."""
    return _list_pretrained(PRETRAINED_DIR)


def read_lm_text(folder: str | Path) -> list[str] | None:
    """The sentences of a model folder's word LM (None when it ships none)."""
    folder = Path(folder)
    if (folder / LM_FILE).is_file():
        with lzma.open(folder / LM_FILE, "rt", encoding="utf-8") as f:
            return f.read().splitlines()
    plain = folder / PLAIN_LM_FILE
    return plain.read_text(encoding="utf-8").splitlines() if plain.is_file() else None


def write_lm_text(folder: str | Path, sentences: list[str]) -> Path:
    """Write the word LM's sentences into a model folder, as :func:`read_lm_text` reads them."""
    path = Path(folder) / LM_FILE
    with lzma.open(path, "wt", encoding="utf-8", preset=9) as f:
        f.write("\n".join(sentences) + "\n")
    return path


def recorded_decoding(folder: str | Path) -> dict | None:
    """The LM weights a model folder records (``decoding.json``, from :mod:`speech.tune_lm`),
    None where it records none."""
    path = Path(folder) / DECODING_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


@dataclass
class Transcription:
    """A transcript and how it came about.

    Attributes:
        text: the transcript (lowercase letters, apostrophes, spaces).
        emissions: (frames, vocab) per-frame log-probabilities; column 0 is CTC's blank.
        frame_seconds: the time between frames.
        words: ``(word, start_s, end_s)`` for each word.
        features: (feature_frames, n_mels) the normalised log-mel features the model heard,
            ``feature_seconds`` apart.
        tokens: the vocabulary's symbols, for labelling ``emissions``' columns.
        char_frames: ``(character, frame)`` where each character was emitted.
    """

    text: str
    emissions: np.ndarray
    frame_seconds: float
    words: list[tuple[str, float, float]] = field(default_factory=list)
    features: np.ndarray | None = None
    feature_seconds: float = 0.01
    tokens: list[str] = field(default_factory=list)
    char_frames: list[tuple[str, int]] = field(default_factory=list)


def split_points(audio: np.ndarray, chunk_seconds: float, align: int = 1) -> list[int]:
    """Where to cut long audio into chunks of at most ``chunk_seconds``: at the quietest 100 ms
    of each chunk's last quarter, so that cuts fall between words where they can. Cuts are
    multiples of ``align`` samples (the model's frame step, so chunk frames line up in time)."""
    limit = int(chunk_seconds * SAMPLE_RATE) // align * align
    window = SAMPLE_RATE // 10
    cuts, start = [0], 0
    while len(audio) - start > limit:
        lo = start + (3 * limit) // 4
        region = audio[lo : start + limit]
        frames = len(region) // window
        energy = (region[: frames * window].reshape(frames, window) ** 2).mean(1)
        start = (lo + int(energy.argmin()) * window + window // 2) // align * align
        cuts.append(start)
    return [*cuts, len(audio)]


class Transcriber:
    """Speech to text with a :class:`CTCModel`.

    Args:
        model: the acoustic model (put in eval mode here).
        vocab: its characters.
        device: where the model runs.
        chunk_seconds: longer audio is transcribed in chunks this long at most.
        lm_sentences: text for the word language model of ``language_model=True`` decoding
            (shipped models bring their training transcripts).
        lm_weight: how much the word LM's log-probability counts against the acoustics'.
        word_score: a bonus per word in language-model decoding (more: more, shorter words).
    """

    def __init__(
        self,
        model: CTCModel,
        vocab: CharVocabulary | None = None,
        device: str | torch.device = "cpu",
        chunk_seconds: float = 20.0,
        lm_sentences: list[str] | None = None,
        lm_weight: float = LM_WEIGHT,
        word_score: float = LM_WORD_SCORE,
    ) -> None:
        self.device = torch.device(device)
        self.lm_sentences = lm_sentences
        self.lm_weight = lm_weight
        self.word_score = word_score
        self.model = model.to(self.device).eval()
        self.vocab = vocab or CharVocabulary()
        self.chunk_seconds = chunk_seconds
        self._beam: dict[tuple[int, bool], BeamDecoder] = {}  # in order of last use
        self._decoders_lock = threading.Lock()
        self._lm: BigramLM | None = None

    @classmethod
    def from_pretrained(
        cls, name_or_dir: str | Path = DEFAULT_MODEL, device: str | torch.device = "cpu"
    ) -> Transcriber:
        """Load a shipped model by name (see :func:`list_pretrained`) or a model directory."""
        model, folder = load_pretrained(
            name_or_dir,
            PRETRAINED_DIR,
            SpeechConfig,
            CTCModel,
            model_type=MODEL_TYPE,
            format_version=FORMAT_VERSION,
        )
        tokens_file = folder / TOKENS_FILE
        alphabet = ALPHABET
        if tokens_file.is_file():
            alphabet = "".join(json.loads(tokens_file.read_text(encoding="utf-8"))[1:])
        sentences = read_lm_text(folder)
        weights = {"lm_weight": LM_WEIGHT, "word_score": LM_WORD_SCORE}
        recorded = recorded_decoding(folder)
        if recorded:
            weights = {k: float(recorded[k]) for k in weights}
        return cls(model, CharVocabulary(alphabet), device, lm_sentences=sentences, **weights)

    def _decoder(self, beam_size: int, language_model: bool) -> BeamDecoder:
        """The beam decoder for these settings, built once and kept (the most recently used
        :data:`MAX_DECODERS`); the word LM is built once per Transcriber. Threads of the web
        app share them, hence the lock around check-then-build."""
        key = (beam_size, language_model)
        with self._decoders_lock:
            if key in self._beam:
                self._beam[key] = self._beam.pop(key)  # most recently used last
                return self._beam[key]
            decoder = BeamDecoder(
                self.vocab,
                beam_size=beam_size,
                lm=self.word_lm() if language_model else None,
                lm_weight=self.lm_weight,
                word_score=self.word_score if language_model else 0.0,
            )
            self._beam[key] = decoder
            while len(self._beam) > MAX_DECODERS:
                self._beam.pop(next(iter(self._beam)))
            return decoder

    def word_lm(self) -> BigramLM:
        """The word bigram LM of ``lm_sentences``, built on first use (seconds for a large
        text) and kept."""
        if not self.lm_sentences:
            raise ValueError(f"this model has no language model text ({LM_FILE})")
        if self._lm is None:
            from speech.lm import BigramLM

            self._lm = BigramLM(self.lm_sentences)
        return self._lm

    def transcribe(
        self,
        audio: np.ndarray | torch.Tensor | str | Path,
        sample_rate: int | None = None,
        beam_size: int | None = None,
        language_model: bool | None = None,
    ) -> Transcription:
        """Transcribe one recording.

        Args:
            audio: samples (n,) or (n, channels) at ``sample_rate``, or a path to a WAV/FLAC/OGG.
            sample_rate: the samples' rate (needed for arrays, ignored for paths).
            beam_size: 1 for greedy decoding; more for CTC beam search (flashlight-text).
                Default: :data:`DEFAULT_BEAM` when the model has a language model, else 1.
            language_model: beam search over the words of the model's training text, scored
                by a word bigram model of it: far fewer misspellings, but words outside that
                vocabulary cannot come out (where none fits at all, the lexicon-free search's
                letters do). Default: on when the model has one and ``beam_size > 1``.

        Raises:
            ValueError: unreadable file, empty audio, NaN/inf samples, over the length limit.
        """
        return self.transcribe_batch(
            [audio], sample_rate, beam_size, language_model=language_model
        )[0]

    @torch.no_grad()
    def transcribe_batch(
        self,
        audios: list[np.ndarray | torch.Tensor | str | Path],
        sample_rate: int | None = None,
        beam_size: int | None = None,
        batch_size: int = 16,
        language_model: bool | None = None,
    ) -> list[Transcription]:
        """Transcribe many recordings in batches; the same results as one by one."""
        has_lm = bool(self.lm_sentences)
        if beam_size is None:
            beam_size = DEFAULT_BEAM if has_lm and language_model is not False else 1
        if language_model is None:
            language_model = has_lm and beam_size > 1
        if beam_size < 1:
            raise ValueError(f"beam_size must be >= 1, got {beam_size}")
        if language_model and beam_size == 1:
            raise ValueError("language-model decoding is a beam search: use beam_size > 1")
        waves = [self._prepare(a, sample_rate) for a in audios]
        spans = [self._speech_span(wave) for wave in waves]
        # Every chunk of every recording's speech, transcribed in batches of similar lengths.
        chunks = []
        for n, (wave, (start, end)) in enumerate(zip(waves, spans, strict=True)):
            cuts = split_points(wave[start:end], self.chunk_seconds, self.model.step_samples)
            pairs = list(zip(cuts[:-1], cuts[1:], strict=True))
            chunks += [
                (n, wave[start + a : start + b], k == len(pairs) - 1)
                for k, (a, b) in enumerate(pairs)
            ]
        order = sorted(range(len(chunks)), key=lambda k: len(chunks[k][1]))
        pieces: list[tuple[np.ndarray, np.ndarray]] = [None] * len(chunks)  # type: ignore[list-item]
        for first in range(0, len(order), batch_size):
            batch = [chunks[k][1] for k in order[first : first + batch_size]]
            for k, (lp, ft) in zip(
                order[first : first + batch_size], self._run(batch), strict=True
            ):
                _, wave, last = chunks[k]
                if not last:
                    # A chunk of n samples yields n / step frames plus one for its padded end;
                    # dropping that one keeps frame f of the whole at f * frame_seconds.
                    lp = lp[: len(wave) // self._frame_samples]
                    ft = ft[: len(wave) // self.model.features.hop]
                pieces[k] = (lp, ft)
        results = []
        for n, (wave, (start, end)) in enumerate(zip(waves, spans, strict=True)):
            mine = [pieces[k] for k in range(len(chunks)) if chunks[k][0] == n]
            # What was cut off either side comes back as blank frames, so frame f is still
            # at f * frame_seconds of the recording.
            mine = [self._quiet(start), *mine, self._quiet(len(wave) - end)]
            results.append(self._assemble(mine, beam_size, language_model))
        return results

    def _speech_span(self, wave: np.ndarray) -> tuple[int, int]:
        """The part of ``wave`` to transcribe (:func:`~speech.audio.speech_bounds`), starting
        on a frame boundary."""
        start, end = speech_bounds(wave)
        step = self.model.step_samples  # a whole RNN step, so frames keep their times
        return start // step * step, end

    def _quiet(self, samples: int) -> tuple[np.ndarray, np.ndarray]:
        """(log-probs, features) of ``samples`` left unheard: all blank, features at their mean."""
        lp = np.full((samples // self._frame_samples, len(self.vocab.tokens)), -1e4, np.float32)
        lp[:, self.vocab.blank_id] = 0.0
        ft = np.zeros((samples // self.model.features.hop, self.model.config.n_mels), np.float32)
        return lp, ft

    @property
    def _frame_samples(self) -> int:
        return round(self.model.frame_seconds * SAMPLE_RATE)

    def _prepare(self, audio, sample_rate: int | None) -> np.ndarray:
        if isinstance(audio, (str, Path)):
            return load_audio(audio)
        if sample_rate is None:
            raise ValueError("sample_rate is needed for an array of samples")
        return prepare_waveform(audio, sample_rate)

    def _run(self, waves: list[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
        """(log-probs (frames, V), features (feature_frames, n_mels)) for each chunk; a quiet
        one heard at :data:`SPEECH_PEAK`, silence as blank."""
        lengths = torch.tensor([len(w) for w in waves])
        batch = torch.zeros(len(waves), int(lengths.max()))
        peaks = [float(np.abs(w).max(initial=0.0)) for w in waves]
        for row, (w, peak) in enumerate(zip(waves, peaks, strict=True)):
            gain = SPEECH_PEAK / peak if SILENCE_PEAK <= peak < QUIET_PEAK else 1.0
            batch[row, : len(w)] = torch.from_numpy(w) * gain
        batch, lengths = batch.to(self.device), lengths.to(self.device)
        feats, frames = self.model.features(batch, lengths)
        log_probs, out_lengths = self.model.encode_features(feats, frames)
        out = []
        for row, peak in enumerate(peaks):
            lp = log_probs[row, : out_lengths[row]].float().cpu().numpy()
            ft = feats[row, : frames[row]].float().cpu().numpy()
            if peak < SILENCE_PEAK:
                # Silence: nothing was said, whatever the network makes of amplified noise.
                lp = np.full_like(lp, -1e4)
                lp[:, self.vocab.blank_id] = 0.0
            out.append((lp, ft))
        return out

    def _beam_decode(
        self, log_probs: torch.Tensor, beam_size: int, language_model: bool
    ) -> CTCOutput:
        """Beam search over one chunk's (T, V) log-probabilities; with the word LM, its
        letters where no word of its list fits (:func:`~speech.decoding.words_or_letters`)."""
        search = self._decoder(beam_size, language_model)
        if not language_model:
            return search(log_probs[None], torch.tensor([len(log_probs)]))[0]
        return words_or_letters(log_probs, search, lambda: self._decoder(beam_size, False))

    def _assemble(
        self, pieces: list[tuple[np.ndarray, np.ndarray]], beam_size: int, language_model: bool
    ) -> Transcription:
        emissions = np.concatenate([lp for lp, _ in pieces])
        features = np.concatenate([ft for _, ft in pieces])
        # Decode chunk by chunk (a word never spans a cut) and shift the frames.
        outputs: list[CTCOutput] = []
        offset = 0
        for lp, _ in pieces:
            if not len(lp):
                continue  # less than a frame of quiet was cut off
            t = torch.from_numpy(lp)
            if beam_size == 1:
                o = greedy_decode(t, self.vocab)
            else:
                o = self._beam_decode(t, beam_size, language_model)
            outputs.append(
                CTCOutput(
                    o.text,
                    o.ids,
                    [f + offset for f in o.frames],
                    [(w, a + offset, b + offset) for w, a, b in o.words],
                )
            )
            offset += len(lp)
        step = self.model.frame_seconds
        words = [(w, a * step, (b + 1) * step) for o in outputs for w, a, b in o.words]
        chars = [
            (self.vocab.tokens[i], f) for o in outputs for i, f in zip(o.ids, o.frames, strict=True)
        ]
        return Transcription(
            text=" ".join(o.text for o in outputs if o.text),
            emissions=emissions,
            frame_seconds=step,
            words=words,
            features=features,
            feature_seconds=self.model.features.hop / SAMPLE_RATE,
            tokens=list(self.vocab.tokens),
            char_frames=chars,
        )
