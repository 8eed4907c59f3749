"""Measure a text model on its corpus's held-out documents, beside the baselines it must beat.

For each split: the model's bits per character (every character of the raw text counted)
and perplexity per token; in the same run, on the same text, an interpolated Kneser-Ney
character n-gram counted on the training documents and ``xz -9e`` given the training text
(the bytes xz adds for each document after the training text, per character), and any other
model folders given with ``--compare`` (say, the same recipe with a plain RNN cell). Last,
a sample-quality proxy: the share of words in generated text that a dictionary (Debian's
``wamerican``) knows, beside the same share for the test text itself.

Examples:
    python -m textgen.evaluate                          # the shipped Shakespeare model
    python -m textgen.evaluate --model english
    python -m textgen.evaluate --compare runs/textgen-shakespeare-rnn/model --record
"""

from __future__ import annotations

import lzma
import re
import time
from pathlib import Path

import numpy as np
import torch

from shared.cards import read_info, record_evaluation
from shared.cli import command_line, run_script, script_parser
from shared.pretrained import resolve_model_dir
from textgen.card import render_card
from textgen.corpora import Document, by_split
from textgen.data import load_corpus, token_stream
from textgen.fetch import DEFAULT_CACHE, word_list
from textgen.inference import PRETRAINED_DIR, TextGenerator
from textgen.ngram import KneserNeyLM
from textgen.scoring import bits_per_char
from textgen.tokenizer import CharTokenizer

XZ_MAX_PIECES = 20
WORDS = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)*")


def xz_size(text: str) -> int:
    """Bytes of ``text`` (UTF-8) after ``xz -9e``."""
    return len(lzma.compress(text.encode("utf-8"), preset=9 | lzma.PRESET_EXTREME))


def xz_bits_per_char(context: str, text: str, context_size: int | None = None) -> float:
    """Bits per character ``xz -9e`` needs for ``text`` once it has read ``context``
    (``context_size``: ``xz_size(context)``, when already known)."""
    before = xz_size(context) if context_size is None else context_size
    return (xz_size(context + text) - before) * 8 / len(text)


class KneserNeyBaseline:
    """An order-``order`` Kneser-Ney character n-gram counted once on ``train``, scoring
    held-out documents with the same ``<doc>`` boundaries as the model's stream."""

    def __init__(self, train: list[Document], order: int) -> None:
        self.tokenizer = CharTokenizer.train(d.text for d in train)
        self.lm = KneserNeyLM(order, self.tokenizer.vocab_size).fit(
            token_stream(train, self.tokenizer)
        )

    def bpc(self, held_out: list[Document]) -> float:
        stream = token_stream(held_out, self.tokenizer)
        log_probs = self.lm.log_probs(stream[1:], stream[:1])
        scored = stream[1:] != self.tokenizer.doc_id
        return float(-log_probs[scored].sum() / np.log(2) / sum(len(d.text) for d in held_out))


def word_share(text: str, words: set[str]) -> float:
    """Share of the words of ``text`` (runs of letters) found in ``words`` (lowercased)."""
    found = [w.lower() in words for w in WORDS.findall(text)]
    return float(np.mean(found)) if found else float("nan")


def load_words(path: Path) -> set[str]:
    return {
        w.strip().lower()
        for w in path.read_text(encoding="utf-8", errors="replace").split("\n")
        if w.strip()
    }


def evaluate(args) -> dict:
    generator = TextGenerator.from_pretrained(args.model)
    corpus = args.corpus or read_info(_model_dir(args.model)).get("data", {}).get(
        "corpus", "shakespeare"
    )
    splits = by_split(load_corpus(corpus, args.cache))
    others = {str(p): TextGenerator.from_pretrained(p) for p in args.compare}
    figures: dict = {"corpus": corpus, "splits": {}}
    train_text = "".join(d.text for d in splits["train"])
    train_xz, baseline = None, None
    for split in args.splits:
        docs = splits[split]
        if not docs:
            continue
        limit = args.train_chars if split == "train" else 0
        started = time.perf_counter()
        model = bits_per_char(generator.model.forward_lm, generator.tokenizer, docs, limit)
        row = {
            "chars": model["chars"], "bpc": model["bpc"], "perplexity": model["perplexity"],
            "tokens": model["tokens"], "seconds": time.perf_counter() - started,
        }  # fmt: skip
        if generator.has_backward:
            row["backward_bpc"] = bits_per_char(
                generator.model.backward_lm, generator.tokenizer, docs, limit, reverse=True
            )["bpc"]
        for name, other in others.items():
            row.setdefault("compare", {})[name] = bits_per_char(
                other.model.forward_lm, other.tokenizer, docs, limit
            )["bpc"]
        if split != "train":
            baseline = baseline or KneserNeyBaseline(splits["train"], args.order)
            row["kneser_ney_bpc"] = baseline.bpc(docs)
            # Each document on its own after the training text, as the model reads it from
            # <doc>: xz may not copy from another version of the same play in the split.
            # (Splits of thousands of short documents go in one piece.)
            train_xz = train_xz or xz_size(train_text)
            pieces = (
                [d.text for d in docs]
                if len(docs) <= XZ_MAX_PIECES
                else ["".join(d.text for d in docs)]
            )
            row["xz_bpc"] = sum(
                xz_bits_per_char(train_text, piece, train_xz) * len(piece) for piece in pieces
            ) / sum(len(piece) for piece in pieces)
        figures["splits"][split] = row
        print(_line(split, row), flush=True)
    if args.samples:
        words = load_words(word_list(args.cache))
        samples = [
            generator.generate("", args.sample_chars, temperature=0.8, seed=s)
            for s in range(args.samples)
        ]
        test_text = "".join(d.text for d in splits["test"])
        figures["word_share"] = {
            "samples": word_share("\n".join(samples), words), "test_text": word_share(test_text, words),
            "n_samples": args.samples, "tokens_each": args.sample_chars, "temperature": 0.8,
        }  # fmt: skip
        print(
            f"dictionary words: {figures['word_share']['samples']:.1%} of generated words,"
            f" {figures['word_share']['test_text']:.1%} of the test text's"
        )
    figures["kneser_ney_order"] = args.order
    return figures


def _line(split: str, row: dict) -> str:
    parts = [
        f"{split}: {row['chars']} chars, model {row['bpc']:.3f} bpc (perplexity {row['perplexity']:.2f}/token)"
    ]
    if "backward_bpc" in row:
        parts.append(f"backward {row['backward_bpc']:.3f}")
    for name, bpc in row.get("compare", {}).items():
        parts.append(f"{name} {bpc:.3f}")
    if "kneser_ney_bpc" in row:
        parts.append(f"Kneser-Ney {row['kneser_ney_bpc']:.3f}, xz -9e {row['xz_bpc']:.3f}")
    return "; ".join(parts)


def _model_dir(name: str) -> Path:
    return resolve_model_dir(name, PRETRAINED_DIR)


def main(argv: list[str] | None = None) -> dict:
    parser = script_parser("textgen.evaluate", __doc__)
    parser.add_argument(
        "--model",
        default="shakespeare",
        help="a shipped model or a model folder (default: shakespeare)",
    )
    parser.add_argument("--corpus", default=None, help="default: the corpus the model trained on")
    parser.add_argument(
        "--cache", type=Path, default=DEFAULT_CACHE, help=f"(default: {DEFAULT_CACHE})"
    )
    parser.add_argument(
        "--splits",
        nargs="+",
        default=["train", "valid", "test"],
        choices=("train", "valid", "test"),
    )
    parser.add_argument(
        "--train-chars",
        type=int,
        default=500_000,
        help="characters of the train split scored (default: 500000)",
    )
    parser.add_argument(
        "--compare", nargs="*", default=[], help="other model folders scored on the same text"
    )
    parser.add_argument("--order", type=int, default=7, help="Kneser-Ney n-gram order (default: 7)")
    parser.add_argument(
        "--samples",
        type=int,
        default=10,
        help="generated samples for the dictionary-word share (default: 10)",
    )
    parser.add_argument(
        "--sample-chars", type=int, default=500, help="tokens per sample (default: 500)"
    )
    parser.add_argument(
        "--threads", type=int, default=0, help="CPU threads (default: torch's choice)"
    )
    parser.add_argument(
        "--record",
        action="store_true",
        help="store the figures in the model's training.json and card",
    )
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    figures = evaluate(args)
    if args.record:
        command = command_line("textgen.evaluate", argv)
        record_evaluation(
            _model_dir(args.model),
            {"data": figures["corpus"], "command": command, **figures},
            render_card,
        )
    return figures


if __name__ == "__main__":
    run_script(main)
