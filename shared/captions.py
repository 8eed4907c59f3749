"""Captions as words, and how captions are scored: what captioning and video share."""

from __future__ import annotations

import re

import torch

from shared.metrics import bleu, cider_d
from shared.vocab import Vocabulary

_WORD = re.compile(r"[\w']+|[^\w\s]")


def tokenize(caption: str) -> list[str]:
    """Lower-cased words and punctuation marks."""
    return _WORD.findall(caption.lower())


def detokenize(words: list[str]) -> str:
    """Words back to a sentence: no space before punctuation."""
    return re.sub(r" ([,.;:!?])", r"\1", " ".join(words))


def teacher_forcing(captions: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    """Decoder inputs (<bos> + words) and outputs (words + <eos>), padded with 0: (B, L+1)."""
    longest = max(len(ids) for ids in captions) + 1
    tokens_in = torch.zeros(len(captions), longest, dtype=torch.long)
    tokens_out = torch.zeros(len(captions), longest, dtype=torch.long)
    for row, ids in enumerate(captions):
        tokens_in[row, : len(ids) + 1] = torch.tensor([Vocabulary.bos_id, *ids])
        tokens_out[row, : len(ids) + 1] = torch.tensor([*ids, Vocabulary.eos_id])
    return tokens_in, tokens_out


def caption_metrics(hypotheses: list[str], references: list[list[str]]) -> dict[str, float]:
    """BLEU-1..4 (0-1, sacreBLEU, lower-cased) and CIDEr-D."""
    out = {
        f"bleu{n}": bleu(hypotheses, references, max_ngram_order=n, lowercase=True).score / 100
        for n in range(1, 5)
    }
    out["cider"] = cider_d(hypotheses, references)
    return out
