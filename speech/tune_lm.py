"""Choose a speech model's language-model weight and word bonus on its validation speech.

Beam search with the word LM ranks a hypothesis by its acoustic log-probability plus
``lm_weight`` times its LM log-probability plus ``word_score`` per word. The best values depend
on the acoustic model: one that hears well needs less help, and one that hears badly may be led
astray by too much. A grid search on validation speech picks the pair with the lowest CER + WER
averaged over utterances (letters and whole words count alike; the network runs once, only the
search is repeated) and records it as ``decoding.json`` in the model's folder, which
:meth:`speech.inference.Transcriber.from_pretrained` reads. :mod:`speech.train` runs it at the
end of training.

Why also through rooms and phones: the clean synthetic validation speech is heard far better
than anything a microphone brings, and the weights that suit confident acoustics (a heavy LM,
no word bonus) throw words away when the acoustics are unsure. So each validation utterance is
scored twice, as synthesized and as training's augmentation makes it (another voice, a room, a
phone line, background noise; seeded, the same for every model), and both count alike.

Why averaged over utterances: corpus CER counts letters, so long sentences outweigh short
requests ("front left", "stop") many times over, and the word bonus that suits sentences can
empty out two-word phrases. People speak both to a microphone; each utterance counts alike here.

Validation speech only: never a test split, never human recordings (they are for evaluation).

Examples:
    python -m speech.tune_lm --model runs/mix/model --data data/tts-mix --noise-dir data/noise
    python -m speech.tune_lm --model runs/libri/model --data ~/LibriSpeech/dev-clean --limit 500
    python -m speech.tune_lm --model runs/mix/model --data data/tts-mix --lm-text data/everyday.txt

With ``--lm-text`` the model's word LM first learns more sentences (say WordNet's everyday
examples from :mod:`speech.lm_text`), less any that validation or test speech of ``--data`` says.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm

from shared.cards import read_info, write_info
from shared.cli import command_line, script_parser
from shared.metrics import cer, wer
from speech.audio import SAMPLE_RATE, load_audio
from speech.augment import AugmentConfig, Augmenter, NoiseBank
from speech.card import write_card
from speech.data import SpeechItem, load_corpus, seeded_sample
from speech.decoding import BeamDecoder, words_or_letters
from speech.inference import DECODING_FILE, DEFAULT_BEAM, Transcriber, read_lm_text, write_lm_text
from speech.lm_text import extra_sentences

LM_WEIGHTS = (0.1, 0.25, 0.5, 0.75, 1.0)
WORD_SCORES = (-1.0, 0.0, 0.5, 1.0, 2.0)


def tune_decoding(
    transcriber: Transcriber,
    items: list[SpeechItem],
    audio: list[np.ndarray] | None = None,
    beam_size: int = DEFAULT_BEAM,
    lm_weights: tuple[float, ...] = LM_WEIGHTS,
    word_scores: tuple[float, ...] = WORD_SCORES,
    augmenter: Augmenter | None = None,
    progress: bool = False,
) -> dict:
    """Grid-search the LM weight and word bonus of ``transcriber`` on ``items``.

    Args:
        items: validation utterances with their transcripts.
        audio: their waveforms at 16 kHz, when the caller has read them already.
        augmenter: when given, each utterance is scored a second time as it makes it.

    Returns:
        ``{"lm_weight", "word_score", "beam_size", "utterances", "cer", "wer", "utterance_error",
        "grid"}`` and, with an augmenter, ``"augmented": {"cer", "wer"}``: the chosen pair
        (lowest mean over all utterances scored of CER + WER), its corpus CER and WER on the
        validation speech as it is (percent), that mean, and every pair's
        ``[lm_weight, word_score, cer, wer, utterance_error]``.
    """
    if not items:
        raise ValueError("no validation utterances to tune on")
    if augmenter and audio is None:
        audio = [load_audio(it.path) for it in items]
    inputs = list(audio) if audio is not None else [it.path for it in items]
    if augmenter:
        inputs += hardened(audio, augmenter)
    # Whole utterances: validation speech is shorter than the Transcriber's chunks.
    emissions = [
        torch.from_numpy(r.emissions)
        for r in transcriber.transcribe_batch(inputs, SAMPLE_RATE, beam_size=1)
    ]
    n = len(items)
    references = [it.text for it in items] * (2 if augmenter else 1)  # clean, then augmented
    lm = transcriber.word_lm()
    grid, heard = [], {}
    pairs = [(w, s) for w in lm_weights for s in word_scores]
    # Scored as the Transcriber decodes: letters where no word of the list fits.
    letters = BeamDecoder(transcriber.vocab, beam_size=beam_size)
    for weight, bonus in tqdm(pairs, desc="LM weight x word bonus", disable=not progress):
        decoder = BeamDecoder(
            transcriber.vocab, beam_size=beam_size, lm=lm, lm_weight=weight, word_score=bonus
        )
        hypotheses = [words_or_letters(e, decoder, lambda: letters).text for e in emissions]
        heard[(weight, bonus)] = hypotheses
        grid.append(
            [
                weight,
                bonus,
                100 * cer(references[:n], hypotheses[:n]),
                100 * wer(references[:n], hypotheses[:n]),
                utterance_error(references, hypotheses),
            ]
        )
    weight, bonus, best_cer, best_wer, best_mean = min(grid, key=lambda row: row[4])
    tuned = {
        "lm_weight": weight,
        "word_score": bonus,
        "beam_size": beam_size,
        "utterances": len(items),
        "cer": round(best_cer, 2),
        "wer": round(best_wer, 2),
        "utterance_error": round(best_mean, 2),
        "grid": [[w, s, round(c, 2), round(e, 2), round(m, 2)] for w, s, c, e, m in grid],
    }
    if augmenter:
        hypotheses = heard[(weight, bonus)][n:]
        tuned["augmented"] = {
            "cer": round(100 * cer(references[n:], hypotheses), 2),
            "wer": round(100 * wer(references[n:], hypotheses), 2),
        }
    return tuned


def babble_from(audio: list[np.ndarray]) -> Callable[[np.random.Generator], np.ndarray]:
    """Babble for an :class:`~speech.augment.Augmenter` drawn from ``audio``."""
    return lambda rng: audio[int(rng.integers(len(audio)))]


def validation_augmenter(
    audio: list[np.ndarray], noise_bank: NoiseBank | None, config: AugmentConfig | None = None
) -> Augmenter:
    """The augmenter the validation copies go through: training's augmentations, with babble
    made of the other validation utterances (``speech.train`` and this command build it alike)."""
    return Augmenter(config or AugmentConfig(), noise_bank, babble_from(audio))


def hardened(audio: list[np.ndarray], augmenter: Augmenter) -> list[np.ndarray]:
    """Each waveform as ``augmenter`` makes it, seeded by its position: every model that is
    tuned on the same sample hears the same rooms, lines and noise."""
    return [augmenter(a, np.random.default_rng([20261207, k])) for k, a in enumerate(audio)]


def utterance_error(references: list[str], hypotheses: list[str]) -> float:
    """Mean over utterances of CER + WER (percent), each utterance counting alike.

    An utterance with nothing to say (an empty reference) scores 0 when nothing is heard and 200
    (all letters and all words wrong) when anything is.
    """
    total = 0.0
    for reference, hypothesis in zip(references, hypotheses, strict=True):
        if not reference.strip():
            total += 0.0 if not hypothesis.strip() else 200.0
        else:
            total += 100 * (cer([reference], [hypothesis]) + wer([reference], [hypothesis]))
    return total / len(references)


def write_decoding(model_dir: str | Path, tuned: dict) -> Path:
    """Record ``tuned`` (from :func:`tune_decoding`) as the model's ``decoding.json``."""
    path = Path(model_dir) / DECODING_FILE
    path.write_text(json.dumps(tuned, indent=1) + "\n", encoding="utf-8")
    return path


def validation_items(sources: str | Path | list[str | Path], limit: int) -> list[SpeechItem]:
    """The ``valid`` splits of corpora (all of a corpus without splits, e.g. LibriSpeech's
    dev-clean): the same seeded sample of ``limit`` utterances that :mod:`speech.train` picks its
    model on, when given the corpora it trained on in the same order."""
    sources = sources if isinstance(sources, list) else [sources]
    valid = []
    for source in sources:
        if str(source) == "alsa":
            raise ValueError("the alsa-utils recordings are people's voices: evaluation only")
        items = load_corpus(source)
        splits = {it.split for it in items}
        if "valid" in splits:
            items = [it for it in items if it.split == "valid"]
        elif splits & {"train", "test-seen", "test-unseen"}:
            if len(sources) > 1:
                continue  # e.g. a training-only corpus beside others that hold validation speech
            raise ValueError(f"{source} has no valid split to tune on")
        valid += items
    return seeded_sample(valid, limit)


def add_lm_text(
    model_dir: str | Path, paths: list[str | Path], corpora: list[str | Path], command: str
) -> int:
    """Add the sentences of text files to a model folder's word LM text, less every sentence
    that the validation or test speech of ``corpora`` says, and record ``command`` in its
    ``training.json`` (the card lists it). Returns how many sentences were new."""
    held_out = set()
    for corpus in corpora:
        items = load_corpus(corpus)
        # A corpus without splits (LibriSpeech's dev-clean) is validation speech throughout.
        held_out |= {it.text for it in items if it.split != "train"}
    known = set(read_lm_text(model_dir) or [])
    new = extra_sentences(paths, held_out) - known
    write_lm_text(model_dir, sorted(known | new))
    info = read_info(model_dir)
    info.setdefault("lm_text_added", []).append({"command": command, "sentences": len(new)})
    write_info(model_dir, info)
    return len(new)


def main(argv: list[str] | None = None) -> dict:
    parser = script_parser("speech.tune_lm", __doc__)
    parser.add_argument("--model", required=True, help="model folder (decoding.json goes there)")
    parser.add_argument(
        "--data",
        nargs="+",
        default=["data/tts-en"],
        help="corpora whose valid splits to tune on (those the model trained on, in the same order,"
        " give the sample training chose the model on)",
    )
    parser.add_argument("--limit", type=int, default=300, help="validation utterances to use")
    parser.add_argument(
        "--lm-text",
        nargs="+",
        default=[],
        help="first add these sentences (one a line, from speech.lm_text) to the model's word"
        " LM text, less every sentence the validation or test speech of --data says; then tune"
        " (default: the LM text as it is)",
    )
    parser.add_argument(
        "--conditions",
        choices=("both", "clean"),
        default="both",
        help="both: each utterance also as training's augmentation makes it (rooms, phones,"
        " noise); clean: as synthesized only",
    )
    parser.add_argument(
        "--noise-dir",
        nargs="+",
        help="folders of recorded background sound for the augmented copies (data/noise)",
    )
    parser.add_argument("--beam-size", type=int, default=DEFAULT_BEAM)
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--threads", type=int, default=0, help="CPU threads (0: torch's default)")
    args = parser.parse_args(argv)
    if not Path(args.model).is_dir():
        raise SystemExit(f"--model {args.model}: not a model folder")
    if args.threads:
        torch.set_num_threads(args.threads)
    try:
        items = validation_items(args.data, args.limit)  # refuses human recordings first
        if args.lm_text:
            command = command_line("speech.tune_lm", argv)
            added = add_lm_text(args.model, args.lm_text, args.data, command)
            print(f"{added} sentences added to the word LM text of {args.model}")
        transcriber = Transcriber.from_pretrained(args.model, device=args.device)
        audio = [load_audio(it.path) for it in items]
        augmenter = None
        if args.conditions == "both":
            noise_bank = NoiseBank(args.noise_dir) if args.noise_dir else None
            augmenter = validation_augmenter(audio, noise_bank)
        tuned = tune_decoding(
            transcriber,
            items,
            audio,
            beam_size=args.beam_size,
            augmenter=augmenter,
            progress=True,
        )
    except (ValueError, OSError) as e:
        raise SystemExit(f"cannot tune on {' '.join(args.data)}: {e}") from None
    path = write_decoding(Path(args.model), tuned)
    write_card(args.model)  # the card states the weights
    print(
        f"LM weight {tuned['lm_weight']}, word bonus {tuned['word_score']}: validation CER"
        f" {tuned['cer']:.2f}% WER {tuned['wer']:.2f}% on {tuned['utterances']} utterances"
        + (
            f" (augmented: CER {tuned['augmented']['cer']:.2f}%, WER {tuned['augmented']['wer']:.2f}%)"
            if "augmented" in tuned
            else ""
        )
        + f"; wrote {path}"
    )
    return tuned


if __name__ == "__main__":
    main()
