"""Fill in the blank, as the explainer describes: "given what comes before and after".

A candidate fill makes a whole sentence; the left-to-right model scores that sentence
reading forwards, the right-to-left model reading it backwards, and the fill's score is the
mean of the two log-probabilities (both estimate the same sentence's probability, each
with what the other cannot see first). Without candidates, a beam over the left-to-right
model proposes word-like fills (runs of letters, digits, apostrophes, hyphens), and both
directions rank them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch
from torch import nn

from textgen.model import stack_states, state_rows

if TYPE_CHECKING:
    from textgen.inference import TextGenerator

BLANK = re.compile(r"_{3,}")
WORD = re.compile(r"[\w'-]+")
BEAM_WIDTH = 16
MAX_FILL_TOKENS = 24
MAX_CANDIDATES = 200


@dataclass
class Fill:
    """One way to fill the blank: the fill, the bits the whole sentence costs with it, and
    its probability among the fills ranked (softmax of the scores)."""

    text: str
    bits: float
    probability: float


def split_blank(text: str) -> tuple[str, str]:
    """The text before and after the one blank (``___``) in ``text``."""
    blanks = BLANK.findall(text)
    if len(blanks) != 1:
        raise ValueError(
            f"the text must hold exactly one blank (three or more underscores, ___); found {len(blanks)}"
        )
    left, right = BLANK.split(text)
    return left, right


@torch.no_grad()
def sentence_log_probs(lm: nn.Module, doc_id: int, token_lists: list[list[int]]) -> list[float]:
    """Natural-log probability of each token list, read from the start-of-text state, in one
    padded batch (a causal model: padding after a sequence cannot change it)."""
    device = next(lm.parameters()).device
    longest = max(len(t) for t in token_lists)
    ids = torch.full((len(token_lists), longest + 1), doc_id, dtype=torch.long, device=device)
    for row, tokens in enumerate(token_lists):
        ids[row, 1 : len(tokens) + 1] = torch.tensor(tokens, dtype=torch.long)
    logits, _ = lm(ids[:, :-1])
    chosen = logits.float().log_softmax(-1).gather(-1, ids[:, 1:, None]).squeeze(-1)
    lengths = torch.tensor([len(t) for t in token_lists], device=device)
    mask = torch.arange(longest, device=device)[None] < lengths[:, None]
    return (chosen * mask).sum(-1).tolist()


def rank(generator: TextGenerator, left: str, right: str, fills: list[str]) -> list[Fill]:
    """Score ``left + fill + right`` for every fill from both directions; best first."""
    tokenizer, model = generator.tokenizer, generator.model
    encoded = [tokenizer.encode(left + fill + right) for fill in fills]
    scores = []
    for start in range(0, len(encoded), 64):
        part = encoded[start : start + 64]
        forward = sentence_log_probs(model.forward_lm, tokenizer.doc_id, part)
        if model.backward_lm is not None:
            backward = sentence_log_probs(
                model.backward_lm, tokenizer.doc_id, [ids[::-1] for ids in part]
            )
            forward = [(f + b) / 2 for f, b in zip(forward, backward, strict=True)]
        scores.extend(forward)
    top = max(scores)
    weights = [math.exp(s - top) for s in scores]
    total = sum(weights)
    ranked = [
        Fill(fill, -score / math.log(2), weight / total)
        for fill, score, weight in zip(fills, scores, weights, strict=False)
    ]
    return sorted(ranked, key=lambda f: f.bits)


@torch.no_grad()
def propose(generator: TextGenerator, left: str) -> list[str]:
    """Word-like fills the left-to-right model finds likely after ``left`` (a beam over its
    tokens; every word prefix the beam passes through is a candidate).

    The model reads ``left`` without its trailing spaces and must write them itself: a
    subword model writes " time" as one token after "What", and a lone space token before
    it is a split it rarely saw in training."""
    tokenizer, lm = generator.tokenizer, generator.model.forward_lm
    context = left.rstrip()
    gap = left[len(context) :]
    log_probs, state = generator.read(tokenizer.encode(context))
    beams = [([], 0.0, state, log_probs[-1])]
    found: dict[str, float] = {}
    for _ in range(MAX_FILL_TOKENS):
        expansions = []
        for ids, score, beam_state, last in beams:
            top = torch.topk(last, min(BEAM_WIDTH, last.numel()))
            for lp, token in zip(top.values.tolist(), top.indices.tolist(), strict=False):
                text = tokenizer.decode([*ids, token])
                word = text[len(gap) :]
                if not text.startswith(gap) or (word and not WORD.fullmatch(word)):
                    continue
                expansions.append(([*ids, token], score + lp, beam_state))
                if word:
                    found[word] = max(found.get(word, -math.inf), score + lp)
        if not expansions:
            break
        expansions.sort(key=lambda e: -e[1])
        expansions = expansions[:BEAM_WIDTH]
        tokens = torch.tensor([[e[0][-1]] for e in expansions], device=generator.device)
        state = stack_states([e[2] for e in expansions])
        out, state = lm(tokens, state)
        nexts = out[:, -1].float().log_softmax(-1)
        beams = [
            (ids, score, state_rows(state, slice(row, row + 1)), nexts[row])
            for row, (ids, score, _) in enumerate(expansions)
        ]
    return sorted(found, key=lambda t: -found[t])[:MAX_CANDIDATES]


def fill_blank(
    generator: TextGenerator, text: str, candidates: list[str] | None, k: int
) -> list[Fill]:
    """See :meth:`textgen.inference.TextGenerator.fill_blank`."""
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    left, right = split_blank(text)
    if candidates is not None:
        fills = list(dict.fromkeys(str(c) for c in candidates))
        if not fills:
            raise ValueError("candidates is empty: give some fills, or None to have them proposed")
    else:
        fills = propose(generator, left)
        if not fills:
            raise ValueError("the model proposed no word for this blank; give candidates")
    return rank(generator, left, right, fills)[:k]
