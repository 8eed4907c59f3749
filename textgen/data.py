"""Text as a stream for truncated backpropagation through time.

The documents of a split are joined into one token stream, each preceded by ``<doc>`` (and
one closing ``<doc>``), then laid out as ``batch_size`` parallel streams (rows) cut into
chunks of ``seq_len``. Batch ``j`` holds chunk ``j`` of every row, so the hidden state a
row ends one batch with is exactly the state its next chunk starts from: the model reads a
stream of text, not padded sentences. The reversed stream, laid out the same way, trains
the right-to-left model.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from textgen import corpora, fetch
from textgen.corpora import Document
from textgen.tokenizer import Tokenizer

CORPORA = ("shakespeare", "english", "bible")


def load_corpus(name: str, cache: Path = fetch.DEFAULT_CACHE) -> list[Document]:
    """The documents of a named corpus (fetched into ``cache`` the first time), or of any
    text file or folder.

    - ``shakespeare``: the plays and poems (test: Hamlet, The Tempest, the Sonnets; valid:
      Macbeth).
    - ``english``: modern English prose: Debian package descriptions and fortunes.
    - ``bible``: the King James Bible, split by book.
    """
    if name == "shakespeare":
        return corpora.shakespeare(fetch.shakespeare_archive(cache))
    if name == "english":
        return corpora.package_descriptions(fetch.description_lists(cache)) + corpora.fortunes(
            fetch.fortune_debs(cache)
        )
    if name == "bible":
        return corpora.bible_kjv(fetch.bible_debs(cache))
    if Path(name).exists():
        return corpora.text_files(Path(name))
    raise ValueError(
        f"unknown corpus {name!r}: choose {' or '.join(CORPORA)}, or give a text file or folder"
    )


def token_stream(documents: Sequence[Document], tokenizer: Tokenizer) -> np.ndarray:
    """``<doc> d1 <doc> d2 ... <doc>`` as token ids, int32 (the closing ``<doc>`` makes the
    reversed stream open each document with one too)."""
    parts = []
    for doc in documents:
        parts.append([tokenizer.doc_id])
        parts.append(tokenizer.encode(doc.text))
    parts.append([tokenizer.doc_id])
    return np.fromiter((i for part in parts for i in part), dtype=np.int32)


class StreamChunks:
    """``batch_size`` rows of one stream cut into chunks: item ``j * batch_size + b`` is chunk
    ``j`` of row ``b``; :meth:`plan` yields the batches in stream order.

    Each item is a dict: ``inputs`` (seq_len,), ``targets`` (seq_len,) (the next tokens),
    the same two for the reversed stream, and ``chunk`` (its index in the row).
    """

    def __init__(self, stream: np.ndarray, batch_size: int, seq_len: int) -> None:
        usable = (len(stream) - 1) // batch_size  # tokens per row with a next token
        self.chunks = usable // seq_len
        if self.chunks < 1:
            raise ValueError(
                f"{len(stream)} tokens are too few for {batch_size} rows of {seq_len} tokens:"
                " lower --batch-size or --seq-len, or give more text"
            )
        self.batch_size, self.seq_len = batch_size, seq_len
        span = self.chunks * seq_len + 1
        self.rows = np.stack([stream[b * usable : b * usable + span] for b in range(batch_size)])
        reversed_stream = stream[::-1]
        self.reversed_rows = np.stack(
            [reversed_stream[b * usable : b * usable + span] for b in range(batch_size)]
        )

    def __len__(self) -> int:
        return self.chunks * self.batch_size

    def __getitem__(self, index: int) -> dict[str, torch.Tensor | int]:
        chunk, row = divmod(index, self.batch_size)
        start = chunk * self.seq_len
        window = slice(start, start + self.seq_len)
        after = slice(start + 1, start + self.seq_len + 1)
        return {
            "inputs": torch.from_numpy(self.rows[row, window].astype(np.int64)),
            "targets": torch.from_numpy(self.rows[row, after].astype(np.int64)),
            "reversed_inputs": torch.from_numpy(self.reversed_rows[row, window].astype(np.int64)),
            "reversed_targets": torch.from_numpy(self.reversed_rows[row, after].astype(np.int64)),
            "chunk": chunk,
        }

    def plan(self, epoch: int = 0, generator: torch.Generator | None = None) -> list[list[int]]:
        """Every epoch in stream order (order is what carries the state)."""
        return [
            [j * self.batch_size + b for b in range(self.batch_size)] for j in range(self.chunks)
        ]


def collate(items: list[dict]) -> dict[str, torch.Tensor | int]:
    """Stack one chunk of every row: (B, seq_len) tensors and the shared ``chunk`` index."""
    chunks = {item["chunk"] for item in items}
    if len(chunks) != 1:
        raise ValueError(f"a batch must hold one chunk of every row, got chunks {sorted(chunks)}")
    batch = {k: torch.stack([item[k] for item in items]) for k in items[0] if k != "chunk"}
    batch["chunk"] = chunks.pop()
    return batch
