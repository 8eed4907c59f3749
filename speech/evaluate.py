"""Word and character error rates of a speech model on held-out speech.

For the synthesized corpus it scores the unseen-sentence sets in seen and in unseen voices
separately; for any other corpus (LibriSpeech, LJSpeech, a manifest) every utterance.

Examples:
    python -m speech.evaluate                                    # shipped model, data/tts-en
    python -m speech.evaluate --beam-size 1 --no-language-model  # the acoustic model alone
    python -m speech.evaluate --data alsa                        # people: alsa-utils' recordings
    python -m speech.evaluate --data noise                       # noise alone must give no words
    python -m speech.evaluate --channel telephone                # the same speech down a phone line
    python -m speech.evaluate --channel quiet                    # ... with a second of quiet around it
    python -m speech.evaluate --channel fast                     # ... spoken 1.2x faster
    python -m speech.evaluate --model runs/tts-en/model --data ~/LibriSpeech/test-clean --beam-size 16
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from shared.cli import script_parser
from shared.metrics import cer, wer
from speech.audio import SAMPLE_RATE, load_audio
from speech.augment import channel, noise, voice
from speech.data import SpeechItem, load_corpora, seeded_sample
from speech.inference import DEFAULT_MODEL, Transcriber

TEST_SPLITS = ("test-seen", "test-unseen")
PHRASE_WORDS = 4  # a held-out utterance of at most this many words counts as a phrase
ALSA_SOUNDS = Path("/usr/share/sounds/alsa")


def alsa_recordings(folder: str | Path = ALSA_SOUNDS) -> list[SpeechItem]:
    """The channel-name recordings Debian's ``alsa-utils`` ships ("Front Left", "Rear
    Right", ...; ``Noise.wav`` is noise, whose right transcript is empty): people's voices,
    for evaluation only, never for training or tuning.

    Raises:
        ValueError: the folder is missing (``sudo apt-get install alsa-utils``).
    """
    folder = Path(folder)
    files = sorted(folder.glob("*.wav"))
    if not files:
        raise ValueError(f"no recordings in {folder}: sudo apt-get install alsa-utils")
    return [
        SpeechItem(f, "" if f.stem == "Noise" else f.stem.replace("_", " ").lower(), "human")
        for f in files
    ]


def noise_clips(count: int = 40, seed: int = 424242) -> list[np.ndarray]:
    """``count`` clips with no speech in them, 1 to 4 s at 16 kHz: white, pink and brown
    noise in turn, -45 to -10 dBFS, every fourth through a telephone line. Their right
    transcript is empty; a recognizer that never heard noise alone writes words for them."""
    rng = np.random.default_rng(seed)
    clips = []
    for k in range(count):
        x = noise.coloured_noise(int(rng.uniform(1, 4) * SAMPLE_RATE), float(k % 3), rng)
        x = (x * 10 ** (rng.uniform(-45, -10) / 20)).astype(np.float32)
        clips.append(np.clip(channel.telephone(x) if k % 4 == 3 else x, -1.0, 1.0))
    return clips


def in_quiet(samples: np.ndarray, seconds: float = 1.0, level: float = 1e-3) -> np.ndarray:
    """``samples`` with ``seconds`` of faint noise (rms ``level``: about -60 dBFS) either side,
    as a microphone records before and after the words; seeded by the length."""
    rng = np.random.default_rng(len(samples))
    quiet = lambda: level * rng.standard_normal(int(seconds * SAMPLE_RATE))  # noqa: E731
    return np.concatenate([quiet(), samples, quiet()]).astype(np.float32)


# Fixed lines a test set can be sent down, to see what a channel alone costs (people's
# recordings often come through one), and how they are often recorded: in quiet, faint (40 dB
# down, a microphone turned low) or clipped (turned too high), and spoken faster or slower
# than a synthesizer speaks. Name -> samples at 16 kHz in and out.
CHANNELS = {
    "telephone": lambda x: channel.telephone(x, mu_law=True),
    **{name: (lambda x, name=name: channel.encode_decode(x, name)) for name in channel.CODECS},
    "quiet": in_quiet,
    "faint": lambda x: 0.01 * x,
    "clipped": lambda x: channel.clip_below_peak(x, 0.3),  # a microphone turned too high
    "fast": lambda x: voice.change_tempo(x, 1.2),
    "slow": lambda x: voice.change_tempo(x, 0.8),
}


def through_channel(items: list[SpeechItem], name: str) -> list[np.ndarray]:
    """The items' audio (16 kHz) sent down the fixed line ``name`` of :data:`CHANNELS`."""
    return [np.clip(CHANNELS[name](load_audio(it.path)), -1.0, 1.0) for it in items]


def noise_report(transcriber: Transcriber, clips: list[np.ndarray], **decoding) -> dict:
    """How many noise ``clips`` the transcriber wrote words for, with what it wrote."""
    heard = [r.text for r in transcriber.transcribe_batch(clips, SAMPLE_RATE, **decoding)]
    return {"clips": len(clips), "with_words": sum(map(bool, heard)), "hypotheses": heard}


def score(
    transcriber: Transcriber,
    items: list[SpeechItem],
    beam_size: int | None = None,
    batch_size: int = 16,
    progress: bool = False,
    language_model: bool | None = None,
    audio: list[np.ndarray] | None = None,
) -> dict:
    """WER and CER (percent) of ``transcriber`` on ``items``, with the hypotheses; decoding
    as :meth:`Transcriber.transcribe_batch` (its defaults when left as None). ``audio``: the
    items' waveforms at 16 kHz, read once by a caller that scores them again and again."""
    hypotheses = []
    for start in tqdm(
        range(0, len(items), batch_size), desc="transcribe", disable=not progress, leave=False
    ):
        batch = items[start : start + batch_size]
        inputs = audio[start : start + batch_size] if audio else [it.path for it in batch]
        results = transcriber.transcribe_batch(
            inputs, SAMPLE_RATE, beam_size=beam_size, language_model=language_model
        )
        hypotheses += [r.text for r in results]
    references = [it.text for it in items]
    return {
        "wer": 100 * wer(references, hypotheses),
        "cer": 100 * cer(references, hypotheses),
        "utterances": len(items),
        "hypotheses": hypotheses,
    }


def test_sets(items: list[SpeechItem], limit: int | None = None) -> dict[str, list[SpeechItem]]:
    """The held-out sets of a corpus: its test splits if it has them (and, for a corpus of
    several synthesizers, each split per engine too, as ``test-seen/flite``; for one that mixes
    short phrases with sentences, its phrases apart too, as ``test-unseen/phrases``), else all
    of it. ``limit``: a seeded sample of at most that many per set, the same for every model."""
    sets = {s: [it for it in items if it.split == s] for s in TEST_SPLITS}
    engines = sorted({it.engine for it in items if it.engine})
    for split in TEST_SPLITS:
        for engine in engines if len(engines) > 1 else []:
            sets[f"{split}/{engine}"] = [it for it in sets[split] if it.engine == engine]
        # What people say to a microphone is often this short ("front left", "stop").
        phrases = [it for it in sets[split] if len(it.text.split()) <= PHRASE_WORDS]
        if 0 < len(phrases) < len(sets[split]):
            sets[f"{split}/phrases"] = phrases
    sets = {s: seeded_sample(v, limit) if limit else v for s, v in sets.items() if v}
    return sets or {"all": seeded_sample(items, limit) if limit else items}


def main(argv: list[str] | None = None) -> dict:
    parser = script_parser("speech.evaluate", __doc__)
    parser.add_argument("--model", default=DEFAULT_MODEL, help="model name or folder")
    parser.add_argument(
        "--data",
        nargs="+",
        default=["data/tts-en"],
        help="corpus folders or manifests (several: scored together, as training's test rows),"
        " 'alsa' for the human recordings of alsa-utils, or 'noise' for 40 clips of noise alone"
        " (default: data/tts-en)",
    )
    parser.add_argument(
        "--beam-size",
        type=int,
        help="1: greedy; default: the model's (32 with its language model, else 1)",
    )
    parser.add_argument(
        "--language-model",
        action=argparse.BooleanOptionalAction,
        help="beam search over the training words, scored by their bigram model"
        " (default: on when the model has one)",
    )
    parser.add_argument(
        "--channel",
        choices=sorted(CHANNELS),
        help="send every utterance down this line first: telephone (8 kHz, mu-law) or a codec"
        " at its lowest bit rate (gsm, mp3, opus); or record it so: quiet (a second of faint"
        " noise either side), faint (40 dB down), clipped (at 0.3 of its peak); or say it"
        " faster or slower: fast (tempo 1.2x), slow (0.8x); default: the audio as it is",
    )
    parser.add_argument("--limit", type=int, default=0, help="at most this many per set")
    parser.add_argument("--examples", type=int, default=5, help="examples to print per set")
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    args = parser.parse_args(argv)
    special = {"alsa", "noise"} & set(args.data)
    if special and len(args.data) > 1:
        parser.error(f"--data {special.pop()} stands alone")
    if args.channel and args.data == ["noise"]:
        parser.error("--data noise goes through its own lines; --channel is for speech")
    transcriber = Transcriber.from_pretrained(args.model, device=args.device)
    if args.data == ["noise"]:
        decoding = dict(beam_size=args.beam_size, language_model=args.language_model)
        result = noise_report(transcriber, noise_clips(args.limit or 40), **decoding)
        print(f"noise alone: {result['with_words']} of {result['clips']} clips gave words")
        for hyp in [h for h in result["hypotheses"] if h][: args.examples]:
            print(f"  hyp: {hyp}")
        report = {"noise": {k: v for k, v in result.items() if k != "hypotheses"}}
        print(json.dumps(report))
        return report
    try:
        items = alsa_recordings() if args.data == ["alsa"] else load_corpora(args.data)
    except (ValueError, OSError) as e:
        raise SystemExit(f"cannot read {' '.join(args.data)}: {e}") from None
    report = {}
    for name, subset in test_sets(items, args.limit or None).items():
        audio = through_channel(subset, args.channel) if args.channel else None
        result = score(
            transcriber,
            subset,
            args.beam_size,
            progress=True,
            language_model=args.language_model,
            audio=audio,
        )
        label = f"{name} ({args.channel})" if args.channel else name
        print(
            f"{label}: {len(subset)} utterances  WER {result['wer']:.2f}%  CER {result['cer']:.2f}%"
        )
        for item, hyp in list(zip(subset, result["hypotheses"], strict=True))[: args.examples]:
            print(f"  ref: {item.text}\n  hyp: {hyp}")
        report[name] = {k: v for k, v in result.items() if k != "hypotheses"}
    print(json.dumps(report))
    return report


if __name__ == "__main__":
    main()
