"""A toy sequence task for training tests: reverse a sequence of 8-12 random symbols.

A bidirectional GRU encoder and the shared AttentionRNNDecoder learn it; attention has to
find, for each output position, the mirrored input position.
"""

from __future__ import annotations

import torch
from torch import nn

from shared.cells import make_rnn
from shared.decoder import AttentionRNNDecoder
from shared.decoding import DecodeConfig
from shared.masks import lengths_to_pad_mask
from shared.vocab import Vocabulary

SYMBOLS = 10
VOCAB = Vocabulary(str(i) for i in range(SYMBOLS))
FIRST = len(VOCAB) - SYMBOLS  # id of the first ordinary symbol


def make_examples(count: int, seed: int, min_len: int = 8, max_len: int = 12) -> list[list[int]]:
    g = torch.Generator().manual_seed(seed)
    lengths = torch.randint(min_len, max_len + 1, (count,), generator=g).tolist()
    return [torch.randint(FIRST, len(VOCAB), (n,), generator=g).tolist() for n in lengths]


def collate(examples: list[list[int]]) -> dict[str, torch.Tensor]:
    """Source ids, decoder inputs (<bos> + reversed) and targets (reversed + <eos>)."""
    batch, longest = len(examples), max(len(e) for e in examples)
    src = torch.zeros(batch, longest, dtype=torch.long)
    dec_in = torch.zeros(batch, longest + 1, dtype=torch.long)
    target = torch.zeros(batch, longest + 1, dtype=torch.long)
    for i, seq in enumerate(examples):
        rev = seq[::-1]
        src[i, : len(seq)] = torch.tensor(seq)
        dec_in[i, : len(seq) + 1] = torch.tensor([VOCAB.bos_id, *rev])
        target[i, : len(seq) + 1] = torch.tensor([*rev, VOCAB.eos_id])
    lengths = torch.tensor([len(e) for e in examples])
    return {"src": src, "src_lengths": lengths, "dec_in": dec_in, "target": target}


class Reverser(nn.Module):
    def __init__(
        self,
        hidden: int = 32,
        cell: str = "gru",
        attention: str = "general",
        input_feeding: bool = False,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.embed = nn.Embedding(len(VOCAB), hidden, padding_idx=0)
        self.encoder = make_rnn(cell, hidden, hidden, bidirectional=True)
        self.decoder = AttentionRNNDecoder(
            len(VOCAB),
            hidden,
            hidden,
            2 * hidden,
            cell=cell,
            attention=attention,
            input_feeding=input_feeding,
            dropout=dropout,
        )

    def encode(self, src: torch.Tensor, lengths: torch.Tensor):
        memory, _ = self.encoder(self.embed(src), lengths)
        return memory, lengths_to_pad_mask(lengths, src.size(1))

    def forward(self, src, src_lengths, dec_in):
        memory, pad_mask = self.encode(src, src_lengths)
        return self.decoder(dec_in, memory, pad_mask)


def loss_fn(model: nn.Module, batch: dict[str, torch.Tensor]):
    logits, _ = model(batch["src"], batch["src_lengths"], batch["dec_in"])
    loss = nn.functional.cross_entropy(
        logits.reshape(-1, logits.size(-1)), batch["target"].reshape(-1), ignore_index=0
    )
    return loss, {}


@torch.no_grad()
def token_accuracy(model: Reverser, examples: list[list[int]], beam_size: int = 1) -> float:
    """Share of positions where the decoded sequence has the reversed input's symbol."""
    model.eval()
    batch = collate(examples)
    memory, pad_mask = model.encode(batch["src"], batch["src_lengths"])
    config = DecodeConfig(beam_size=beam_size, max_len=14)
    hyps = model.decoder.generate(
        memory, pad_mask, bos=VOCAB.bos_id, eos=VOCAB.eos_id, config=config
    )
    right = total = 0
    for seq, nbest in zip(examples, hyps, strict=True):
        out = nbest[0].tokens
        for i, symbol in enumerate(seq[::-1]):
            right += int(i < len(out) and out[i] == symbol)
        total += len(seq)
    return right / total
