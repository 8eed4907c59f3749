"""Choose a speech model's language-model weight and word bonus on its validation speech.

Beam search with the word LM ranks a hypothesis by its acoustic log-probability plus
``lm_weight`` times its LM log-probability plus ``word_score`` per word. The best values depend
on the acoustic model: one that hears well needs less help, and one that hears badly may be led
astray by too much. A grid search on validation speech picks the pair with the lowest CER + WER
(letters and whole words count alike; the network runs once, only the search is repeated) and
records it as ``decoding.json`` in the
model's folder, which :meth:`speech.inference.Transcriber.from_pretrained` reads.
:mod:`speech.train` runs it at the end of training.

Validation speech only: never a test split, never human recordings (they are for evaluation).

Examples:
    python -m speech.tune_lm --model runs/tts-mix/model --data data/tts-mix
    python -m speech.tune_lm --model runs/libri/model --data ~/LibriSpeech/dev-clean --limit 500
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm

from shared.cli import script_parser
from shared.metrics import cer, wer
from speech.audio import SAMPLE_RATE
from speech.card import write_card
from speech.data import SpeechItem, load_corpus
from speech.decoding import BeamDecoder
from speech.inference import DECODING_FILE, DEFAULT_BEAM, Transcriber

LM_WEIGHTS = (0.1, 0.25, 0.5, 0.75, 1.0)
WORD_SCORES = (-1.0, 0.0, 0.5, 1.0, 2.0)


def tune_decoding(
    transcriber: Transcriber,
    items: list[SpeechItem],
    audio: list[np.ndarray] | None = None,
    beam_size: int = DEFAULT_BEAM,
    lm_weights: tuple[float, ...] = LM_WEIGHTS,
    word_scores: tuple[float, ...] = WORD_SCORES,
    progress: bool = False,
) -> dict:
    """Grid-search the LM weight and word bonus of ``transcriber`` on ``items``.

    Args:
        items: validation utterances with their transcripts.
        audio: their waveforms at 16 kHz, when the caller has read them already.

    Returns:
        ``{"lm_weight", "word_score", "beam_size", "utterances", "cer", "wer", "grid"}``:
        the chosen pair (lowest CER + WER), its validation CER and WER (percent), and every pair's
        ``[lm_weight, word_score, cer, wer]``.
    """
    if not items:
        raise ValueError("no validation utterances to tune on")
    inputs = audio if audio is not None else [it.path for it in items]
    # Whole utterances: validation speech is shorter than the Transcriber's chunks.
    emissions = [
        torch.from_numpy(r.emissions)
        for r in transcriber.transcribe_batch(inputs, SAMPLE_RATE, beam_size=1)
    ]
    references = [it.text for it in items]
    lm = transcriber.word_lm()
    grid = []
    pairs = [(w, s) for w in lm_weights for s in word_scores]
    for weight, bonus in tqdm(pairs, desc="LM weight x word bonus", disable=not progress):
        decoder = BeamDecoder(
            transcriber.vocab, beam_size=beam_size, lm=lm, lm_weight=weight, word_score=bonus
        )
        hypotheses = [decoder(e[None], torch.tensor([len(e)]))[0].text for e in emissions]
        grid.append(
            [weight, bonus, 100 * cer(references, hypotheses), 100 * wer(references, hypotheses)]
        )
    weight, bonus, best_cer, best_wer = min(grid, key=lambda row: row[2] + row[3])
    return {
        "lm_weight": weight,
        "word_score": bonus,
        "beam_size": beam_size,
        "utterances": len(items),
        "cer": round(best_cer, 2),
        "wer": round(best_wer, 2),
        "grid": [[w, s, round(c, 2), round(e, 2)] for w, s, c, e in grid],
    }


def write_decoding(model_dir: str | Path, tuned: dict) -> Path:
    """Record ``tuned`` (from :func:`tune_decoding`) as the model's ``decoding.json``."""
    path = Path(model_dir) / DECODING_FILE
    path.write_text(json.dumps(tuned, indent=1) + "\n", encoding="utf-8")
    return path


def validation_items(source: str | Path, limit: int) -> list[SpeechItem]:
    """A corpus's ``valid`` split (all of it when it has no splits, e.g. LibriSpeech's
    dev-clean), first ``limit`` utterances."""
    if str(source) == "alsa":
        raise ValueError("the alsa-utils recordings are people's voices: evaluation only")
    items = load_corpus(source)
    splits = {it.split for it in items}
    if "valid" in splits:
        items = [it for it in items if it.split == "valid"]
    elif splits & {"train", "test-seen", "test-unseen"}:
        raise ValueError(f"{source} has no valid split to tune on")
    return items[:limit]


def main(argv: list[str] | None = None) -> dict:
    parser = script_parser("speech.tune_lm", __doc__)
    parser.add_argument("--model", required=True, help="model folder (decoding.json goes there)")
    parser.add_argument("--data", default="data/tts-en", help="corpus whose valid split to tune on")
    parser.add_argument("--limit", type=int, default=300, help="validation utterances to use")
    parser.add_argument("--beam-size", type=int, default=DEFAULT_BEAM)
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--threads", type=int, default=0, help="CPU threads (0: torch's default)")
    args = parser.parse_args(argv)
    if not Path(args.model).is_dir():
        raise SystemExit(f"--model {args.model}: not a model folder")
    if args.threads:
        torch.set_num_threads(args.threads)
    transcriber = Transcriber.from_pretrained(args.model, device=args.device)
    try:
        items = validation_items(args.data, args.limit)
        tuned = tune_decoding(transcriber, items, beam_size=args.beam_size, progress=True)
    except (ValueError, OSError) as e:
        raise SystemExit(f"cannot tune on {args.data}: {e}") from None
    path = write_decoding(Path(args.model), tuned)
    write_card(args.model)  # the card states the weights
    print(
        f"LM weight {tuned['lm_weight']}, word bonus {tuned['word_score']}: validation CER"
        f" {tuned['cer']:.2f}% WER {tuned['wer']:.2f}% on {tuned['utterances']} utterances;"
        f" wrote {path}"
    )
    return tuned


if __name__ == "__main__":
    main()
