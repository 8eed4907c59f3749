"""The tutorial baseline a first translation run is measured against.

What the PyTorch seq2seq tutorial ("NLP From Scratch: Translation with a Sequence to
Sequence Network and Attention") builds, from the shared library's pieces: whole words as
tokens (lower-cased, punctuation split off, every training word kept), training pairs of
at most 10 words a side, a one-way GRU encoder and a GRU decoder with Bahdanau attention,
hidden size 128, Adam at 1e-3 with a constant rate, batch 32, plain cross-entropy, greedy
decoding. It trains on the same split as ``translation.train`` (its batches and loss too)
for a given number of minutes.
"""

from __future__ import annotations

import re
from pathlib import Path

import torch
from torch import nn

from shared.cells import make_rnn
from shared.decoder import AttentionRNNDecoder
from shared.decoding import DecodeConfig
from shared.masks import lengths_to_pad_mask
from shared.training import TrainConfig, fit
from shared.vocab import Vocabulary
from translation.data import Pair, collate
from translation.train import make_loss_fn

HIDDEN = 128
MAX_WORDS = 10  # the tutorial's MAX_LENGTH filter on training pairs
MAX_OUTPUT = 60


def words(text: str) -> list[str]:
    """The tutorial's normalisation: lower case, punctuation as words of its own."""
    return re.findall(r"\w+|[^\w\s]", text.lower())


class TutorialSeq2Seq(nn.Module):
    """Word embeddings -> a one-way GRU -> a GRU decoder with additive attention."""

    def __init__(self, src_vocab: int, tgt_vocab: int, hidden: int = HIDDEN) -> None:
        super().__init__()
        self.embed = nn.Embedding(src_vocab, hidden, padding_idx=0)
        self.encoder = make_rnn("gru", hidden, hidden)
        self.decoder = AttentionRNNDecoder(
            tgt_vocab, hidden, hidden, hidden, cell="gru", attention="additive",
            input_feeding=False, deep_output=False,
        )  # fmt: skip

    def encode(self, src: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Word ids (B, S) and lengths (B,) -> memory (B, S, H) and pad mask (B, S)."""
        memory, _ = self.encoder(self.embed(src), lengths)
        return memory, lengths_to_pad_mask(lengths, src.size(1))

    def forward(
        self, src: torch.Tensor, lengths: torch.Tensor, tgt_in: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Logits (B, T, V) and attention (B, T, S), teacher-forced on ``tgt_in`` (B, T)."""
        return self.decoder(tgt_in, *self.encode(src, lengths))


class TutorialTranslator:
    """A trained baseline: ``translate_batch(sources)`` -> texts (words joined by spaces)."""

    def __init__(self, model: TutorialSeq2Seq, src: Vocabulary, tgt: Vocabulary) -> None:
        self.model, self.src, self.tgt = model.eval(), src, tgt

    @torch.no_grad()
    def translate_batch(self, sources: list[str], batch_size: int = 64) -> list[str]:
        out: list[str] = []
        for start in range(0, len(sources), batch_size):
            ids = [self.src.encode(words(s))[:MAX_OUTPUT] or [Vocabulary.unk_id] for s in sources[start : start + batch_size]]  # fmt: skip
            batch = collate([(s, []) for s in ids])
            memory, pad_mask = self.model.encode(batch["src"], batch["src_lengths"])
            hyps = self.model.decoder.generate(
                memory, pad_mask, bos=Vocabulary.bos_id, eos=Vocabulary.eos_id,
                config=DecodeConfig(beam_size=1, max_len=MAX_OUTPUT),
            )  # fmt: skip
            out += [" ".join(self.tgt.decode(h[0].tokens)) for h in hyps]
        return out


def train_tutorial(
    train: list[Pair], minutes: float, out_dir: Path, seed: int = 0
) -> TutorialTranslator:
    """Train the baseline on ``train`` for ``minutes`` (its run folder: ``out_dir``)."""
    pairs = [(words(p.source), words(p.target)) for p in train]
    pairs = [(s, t) for s, t in pairs if 0 < len(s) <= MAX_WORDS and 0 < len(t) <= MAX_WORDS]
    src = Vocabulary.build(s for s, _ in pairs)
    tgt = Vocabulary.build(t for _, t in pairs)
    data = [(src.encode(s), tgt.encode(t)) for s, t in pairs]
    torch.manual_seed(seed)
    model = TutorialSeq2Seq(len(src), len(tgt))
    config = TrainConfig(
        max_steps=10**9, batch_size=32, lr=1e-3, schedule="constant", grad_clip=0.0,
        checkpoint_every=0, log_every=100, amp="off", seed=seed, max_minutes=minutes,
    )  # fmt: skip
    fit(model, data, config=config, out_dir=out_dir, loss_fn=make_loss_fn(0.0), collate_fn=collate, resume=False)  # fmt: skip
    return TutorialTranslator(model, src, tgt)
