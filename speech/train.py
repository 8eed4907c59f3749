"""Train a speech recognizer: log-mel features, a strided convolutional front end, bidirectional
GRUs and a CTC head over characters.

By default it learns from the corpus :mod:`speech.synthesize` wrote to ``data/tts-en`` (its
``train`` split; ``valid`` picks the best model; ``test-seen`` and ``test-unseen`` are scored at
the end). ``--data`` also takes LibriSpeech or LJSpeech folders and JSONL/CSV manifests, with
``--valid-data`` for their held-out part.

Examples:
    python -m speech.synthesize --out data/tts-en && python -m speech.train        # the default
    python -m speech.train --max-steps 2 --data /tmp/tiny                             # smoke run
    python -m speech.train --data ~/LibriSpeech/train-clean-100 --valid-data ~/LibriSpeech/dev-clean
"""

from __future__ import annotations

import argparse
import json
import shutil
from dataclasses import asdict
from pathlib import Path

import torch
from torch import nn

from shared.batching import bucketed_batches
from shared.cards import read_info, run_record, write_info
from shared.cli import (
    command_line,
    dataclass_from_args,
    run_folders,
    run_script,
    train_script,
)
from shared.distributed import is_main_process
from shared.pretrained import load_weights, save_pretrained
from shared.training import TrainConfig, fit
from speech.audio import load_audio
from speech.augment import NoiseBank
from speech.card import write_card
from speech.data import (
    SpeechDataset,
    SpeechItem,
    balance_engines,
    collate,
    load_corpora,
    load_corpus,
    seeded_sample,
    voices_by_engine,
)
from speech.evaluate import score, test_sets
from speech.features import SpecAugment
from speech.inference import (
    DECODING_FILE,
    LM_FILE,
    PLAIN_LM_FILE,
    TOKENS_FILE,
    Transcriber,
    write_lm_text,
)
from speech.lm_text import extra_sentences
from speech.model import FORMAT_VERSION, MODEL_TYPE, CTCModel, SpeechConfig, start_from
from speech.synthesize import TRAIN_TEXT
from speech.text import CharVocabulary
from speech.tune_lm import tune_decoding, validation_augmenter, write_decoding

TRAIN_DEFAULTS = dict(
    max_steps=20000,
    batch_size=32,
    lr=1e-3,
    warmup_steps=500,
    eval_every=1000,
    checkpoint_every=500,
    log_every=50,
)


def build_parser() -> argparse.ArgumentParser:
    script = train_script(
        "speech.train",
        __doc__,
        model_config=SpeechConfig,
        train_config=TrainConfig,
        train_defaults=TRAIN_DEFAULTS,
        out="runs/tts-en",
        skip=("vocab_size",),
    )
    data, run = script.data, script.run
    data.add_argument(
        "--data",
        nargs="+",
        default=["data/tts-en"],
        help="corpus folders or manifests (default: data/tts-en, from speech.synthesize)",
    )
    data.add_argument(
        "--valid-data", help="held-out corpus for model selection (default: the 'valid' split)"
    )
    data.add_argument(
        "--max-seconds", type=float, default=16.0, help="skip longer training utterances"
    )
    data.add_argument(
        "--valid-utterances", type=int, default=300, help="validation utterances per evaluation"
    )
    data.add_argument(
        "--balance-engines",
        action="store_true",
        help="repeat each synthesizer's training utterances up to the largest one's count, so"
        " that every engine weighs the same however big its corpora (default: off; each"
        " utterance once)",
    )
    data.add_argument(
        "--augment",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="speech.augment's voices, rooms, microphones, telephone lines, codecs, noise and"
        " babble, plus SpecAugment (default: on)",
    )
    data.add_argument(
        "--lm-text",
        nargs="*",
        default=[],
        help="more text for the word language model, one sentence a line (say, from"
        " speech.lm_text); default: the corpus's training sentences only",
    )
    data.add_argument(
        "--noise-dir",
        nargs="*",
        default=[],
        help="folders of recorded background sound (any audio files) mixed in by the"
        " augmentation (default: none; coloured noise only)",
    )
    data.add_argument(
        "--no-speech-share",
        type=float,
        default=0.0,
        help="examples of background sound or noise alone, with an empty transcript, per"
        " training utterance, so that noise is transcribed as nothing (default: 0; the"
        " shipped model's last run: 0.05; needs --augment)",
    )
    run.add_argument(
        "--init",
        help="start from this model folder's weights (its architecture must match the flags)",
    )
    run.add_argument("--test-limit", type=int, default=500, help="test utterances per set")
    return script.parser


def ctc_loss(model: nn.Module, batch: dict[str, torch.Tensor]):
    log_probs, frames = model(batch["waveforms"], batch["lengths"])
    losses = nn.functional.ctc_loss(
        log_probs.transpose(0, 1),  # (T, B, V)
        batch["targets"],
        frames,
        batch["target_lengths"],
        blank=0,
        reduction="none",
        zero_infinity=True,  # an utterance too fast for its frames adds nothing, not inf
    )
    return (losses / ctc_divisors(frames, batch["target_lengths"])).mean(), {}


def ctc_divisors(frames: torch.Tensor, target_lengths: torch.Tensor) -> torch.Tensor:
    """What each example's CTC loss is divided by, (B,) from (B,) frame and target lengths.

    An utterance's loss is divided by its length in characters, as CTC's ``mean`` does. A
    clip with nothing to say (an empty transcript) would be divided by 1, so its every frame
    would weigh as much as a whole character of speech: a 150-frame noise clip then counts
    like an utterance of 150 characters, and the recognizer learns that silence is safer than
    words. It is divided instead by the characters speech of its length would hold, at the
    batch's own rate (characters per frame of its spoken examples)."""
    spoken = target_lengths > 0
    if spoken.any():
        rate = target_lengths[spoken].sum() / frames[spoken].sum().clamp(min=1)
    else:
        # A batch of silence alone: about 4 frames a character.
        rate = torch.tensor(0.25, device=frames.device)
    silent_length = frames.to(rate.dtype) * rate
    return torch.where(spoken, target_lengths.to(rate.dtype), silent_length).clamp(min=1)


def corpus_command(source: str | Path) -> str | None:
    """The ``speech.synthesize`` command that made a corpus folder (None: not one it made)."""
    corpus = Path(source) / "corpus.json"
    if not corpus.is_file():
        return None
    recorded = json.loads(corpus.read_text(encoding="utf-8"))["command"]
    argv = []
    for key, value in recorded.items():
        argv += [
            f"--{key.replace('_', '-')}",
            *map(str, value if isinstance(value, list) else [value]),
        ]
    return command_line("speech.synthesize", argv)


def split_items(args) -> tuple[list[SpeechItem], list[SpeechItem], list[SpeechItem]]:
    """Training, validation and test utterances from the corpora given."""
    items = load_corpora(args.data)
    has_splits = any(it.split for it in items)
    train = [it for it in items if it.split in ("train", "")] if has_splits else items
    if args.valid_data:
        valid = load_corpus(args.valid_data)
    else:
        valid = [it for it in items if it.split == "valid"]
    tests = [it for it in items if it.split.startswith("test")]
    if args.max_seconds:
        train = [it for it in train if not it.seconds or it.seconds <= args.max_seconds]
    if args.balance_engines:
        train = balance_engines(train, args.seed)
    if not train or not valid:
        raise SystemExit(
            "need training and validation utterances: a corpus with 'valid' records"
            " (speech.synthesize) or --valid-data"
        )
    return train, valid, tests


def main(argv: list[str] | None = None) -> Path:
    args = build_parser().parse_args(argv)
    out, export = run_folders(args)
    train_items, valid_items, test_items = split_items(args)
    vocab = CharVocabulary()
    config = dataclass_from_args(SpeechConfig, args)
    config.vocab_size = len(vocab)
    train_config = dataclass_from_args(TrainConfig, args)
    torch.manual_seed(train_config.seed)
    model = CTCModel(config)
    if args.init:
        start_from(model, args.init)
    if not args.augment:
        model.spec_augment = SpecAugment(freq_masks=0, time_masks=0)
    n_params = sum(p.numel() for p in model.parameters())
    noise_bank = NoiseBank(args.noise_dir) if args.augment and args.noise_dir else None
    dataset = SpeechDataset(
        train_items,
        vocab,
        augment=args.augment,
        noise_bank=noise_bank,
        no_speech_share=args.no_speech_share if args.augment else 0.0,
    )
    # The word language model's text ships with the model: the training transcripts, plus
    # the corpus's other training-split sentences where it lists them (never valid or test).
    lm_text = {it.text for it in dataset.items}
    for source in args.data:
        extra = Path(source) / TRAIN_TEXT
        if extra.is_file():
            lm_text |= set(extra.read_text(encoding="utf-8").split("\n")) - {""}
    # Everyday English (speech.lm_text), less any sentence the held-out speech says: the corpus
    # may speak the same text, and the LM must not know the test's sentences.
    lm_text |= extra_sentences(args.lm_text, {it.text for it in valid_items + test_items})
    lm_text = sorted(lm_text)
    if is_main_process():
        distinct = {it.path: it.seconds for it in train_items}
        hours = sum(distinct.values()) / 3600
        print(
            f"{len(dataset)} training examples ({len(distinct)} distinct utterances, {hours:.1f} h),"
            f" {len(valid_items)} validation;"
            f" model {n_params / 1e6:.2f} M parameters",
            flush=True,
        )
    valid_sample = seeded_sample(valid_items, args.valid_utterances)
    valid_audio = [load_audio(it.path) for it in valid_sample]

    def evaluate(m: nn.Module) -> dict[str, float]:
        transcriber = Transcriber(m, vocab, device=next(m.parameters()).device)
        result = score(transcriber, valid_sample, batch_size=32, audio=valid_audio)
        return {"cer": result["cer"], "wer": result["wer"]}

    compressed_lm: list[Path] = []  # xz takes half a minute on 20 MB of text: once a command

    def export_model(m: nn.Module, metrics: dict[str, float]) -> None:
        save_pretrained(
            m,
            export,
            config,
            model_type=MODEL_TYPE,
            format_version=FORMAT_VERSION,
            dtype=torch.float16,
        )
        (export / TOKENS_FILE).write_text(json.dumps(vocab.tokens) + "\n", encoding="utf-8")
        if not compressed_lm:
            compressed_lm.append(write_lm_text(out, lm_text))
        shutil.copy(compressed_lm[0], export / LM_FILE)
        (export / PLAIN_LM_FILE).unlink(missing_ok=True)  # an older export's, now unused
        # LM weights tuned for earlier weights do not hold for these: tuned again at the end.
        (export / DECODING_FILE).unlink(missing_ok=True)

    # Similar durations share a batch: less padding, and CTC sees whole utterances.
    lengths = dataset.seconds()
    result = fit(
        model,
        dataset,
        config=train_config,
        out_dir=out,
        loss_fn=ctc_loss,
        collate_fn=collate,
        evaluate=evaluate,
        select="cer",
        mode="min",
        on_best=export_model,
        batch_plan=lambda epoch, g: bucketed_batches(lengths, train_config.batch_size, g),
    )
    if not is_main_process():
        return export

    device = "cuda" if torch.cuda.is_available() else "cpu"
    best = Transcriber(
        load_weights(CTCModel(config), export), vocab, device=device, lm_sentences=lm_text
    )
    # The LM weight and word bonus that suit this acoustic model, chosen on validation speech.
    # Heard as training's augmentation makes it too, as `speech.tune_lm` does (same noise).
    augmenter = dataset.augmenter and validation_augmenter(
        valid_audio, noise_bank, dataset.augmenter.config
    )
    tuned = tune_decoding(best, valid_sample, valid_audio, augmenter=augmenter, progress=True)
    write_decoding(export, tuned)
    best.lm_weight, best.word_score = tuned["lm_weight"], tuned["word_score"]
    figures = []
    decodings = {"greedy": dict(beam_size=1, language_model=False), "beam + LM": {}}
    for name, subset in test_sets(test_items, args.test_limit).items() if test_items else []:
        row = {"set": name, "utterances": len(subset)}
        for decoding, options in decodings.items():
            measured = score(best, subset, progress=True, **options)
            row[decoding] = {"wer": round(measured["wer"], 2), "cer": round(measured["cer"], 2)}
        figures.append(row)
    valid = evaluate(best.model)
    valid_row = {
        "set": "valid (used to pick the model and its LM weights)",
        "utterances": len(valid_sample),
        "greedy": {"wer": round(valid["wer"], 2), "cer": round(valid["cer"], 2)},
        "beam + LM": {"wer": tuned["wer"], "cer": tuned["cer"]},
    }
    figures.append(valid_row)
    if "augmented" in tuned:
        figures.append(
            {
                "set": "valid through rooms, phones and noise (used to pick the LM weights)",
                "utterances": len(valid_sample),
                "beam + LM": tuned["augmented"],
            }
        )
    data = {"sources": args.data}
    # How each synthesized corpus was made (LibriSpeech and manifests record nothing).
    commands = [corpus_command(source) for source in args.data]
    if any(commands):
        data["corpus_commands"] = [c for c in commands if c]
    data["voices"] = {
        "training": voices_by_engine(train_items),
        "held out": voices_by_engine([it for it in test_items if it.split == "test-unseen"]),
    }
    # What the dataset's augmenter really applied (None: no augmentation).
    augmenter = dataset.augmenter
    augmentation = augmenter and {
        **asdict(augmenter.config),
        "recorded_noise": args.noise_dir,
        "no_speech_share": dataset.no_speech / len(dataset.items),
    }
    run = run_record(
        command_line("speech.train", argv),
        result.step,
        result.best_step,
        result.seconds,
        batch_size=train_config.batch_size,
        augmentation=augmentation,
        # Each run keeps its own corpora's commands: a later run may rebuild a folder of the
        # same name differently, and the card must still say what every run heard.
        corpus_commands=data.get("corpus_commands"),
    )
    # A continued model's card lists the runs behind the model it started from first.
    history = read_info(args.init).get("history", []) if args.init else []
    write_info(export, {"data": data, "history": [*history, run], "figures": figures})
    write_card(export)
    print(json.dumps(figures))
    print(f"exported {export}")
    return export


if __name__ == "__main__":
    run_script(main)
