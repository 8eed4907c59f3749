"""Speech corpora from local folders, as lists of :class:`SpeechItem`, and the training dataset.

- the synthesized corpus of :mod:`speech.synthesize` (``manifest.jsonl`` with splits);
- LibriSpeech: ``<root>/<speaker>/<chapter>/<speaker>-<chapter>-<n>.flac`` + ``*.trans.txt``;
- LJSpeech: ``<root>/metadata.csv`` (``id|text|normalised text``) + ``<root>/wavs/<id>.wav``;
- a generic manifest: JSONL (``{"audio": ..., "text": ...}``) or CSV with ``audio,text`` columns;
  relative audio paths are taken from the manifest's folder.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from speech.audio import SAMPLE_RATE, load_audio
from speech.augment import AugmentConfig, Augmenter, NoiseBank
from speech.text import CharVocabulary, normalize_transcript


@dataclass
class SpeechItem:
    """One utterance: its audio file, normalised transcript and, for synthesized speech, the
    split and voice it was made for."""

    path: Path
    text: str
    split: str = ""
    voice: str = ""
    seconds: float = 0.0
    engine: str = ""


def read_manifest(path: str | Path) -> list[SpeechItem]:
    """A JSONL or CSV manifest (``audio``/``path`` and ``text`` fields; optional ``split``,
    ``voice``, ``seconds``, ``engine``)."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    else:
        rows = [
            json.loads(line)
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
    items = []
    for n, row in enumerate(rows, 1):
        audio = row.get("audio") or row.get("path")
        if audio is None or "text" not in row:
            raise ValueError(f"{path}, record {n}: needs 'audio' (or 'path') and 'text' fields")
        items.append(
            SpeechItem(
                path.parent / audio,
                normalize_transcript(row["text"]),
                row.get("split", ""),
                row.get("voice", ""),
                float(row.get("seconds") or 0.0),
                row.get("engine", ""),
            )
        )
    return items


def read_librispeech(root: str | Path) -> list[SpeechItem]:
    """Every utterance under a LibriSpeech folder (e.g. ``LibriSpeech/dev-clean``)."""
    items = []
    for trans in sorted(Path(root).rglob("*.trans.txt")):
        for line in trans.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            utt, _, text = line.partition(" ")
            items.append(SpeechItem(trans.parent / f"{utt}.flac", normalize_transcript(text)))
    return items


def read_ljspeech(root: str | Path) -> list[SpeechItem]:
    """LJSpeech's ``metadata.csv``: the normalised (third) column where present."""
    root = Path(root)
    items = []
    for line in (root / "metadata.csv").read_text(encoding="utf-8").splitlines():
        fields = line.split("|")
        if len(fields) < 2:
            continue
        text = fields[2] if len(fields) > 2 and fields[2] else fields[1]
        items.append(SpeechItem(root / "wavs" / f"{fields[0]}.wav", normalize_transcript(text)))
    return items


def load_corpus(source: str | Path) -> list[SpeechItem]:
    """Any supported corpus by its shape: a manifest file, a folder with ``manifest.jsonl``
    (synthesized), ``metadata.csv`` (LJSpeech) or ``*.trans.txt`` files (LibriSpeech)."""
    source = Path(source)
    if source.is_file():
        return read_manifest(source)
    if (source / "manifest.jsonl").is_file():
        return read_manifest(source / "manifest.jsonl")
    if (source / "metadata.csv").is_file():
        return read_ljspeech(source)
    if next(source.rglob("*.trans.txt"), None) is not None:
        return read_librispeech(source)
    raise ValueError(
        f"{source}: no manifest.jsonl, metadata.csv (LJSpeech) or *.trans.txt (LibriSpeech) found"
    )


def load_corpora(sources: list[str | Path]) -> list[SpeechItem]:
    """Several corpora's utterances, one after another in the order given."""
    return [it for source in sources for it in load_corpus(source)]


def voices_by_engine(items: list[SpeechItem]) -> dict[str, list[str]]:
    """The voices ``items`` are spoken in, per engine ("" for a corpus that names none)."""
    voices: dict[str, set[str]] = {}
    for it in items:
        if it.voice:
            voices.setdefault(it.engine, set()).add(it.voice)
    return {engine: sorted(names) for engine, names in sorted(voices.items())}


def seeded_sample(items: list[SpeechItem], limit: int) -> list[SpeechItem]:
    """``limit`` of ``items`` (all when fewer) drawn with a fixed seed: every run and every model
    is scored on the same ones, and a sample of a corpus of several engines holds each of them
    (its first ``limit`` would be one engine's)."""
    return random.Random(0).sample(items, min(limit, len(items)))


def balance_engines(items: list[SpeechItem], seed: int = 0) -> list[SpeechItem]:
    """``items`` with every engine's utterances repeated until each engine has as many as the
    largest: an epoch then hears each synthesizer equally often, however many utterances its
    corpora hold. Whole repeats first, then a seeded sample of the rest; order is kept per
    engine (batches are shuffled later). Items with no engine count as one engine."""
    by_engine: dict[str, list[SpeechItem]] = {}
    for it in items:
        by_engine.setdefault(it.engine, []).append(it)
    target = max((len(group) for group in by_engine.values()), default=0)
    rng = np.random.default_rng(seed)
    balanced: list[SpeechItem] = []
    for _, group in sorted(by_engine.items()):
        repeats, rest = divmod(target, len(group))
        extra = rng.choice(len(group), size=rest, replace=False)
        balanced += group * repeats + [group[k] for k in sorted(extra)]
    return balanced


class SpeechDataset(Dataset):
    """(waveform (n,) float32, character ids) examples.

    With ``augment`` each read passes through an :class:`~speech.augment.Augmenter`: other
    voices, rooms, microphones, telephone lines and codecs, background noise (from
    ``noise_bank`` when given) and babble made of the dataset's other utterances. Its random
    draws come from torch's generator, which the DataLoader seeds per worker and per epoch,
    so workers differ and a resumed run repeats.

    ``no_speech_share`` adds that many examples per utterance (0.05: one in twenty) that hold
    no speech, only background sound or noise through rooms and lines
    (:meth:`~speech.augment.Augmenter.no_speech`), with an empty transcript: a recognizer
    that never heard noise alone transcribes it as words. They come after the utterances,
    0.5 to 6 s long by their index.
    """

    def __init__(
        self,
        items: list[SpeechItem],
        vocab: CharVocabulary,
        augment: bool = False,
        noise_bank: NoiseBank | None = None,
        augment_config: AugmentConfig | None = None,
        no_speech_share: float = 0.0,
    ) -> None:
        self.items = [it for it in items if it.text]
        self.vocab = vocab
        self.augmenter = (
            Augmenter(augment_config, noise_bank, self._other_utterance) if augment else None
        )
        self.no_speech = round(no_speech_share * len(self.items))
        # Noise-only clips go through the same rooms and lines (babble is never drawn for them).
        self.background = (
            (self.augmenter or Augmenter(augment_config, noise_bank)) if self.no_speech else None
        )

    def __len__(self) -> int:
        return len(self.items) + self.no_speech

    def seconds(self) -> list[float]:
        """Each example's duration in seconds (an utterance without a recorded one: its
        transcript at 15 characters a second), for batching similar lengths together."""
        spoken = [it.seconds or len(it.text) / 15 for it in self.items]
        return spoken + [_no_speech_seconds(k) for k in range(self.no_speech)]

    def _other_utterance(self, rng: np.random.Generator) -> np.ndarray:
        return load_audio(self.items[int(rng.integers(len(self.items)))].path)

    def __getitem__(self, k: int) -> tuple[np.ndarray, list[int]]:
        rng = np.random.default_rng(int(torch.randint(2**62, ())))
        if k >= len(self.items):
            length = int(_no_speech_seconds(k - len(self.items)) * SAMPLE_RATE)
            return self.background.no_speech(length, rng), []
        item = self.items[k]
        audio = load_audio(item.path)
        if self.augmenter is not None:
            audio = self.augmenter(audio, rng)
        return audio, self.vocab.encode(item.text)


def _no_speech_seconds(k: int) -> float:
    """The ``k``-th no-speech example's duration: 0.5 to 6 s, spread evenly (golden ratio)."""
    return 0.5 + 5.5 * ((k * 0.6180339887) % 1.0)


def collate(examples: list[tuple[np.ndarray, list[int]]]) -> dict[str, torch.Tensor]:
    """Zero-pad waveforms; concatenate targets (CTC's packed form)."""
    lengths = torch.tensor([len(a) for a, _ in examples])
    waves = torch.zeros(len(examples), int(lengths.max()))
    for row, (audio, _) in enumerate(examples):
        waves[row, : len(audio)] = torch.from_numpy(audio)
    return {
        "waveforms": waves,
        "lengths": lengths,
        "targets": torch.tensor([i for _, ids in examples for i in ids], dtype=torch.long),
        "target_lengths": torch.tensor([len(ids) for _, ids in examples]),
    }
