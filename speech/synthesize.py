"""Build a speech corpus with offline synthesizers: English sentences from the machine's gettext
catalogs, spoken by espeak-ng's many accents x voice variants at random speeds and pitches, and
with ``--engines`` by other synthesizers too (:mod:`speech.engines`: flite, festival, Piper,
MBROLA, Pico, RHVoice). ``--phrase-share`` makes some utterances say only a few words of their
sentence.

Sentences and voices are both held out: ``valid`` and ``test-seen`` use sentences training never
heard, in training's voices; ``test-unseen`` uses those sentences in accents and variants training
never heard. Audio is written as 16 kHz mono FLAC with a ``manifest.jsonl`` (one record per
utterance: ``audio``, ``text``, ``split``, ``engine``, ``voice``, ``speed``, ``pitch``,
``seconds``) and
``train-text.txt``, every training-split sentence, for the word language model. Running
the same command again resumes: utterances already in the manifest are skipped.

Examples:
    python -m speech.synthesize --out data/tts-en --train 30000          # the default corpus
    python -m speech.synthesize --out data/tts-mix --engines espeak flite festival
    python -m speech.synthesize --out data/tts-piper --engines piper   # a neural voice alone
    python -m speech.synthesize --out data/tts-diphone --engines mbrola pico --phrase-share 0.2
    python -m speech.synthesize --text-from /usr/share/locale data/lm-text.txt  # + everyday English
    python -m speech.synthesize --out /tmp/tiny --train 20 --valid 4 --test 4 --workers 2
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import subprocess
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from multiprocessing import Pool
from pathlib import Path

import numpy as np
import soundfile as sf
import torch
from tqdm.auto import tqdm

from shared.catalogs import read_catalog
from shared.cli import script_parser
from speech.audio import SAMPLE_RATE
from speech.engines import ENGINES, Engine, Espeak
from speech.text import normalize_transcript

ESPEAK = Espeak()
# The espeak-ng voices held out and skipped (kept here by their old names for callers).
ACCENTS, UNSEEN_ACCENTS = Espeak.ACCENTS, Espeak.UNSEEN_ACCENTS
UNSEEN_VARIANTS, SKIPPED_VARIANTS = Espeak.UNSEEN_VARIANTS, Espeak.SKIPPED_VARIANTS
SPLITS = ("train", "valid", "test-seen", "test-unseen")
VALID_SHARE, TEST_SHARE = 0.03, 0.04  # of the sentences, chosen by a hash of their text
TRAIN_TEXT = "train-text.txt"
_MARKUP = re.compile(r"[%{}<>\\/=@#$\[\]|]|\n|https?:")


def espeak_binary() -> str:
    """Path of ``espeak-ng``, or a ``RuntimeError`` that says how to install it."""
    return ESPEAK.require()


def espeak_variants() -> list[str]:
    """Names of the voice variants espeak-ng has on this machine (``m1``, ``f3``, ``klatt``...)."""
    return ESPEAK.variants()


def catalog_sentences(folders: Iterable[str | Path]) -> list[str]:
    """Distinct normalised English sentences of 2-16 words from the ``msgid``s of every ``.mo``
    and ``.po`` catalog under ``folders``; messages with placeholders or markup are skipped."""
    # A compiled catalog holds only its translated messages, and every language's catalog of a
    # package draws on the same msgids: read each package's largest catalog only.
    largest: dict[str, Path] = {}
    for folder in folders:
        folder = Path(folder)
        for path in [folder] if folder.is_file() else folder.rglob("*.[mp]o"):
            best = largest.get(path.stem)
            if best is None or path.stat().st_size > best.stat().st_size:
                largest[path.stem] = path
    seen: set[str] = set()
    for path in sorted(largest.values()):
        try:
            entries = read_catalog(path)
        except (ValueError, OSError):
            continue
        seen.update(speakable(entry.msgid) for entry in entries if entry.msgid)
    return sorted(seen - {""})


def speakable(line: str) -> str:
    """``line`` normalised as a transcript when it makes a sentence to speak (2-16 words, no
    placeholders or markup), else ``""``."""
    if _MARKUP.search(line):
        return ""
    text = normalize_transcript(line.replace("&", " and "))
    return text if 2 <= len(text.split()) <= 16 and len(text) <= 120 else ""


def source_sentences(sources: Iterable[str | Path]) -> list[str]:
    """Distinct sentences to speak from ``sources``: text files (``.txt``, one sentence a line,
    such as :mod:`speech.lm_text`'s everyday English) and, for every other source, the gettext
    catalogs under it (:func:`catalog_sentences`)."""
    sources = [Path(s) for s in sources]
    seen = set(catalog_sentences([s for s in sources if s.suffix != ".txt"]))
    for path in (s for s in sources if s.suffix == ".txt"):
        seen.update(speakable(line) for line in path.read_text(encoding="utf-8").splitlines())
    return sorted(seen - {""})


def sentence_split(
    text: str, valid_share: float = VALID_SHARE, test_share: float = TEST_SHARE
) -> str:
    """``train``, ``valid`` or ``test`` for a sentence, from a stable hash of its text."""
    h = int(hashlib.sha1(text.encode()).hexdigest()[:8], 16) / 16**8
    return "test" if h < test_share else "valid" if h < test_share + valid_share else "train"


@dataclass
class Utterance:
    """One line to synthesize and the voice to say it in."""

    id: str
    split: str
    text: str
    voice: str
    speed: int
    pitch: int
    engine: str = "espeak"


def plan(
    sentences: list[str],
    variants: list[str],
    counts: dict[str, int],
    seed: int = 0,
    valid_share: float = VALID_SHARE,
    test_share: float = TEST_SHARE,
    others: list[Engine] | None = None,
    espeak: bool = True,
    phrase_share: float = 0.0,
) -> list[Utterance]:
    """The whole corpus as a deterministic list: the same arguments give the same utterances,
    so an interrupted run can skip what it already wrote.

    ``variants`` are espeak-ng's; ``others`` are more engines, each speaking an equal share of
    the utterances in its own voices (held-out ones only in ``test-unseen``; an engine with
    none to hold out speaks no ``test-unseen``, and without espeak-ng that split may be
    empty). Their choices come from a generator of their own, so the espeak-ng lines are
    those of an espeak-only plan and a corpus keeps its sentences whichever engines speak
    them. ``espeak=False``: the other engines speak everything. ``phrase_share``: the share of
    utterances that speak only a short phrase of their sentence (one to four words in a row,
    from a generator of its own), as people say "front left" or "yes" to a microphone."""
    by_split: dict[str, list[str]] = {"train": [], "valid": [], "test": []}
    for s in sentences:
        by_split[sentence_split(s, valid_share, test_share)].append(s)
    seen_variants = [v for v in variants if v not in UNSEEN_VARIANTS]
    unseen_variants = [v for v in variants if v in UNSEEN_VARIANTS] or seen_variants
    seen_accents = [a for a in ACCENTS if a not in UNSEEN_ACCENTS]
    voices_of = {engine.name: engine.voices() for engine in others or []}
    for engine in others or []:
        if all(engine.unseen(v) for v in voices_of[engine.name]):
            raise ValueError(f"{engine.name} has no voice for training: {voices_of[engine.name]}")
    # An engine with no voice to hold out (Piper's one voice) never speaks test-unseen.
    holding_out = [e for e in others or [] if any(map(e.unseen, voices_of[e.name]))]
    out = []
    for split in SPLITS:
        pool = by_split["test" if split.startswith("test") else split]
        if counts.get(split, 0) and not pool:
            raise ValueError(f"no sentences for the {split} split; give more text")
        rng = random.Random(f"{seed}-{split}")
        other_rng = random.Random(f"{seed}-{split}-engines")
        phrase_rng = random.Random(f"{seed}-{split}-phrases")
        for i in range(counts.get(split, 0)):
            if split == "test-unseen":
                # Unseen: a held-out accent, or a held-out variant in any seen accent.
                if rng.random() < 0.3:
                    accent, variant = rng.choice(UNSEEN_ACCENTS), rng.choice(variants)
                else:
                    accent, variant = rng.choice(seen_accents), rng.choice(unseen_variants)
            else:
                accent, variant = rng.choice(seen_accents), rng.choice(seen_variants)
            utterance = Utterance(
                id=f"{split}-{i:06d}",
                split=split,
                text=rng.choice(pool),
                voice=f"{accent}+{variant}",
                speed=rng.randint(120, 220),
                pitch=rng.randint(20, 80),
            )
            unseen = split == "test-unseen"
            engines = holding_out if unseen else others or []
            if not engines and not espeak:
                continue  # no engine here has a voice for this split
            share = len(engines) / (len(engines) + 1) if espeak else 1.0
            if engines and other_rng.random() < share:
                engine = other_rng.choice(engines)
                voices = [v for v in voices_of[engine.name] if engine.unseen(v) == unseen]
                speed, pitch = engine.prosody(other_rng)
                utterance.engine, utterance.voice = engine.name, other_rng.choice(voices)
                utterance.speed, utterance.pitch = speed, pitch
            if phrase_share and phrase_rng.random() < phrase_share:
                utterance.text = short_phrase(utterance.text, phrase_rng)
            out.append(utterance)
    return out


def short_phrase(sentence: str, rng: random.Random) -> str:
    """One to four words in a row of ``sentence`` (the whole of a shorter one)."""
    words = sentence.split()
    n = min(len(words), rng.randint(1, 4))
    start = rng.randrange(len(words) - n + 1)
    return " ".join(words[start : start + n])


def speak(utterance: Utterance) -> np.ndarray:
    """Synthesize one utterance with its engine: float32 samples at :data:`SAMPLE_RATE`."""
    engine = ENGINES[utterance.engine]
    return engine.speak(utterance.text, utterance.voice, utterance.speed, utterance.pitch)


def _write(job: tuple[Utterance, str]) -> dict | None:
    utterance, out = job
    try:
        audio = speak(utterance)
    except (subprocess.CalledProcessError, sf.LibsndfileError, RuntimeError):
        return None  # left out of the manifest: the next run tries it again
    rel = Path("audio") / utterance.split / f"{utterance.id}.flac"
    sf.write(Path(out) / rel, audio, SAMPLE_RATE, subtype="PCM_16")
    record = asdict(utterance)
    record.update(audio=str(rel), seconds=round(len(audio) / SAMPLE_RATE, 3))
    return record


def synthesize(jobs: list[Utterance], out: str | Path, workers: int = 1) -> Path:
    """Write every utterance of ``jobs`` not yet in ``out/manifest.jsonl``; returns its path."""
    out = Path(out)
    manifest = out / "manifest.jsonl"
    done = set()
    if manifest.is_file():
        for line in manifest.read_text(encoding="utf-8").splitlines():
            if line.strip():
                done.add(json.loads(line)["id"])
    todo = [j for j in jobs if j.id not in done]
    for split in SPLITS:
        (out / "audio" / split).mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)
    with open(manifest, "a", encoding="utf-8") as f, Pool(max(1, workers)) as pool:
        records = pool.imap_unordered(_write, [(j, str(out)) for j in todo], chunksize=8)
        failed = 0
        for record in tqdm(records, total=len(todo), desc="synthesize"):
            if record is None:
                failed += 1
                continue
            f.write(json.dumps(record) + "\n")
            f.flush()
    if failed:
        print(f"synthesis failed on {failed} utterances; run again to retry them")
    return manifest


def build_parser() -> argparse.ArgumentParser:
    parser = script_parser("speech.synthesize", __doc__)
    parser.add_argument("--out", default="data/tts-en", help="corpus folder (default: data/tts-en)")
    parser.add_argument(
        "--text-from",
        nargs="*",
        default=["/usr/share/locale"],
        help="folders or catalogs whose English msgids are the sentences, and .txt files of"
        " one sentence a line (default: /usr/share/locale)",
    )
    parser.add_argument("--train", type=int, default=30000, help="training utterances")
    parser.add_argument("--valid", type=int, default=500, help="validation utterances")
    parser.add_argument(
        "--test", type=int, default=500, help="test utterances, for each of seen and unseen voices"
    )
    parser.add_argument("--seed", type=int, default=0, help="picks sentences, voices, speeds")
    parser.add_argument("--workers", type=int, default=2, help="parallel synthesizer processes")
    parser.add_argument(
        "--engines",
        nargs="+",
        default=["espeak"],
        choices=sorted(ENGINES),
        help="synthesizers to mix, each an equal share of the utterances (default: espeak)",
    )
    parser.add_argument(
        "--phrase-share",
        type=float,
        default=0.0,
        help="share of utterances that say only one to four words of their sentence (default: 0)",
    )
    return parser


def main(argv: list[str] | None = None) -> Path:
    args = build_parser().parse_args(argv)
    missing = [s for s in args.text_from if not Path(s).exists()]
    if missing:
        raise SystemExit(f"--text-from: no such file or folder: {', '.join(missing)}")
    others = [ENGINES[name] for name in args.engines if name != "espeak"]
    try:
        variants = espeak_variants()
        for engine in others:
            engine.require()
    except RuntimeError as e:
        raise SystemExit(str(e)) from None
    sentences = source_sentences(args.text_from)
    counts = {"train": args.train, "valid": args.valid}
    counts.update({"test-seen": args.test, "test-unseen": args.test})
    jobs = plan(
        sentences,
        variants,
        counts,
        args.seed,
        others=others,
        espeak="espeak" in args.engines,
        phrase_share=args.phrase_share,
    )
    split_sizes = {
        s: sum(sentence_split(t) == s for t in sentences) for s in ("train", "valid", "test")
    }
    print(
        f"{len(sentences)} sentences ({split_sizes}); {len(variants)} espeak-ng voice variants x"
        f" {len(ACCENTS)} accents{''.join(f', {e.name}' for e in others)}; {len(jobs)} utterances",
        flush=True,
    )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    # Every training-split sentence, spoken or not: text for the word language model.
    train_text = [t for t in sentences if sentence_split(t) == "train"]
    (out / TRAIN_TEXT).write_text("\n".join(train_text) + "\n", encoding="utf-8")
    (out / "corpus.json").write_text(
        json.dumps({"command": vars(args), "sentences": len(sentences)}, indent=2) + "\n"
    )
    manifest = synthesize(jobs, out, args.workers)
    print(f"wrote {manifest}")
    return manifest


if __name__ == "__main__":
    main()
