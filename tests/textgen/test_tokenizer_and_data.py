"""Tokenizers are lossless and never fail; the stream keeps every row in order."""

import numpy as np
import pytest
import torch

from textgen.corpora import Document
from textgen.data import StreamChunks, collate, token_stream
from textgen.tokenizer import CharTokenizer, SubwordTokenizer, load_tokenizer

TEXTS = [
    "Hello world, this is a test.\nAnd another line  with  spaces.\n",
    "Ünïcödé text 日本 ok\n",
] * 100


def test_char_tokenizer_round_trip_and_unknown_characters(tmp_path):
    tok = CharTokenizer.train(TEXTS)
    assert tok.decode(tok.encode("Hello\n")) == "Hello\n"
    ids = tok.encode("Hé☃")
    assert ids[2] == tok.unk_id and tok.decode(ids) == "H\u00e9\ufffd"
    tok.save(tmp_path)
    assert load_tokenizer(tmp_path).tokens == tok.tokens


@pytest.mark.parametrize("text", ["Hello world\n\n  x", "日本語 🙂 new\tx", " leading space", "\n"])
def test_subword_tokenizer_is_lossless_on_any_text(text, tmp_path):
    tok = SubwordTokenizer.train(TEXTS, vocab_size=300)
    assert tok.decode(tok.encode(text)) == text
    assert tok.doc_id not in tok.encode(text)
    tok.save(tmp_path)
    assert load_tokenizer(tmp_path).encode(text) == tok.encode(text)


def test_token_stream_marks_every_document():
    tok = CharTokenizer.train(["ab"])
    stream = token_stream([Document("1", "ab", "train"), Document("2", "b", "train")], tok)
    assert stream.tolist() == [0, 2, 3, 0, 3, 0]


def test_chunks_continue_each_row_in_order():
    stream = np.arange(1, 1002, dtype=np.int32)
    chunks = StreamChunks(stream, batch_size=4, seq_len=10)
    batches = [collate([chunks[i] for i in batch]) for batch in chunks.plan()]
    assert [b["chunk"] for b in batches] == list(range(chunks.chunks))
    for row in range(4):
        inputs = torch.cat([b["inputs"][row] for b in batches])
        targets = torch.cat([b["targets"][row] for b in batches])
        assert torch.equal(inputs[1:], targets[:-1])  # chunk j+1 starts where chunk j ended
        assert torch.all(inputs[1:] - inputs[:-1] == 1)  # one piece of the stream, in order
        reversed_inputs = torch.cat([b["reversed_inputs"][row] for b in batches])
        assert torch.all(reversed_inputs[1:] - reversed_inputs[:-1] == -1)
    firsts = [int(batches[0]["inputs"][row, 0]) for row in range(4)]
    assert firsts == sorted(firsts) and len(set(firsts)) == 4  # rows are disjoint pieces


def test_too_little_text_and_mixed_chunks_are_refused():
    with pytest.raises(ValueError, match="too few"):
        StreamChunks(np.arange(20, dtype=np.int32), batch_size=4, seq_len=10)
    chunks = StreamChunks(np.arange(1000, dtype=np.int32), batch_size=4, seq_len=10)
    with pytest.raises(ValueError, match="one chunk"):
        collate([chunks[0], chunks[4]])


def test_streamed_pieces_join_up_even_when_a_character_takes_several_byte_tokens():
    from textgen.inference import IncrementalText

    tok = SubwordTokenizer.train(["hello world plain ascii text\n"] * 300, vocab_size=300)
    text = "héllo 🙂 日本 world"
    ids = tok.encode(text)
    assert len(ids) > len(text)  # the rare characters went in as bytes
    stream = IncrementalText(tok)
    pieces = [stream.add(i, last=k == len(ids) - 1) for k, i in enumerate(ids)]
    assert "".join(pieces) == text and "\ufffd" not in "".join(pieces)
    assert "🙂" in pieces  # written out whole, once its last byte came
