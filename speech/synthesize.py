"""Build a speech corpus with espeak-ng: English sentences from the machine's gettext catalogs,
spoken by many accents x voice variants at random speeds and pitches.

Sentences and voices are both held out: ``valid`` and ``test-seen`` use sentences training never
heard, in training's voices; ``test-unseen`` uses those sentences in accents and variants training
never heard. Audio is written as 16 kHz mono FLAC with a ``manifest.jsonl`` (one record per
utterance: ``audio``, ``text``, ``split``, ``voice``, ``speed``, ``pitch``, ``seconds``) and
``train-text.txt``, every training-split sentence, for the word language model. Running
the same command again resumes: utterances already in the manifest are skipped.

Examples:
    python -m speech.synthesize --out data/tts-en --train 30000          # the default corpus
    python -m speech.synthesize --out /tmp/tiny --train 20 --valid 4 --test 4 --workers 2
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import random
import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from multiprocessing import Pool
from pathlib import Path

import numpy as np
import soundfile as sf
import torch
import torchaudio.functional as AF
from tqdm.auto import tqdm

from shared.catalogs import read_catalog
from shared.cli import script_parser
from speech.audio import SAMPLE_RATE
from speech.text import normalize_transcript

ACCENTS = (
    "en-us",
    "en-gb",
    "en-gb-scotland",
    "en-gb-x-rp",
    "en-gb-x-gbclan",
    "en-029",
    "en-us-nyc",
    "en-gb-x-gbcwmd",
)
UNSEEN_ACCENTS = ("en-gb-x-gbcwmd",)
# Voice variants (espeak-ng-data/voices/!v) kept out of training for the unseen-voice test.
UNSEEN_VARIANTS = (
    "f4",
    "m6",
    "Annie",
    "klatt4",
    "edward2",
    "robosoft3",
    "steph2",
    "iven3",
    "grandma",
    "travis",
    "Gene2",
    "norbert",
)
# Unvoiced speech carries too little of the signal the features see to be a fair test.
SKIPPED_VARIANTS = ("whisper", "whisperf")
SPLITS = ("train", "valid", "test-seen", "test-unseen")
VALID_SHARE, TEST_SHARE = 0.03, 0.04  # of the sentences, chosen by a hash of their text
TRAIN_TEXT = "train-text.txt"
_MARKUP = re.compile(r"[%{}<>\\/=@#$\[\]|]|\n|https?:")


def espeak_binary() -> str:
    """Path of ``espeak-ng``, or a ``RuntimeError`` that says how to install it."""
    path = shutil.which("espeak-ng")
    if path is None:
        raise RuntimeError(
            "espeak-ng is not installed: `sudo apt-get install espeak-ng` (Debian/Ubuntu)"
        )
    return path


def espeak_variants() -> list[str]:
    """Names of the voice variants espeak-ng has on this machine (``m1``, ``f3``, ``klatt``...)."""
    out = subprocess.run([espeak_binary(), "--version"], capture_output=True, text=True).stdout
    match = re.search(r"Data at:\s*(\S+)", out)
    folder = Path(match.group(1)) / "voices" / "!v" if match else None
    if folder is None or not folder.is_dir():
        raise RuntimeError(f"cannot find espeak-ng's voice variants (it printed {out!r})")
    names = sorted(p.name for p in folder.iterdir() if p.is_file())
    return [n for n in names if " " not in n and n not in SKIPPED_VARIANTS]


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
        for entry in entries:
            if not entry.msgid or _MARKUP.search(entry.msgid):
                continue
            text = normalize_transcript(entry.msgid.replace("&", " and "))
            if 2 <= len(text.split()) <= 16 and len(text) <= 120:
                seen.add(text)
    return sorted(seen)


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


def plan(
    sentences: list[str],
    variants: list[str],
    counts: dict[str, int],
    seed: int = 0,
    valid_share: float = VALID_SHARE,
    test_share: float = TEST_SHARE,
) -> list[Utterance]:
    """The whole corpus as a deterministic list: the same arguments give the same utterances,
    so an interrupted run can skip what it already wrote."""
    by_split: dict[str, list[str]] = {"train": [], "valid": [], "test": []}
    for s in sentences:
        by_split[sentence_split(s, valid_share, test_share)].append(s)
    seen_variants = [v for v in variants if v not in UNSEEN_VARIANTS]
    unseen_variants = [v for v in variants if v in UNSEEN_VARIANTS] or seen_variants
    seen_accents = [a for a in ACCENTS if a not in UNSEEN_ACCENTS]
    out = []
    for split in SPLITS:
        pool = by_split["test" if split.startswith("test") else split]
        if counts.get(split, 0) and not pool:
            raise ValueError(f"no sentences for the {split} split; give more text")
        rng = random.Random(f"{seed}-{split}")
        for i in range(counts.get(split, 0)):
            if split == "test-unseen":
                # Unseen: a held-out accent, or a held-out variant in any seen accent.
                if rng.random() < 0.3:
                    accent, variant = rng.choice(UNSEEN_ACCENTS), rng.choice(variants)
                else:
                    accent, variant = rng.choice(seen_accents), rng.choice(unseen_variants)
            else:
                accent, variant = rng.choice(seen_accents), rng.choice(seen_variants)
            out.append(
                Utterance(
                    id=f"{split}-{i:06d}",
                    split=split,
                    text=rng.choice(pool),
                    voice=f"{accent}+{variant}",
                    speed=rng.randint(120, 220),
                    pitch=rng.randint(20, 80),
                )
            )
    return out


def speak(utterance: Utterance) -> np.ndarray:
    """Synthesize one utterance: float32 samples at :data:`SAMPLE_RATE`."""
    wav = subprocess.run(
        [
            espeak_binary(),
            "-v",
            utterance.voice,
            "-s",
            str(utterance.speed),
            "-p",
            str(utterance.pitch),
            "--stdout",
            utterance.text,
        ],
        capture_output=True,
        check=True,
    ).stdout
    samples, rate = sf.read(io.BytesIO(wav), dtype="float32")
    audio = AF.resample(torch.from_numpy(samples), rate, SAMPLE_RATE)
    return audio.numpy()


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
        print(f"espeak-ng failed on {failed} utterances; run again to retry them")
    return manifest


def build_parser() -> argparse.ArgumentParser:
    parser = script_parser("speech.synthesize", __doc__)
    parser.add_argument("--out", default="data/tts-en", help="corpus folder (default: data/tts-en)")
    parser.add_argument(
        "--text-from",
        nargs="*",
        default=["/usr/share/locale"],
        help="folders or catalogs whose English msgids are the sentences"
        " (default: /usr/share/locale)",
    )
    parser.add_argument("--train", type=int, default=30000, help="training utterances")
    parser.add_argument("--valid", type=int, default=500, help="validation utterances")
    parser.add_argument(
        "--test", type=int, default=500, help="test utterances, for each of seen and unseen voices"
    )
    parser.add_argument("--seed", type=int, default=0, help="picks sentences, voices, speeds")
    parser.add_argument("--workers", type=int, default=2, help="parallel espeak-ng processes")
    return parser


def main(argv: list[str] | None = None) -> Path:
    args = build_parser().parse_args(argv)
    try:
        variants = espeak_variants()
    except RuntimeError as e:
        raise SystemExit(str(e)) from None
    sentences = catalog_sentences(args.text_from)
    counts = {"train": args.train, "valid": args.valid}
    counts.update({"test-seen": args.test, "test-unseen": args.test})
    jobs = plan(sentences, variants, counts, args.seed)
    split_sizes = {
        s: sum(sentence_split(t) == s for t in sentences) for s in ("train", "valid", "test")
    }
    print(
        f"{len(sentences)} sentences ({split_sizes}); {len(variants)} voice variants x"
        f" {len(ACCENTS)} accents; {len(jobs)} utterances",
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
