"""Bits a language model needs for a whole split: the measure every figure here is made of.

The split's token stream is read in ``rows`` parallel pieces, each from the zero state and
then with its state carried from chunk to chunk, so every token is predicted from all the
text before it in its piece (a piece's first tokens see less context than they could: the
figure is, if anything, a little pessimistic). ``<doc>`` boundaries are read but never scored:
bits are counted for the characters of the documents only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from textgen.corpora import Document
from textgen.data import token_stream
from textgen.model import detach_state
from textgen.tokenizer import Tokenizer


@torch.no_grad()
def stream_bits(
    lm: nn.Module, stream: np.ndarray, doc_id: int, rows: int = 16, seq_len: int = 256
) -> tuple[float, int]:
    """Total bits for the tokens of ``stream`` other than ``doc_id`` (the first token is
    context only), and how many tokens were scored.

    Args:
        lm: a one-direction model, ``lm(ids (B, T), state) -> (logits (B, T, V), state)``.
        stream: (N,) token ids.
    """
    lm.eval()
    device = next(lm.parameters()).device
    targets_total = len(stream) - 1
    rows = max(1, min(rows, targets_total // max(seq_len, 1) or 1))
    bounds = np.linspace(0, targets_total, rows + 1).astype(int)
    pieces = [stream[bounds[r] : bounds[r + 1] + 1] for r in range(rows)]
    longest = max(len(p) for p in pieces)
    ids = np.full((rows, longest), doc_id, dtype=np.int64)
    valid = np.zeros((rows, longest), dtype=bool)
    for r, piece in enumerate(pieces):
        ids[r, : len(piece)] = piece
        valid[r, 1 : len(piece)] = piece[1:] != doc_id
    ids_t, valid_t = torch.from_numpy(ids).to(device), torch.from_numpy(valid).to(device)
    nats, scored, state = 0.0, 0, None
    for start in range(0, longest - 1, seq_len):
        stop = min(start + seq_len, longest - 1)
        logits, state = lm(ids_t[:, start:stop], state)
        state = detach_state(state)
        loss = nn.functional.cross_entropy(
            logits.float().transpose(1, 2), ids_t[:, start + 1 : stop + 1], reduction="none"
        )
        mask = valid_t[:, start + 1 : stop + 1]
        nats += float(loss[mask].sum())
        scored += int(mask.sum())
    return nats / math.log(2), scored


def bits_per_char(
    lm: nn.Module,
    tokenizer: Tokenizer,
    documents: Sequence[Document],
    max_chars: int = 0,
    reverse: bool = False,
) -> dict[str, float]:
    """Bits per character of ``documents`` (all of them; or the first ``max_chars`` of their
    text, cut at a document boundary or inside the last document). ``reverse`` reads the
    token stream backwards, as the right-to-left model was trained (for subwords, reversed
    tokens are not the tokens of the reversed text).

    Returns:
        ``bits``, ``chars``, ``tokens``, ``bpc`` (bits / chars) and ``perplexity`` (per token).
    """
    docs = list(documents)
    if max_chars:
        kept, total = [], 0
        for doc in docs:
            if total >= max_chars:
                break
            text = doc.text[: max_chars - total]
            kept.append(Document(doc.name, text, doc.split))
            total += len(text)
        docs = kept
    chars = sum(len(d.text) for d in docs)
    if chars == 0:
        raise ValueError("no text to score")
    stream = token_stream(docs, tokenizer)
    bits, tokens = stream_bits(lm, stream[::-1].copy() if reverse else stream, tokenizer.doc_id)
    return {
        "bits": bits, "chars": chars, "tokens": tokens, "bpc": bits / chars,
        "perplexity": 2 ** (bits / max(tokens, 1)),
    }  # fmt: skip
