"""This project's speech model beside a peer on the same audio: PocketSphinx 5 with its bundled
US-English model (pip ``pocketsphinx``, the ``bench`` extra; never a runtime dependency).

The sets: the human recordings of alsa-utils (people), fresh held-out sentences spoken by
espeak-ng in training's voices, and the same sentences spoken by the other synthesizers
installed (flite, festival: voices the shipped model never heard). For each system and set:
CER, WER and the real-time factor (seconds of compute per second of audio).

Example:
    pip install -e ".[bench]" && python -m benchmarks.speech_peers --threads 2
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from benchmarks.common import machine_info, print_table, write_json
from shared.cards import read_info, write_info
from shared.cli import command_line
from shared.metrics import cer, wer
from shared.pretrained import resolve_model_dir
from speech.audio import SAMPLE_RATE, load_audio
from speech.card import HUMAN_SET, write_card
from speech.engines import ENGINES
from speech.evaluate import alsa_recordings
from speech.inference import DEFAULT_MODEL, PRETRAINED_DIR, Transcriber
from speech.synthesize import catalog_sentences, sentence_split

# Catalogs of a base Debian system, so that the sentences do not move with other packages.
BASE_CATALOGS = ("coreutils", "bash", "tar", "grep", "sed", "findutils", "apt", "dpkg", "wget")

Recognizer = Callable[[np.ndarray], str]


def pocketsphinx_recognizer() -> Recognizer:
    """PocketSphinx with its bundled en-us acoustic model, language model and dictionary."""
    try:
        from pocketsphinx import Decoder
    except ImportError as err:
        raise SystemExit('PocketSphinx is not installed: pip install -e ".[bench]"') from err
    decoder = Decoder(samprate=SAMPLE_RATE, loglevel="ERROR")

    def recognize(samples: np.ndarray) -> str:
        pcm = (np.clip(samples, -1, 1) * 32767).astype(np.int16).tobytes()
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        hypothesis = decoder.hyp()
        return hypothesis.hypstr.lower() if hypothesis else ""

    return recognize


def audio_sets(count: int, seed: int) -> dict[str, list[tuple[np.ndarray, str]]]:
    """(samples, reference) per set; synthetic sets from held-out (test-split) sentences."""
    sets = {HUMAN_SET: [(load_audio(it.path), it.text) for it in alsa_recordings()]}
    folder = Path("/usr/share/locale/fr/LC_MESSAGES")
    sentences = catalog_sentences([p for p in folder.glob("*.mo") if p.stem in BASE_CATALOGS])
    held_out = [s for s in sentences if sentence_split(s) == "test"]
    rng = random.Random(seed)
    chosen = rng.sample(held_out, min(count, len(held_out)))
    for name, engine in ENGINES.items():
        if not engine.available():
            continue
        voices = [v for v in engine.voices() if not engine.unseen(v)]
        if name == "espeak":  # its many variants: the main accents only, like training's
            voices = [v for v in voices if v.split("+")[0] in ("en-us", "en-gb")]
        spoken = []
        for text in chosen:
            speed, pitch = engine.prosody(rng)
            spoken.append((engine.speak(text, rng.choice(voices), speed, pitch), text))
        sets[f"{name} (synthetic)"] = spoken
    return sets


def measure(recognize: Recognizer, items: list[tuple[np.ndarray, str]]) -> dict[str, float]:
    """CER and WER (percent) and the real-time factor; one untimed call first, so that
    building a decoder or its language model is not counted."""
    recognize(items[0][0])
    started = time.perf_counter()
    hypotheses = [recognize(samples) for samples, _ in items]
    seconds = time.perf_counter() - started
    references = [text for _, text in items]
    audio_seconds = sum(len(s) for s, _ in items) / SAMPLE_RATE
    return {
        "cer": round(100 * cer(references, hypotheses), 2),
        "wer": round(100 * wer(references, hypotheses), 2),
        "rtf": round(seconds / audio_seconds, 4),
        "utterances": len(items),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=DEFAULT_MODEL, help="model name or folder")
    parser.add_argument("--sentences", type=int, default=30, help="per synthetic set")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", default="benchmarks/results/speech_peers.json")
    parser.add_argument(
        "--record",
        action="store_true",
        help="keep the table in the model folder's training.json and card",
    )
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    transcriber = Transcriber.from_pretrained(args.model)
    systems: dict[str, Recognizer] = {
        f"{args.model} (beam + LM)": lambda s: transcriber.transcribe(s, SAMPLE_RATE).text,
        "PocketSphinx 5 (en-us)": pocketsphinx_recognizer(),
    }
    sets = audio_sets(args.sentences, args.seed)
    results = {
        name: {system: measure(fn, items) for system, fn in systems.items()}
        for name, items in sets.items()
    }
    rows = [
        (
            name,
            system,
            f"{r['cer']:.1f}",
            f"{r['wer']:.1f}",
            f"{r['rtf']:.3f}",
            str(r["utterances"]),
        )
        for name, by_system in results.items()
        for system, r in by_system.items()
    ]
    print_table(rows, ("audio", "system", "CER %", "WER %", "RTF", "utterances"))
    report = {"machine": machine_info(args.threads), "sets": results}
    print(f"wrote {write_json(report, args.out)}")
    if args.record:
        record(resolve_model_dir(args.model, PRETRAINED_DIR), report, argv)
    return report


def record(model_dir: Path, report: dict, argv: list[str] | None) -> None:
    """Put the table on the model's card (``peers`` in its ``training.json``)."""
    info = read_info(model_dir)
    machine = report["machine"]
    info["peers"] = {
        "note": f"Measured with `{command_line('benchmarks.speech_peers', argv)}` on"
        f" {machine['processor']}, {machine['threads']} threads; synthetic sets: held-out"
        " sentences, a fresh voice and prosody draw per sentence.",
        "sets": report["sets"],
    }
    write_info(model_dir, info)
    write_card(model_dir)


if __name__ == "__main__":
    main()
