"""TextGenerator on a tiny trained model: seeds, batches, scores, blanks, bad input."""

import math

import numpy as np
import pytest
import torch

from textgen import TextGenerator
from textgen.blanks import sentence_log_probs
from textgen.corpora import Document
from textgen.inference import MAX_PROMPT_CHARS
from textgen.scoring import bits_per_char


@pytest.fixture(scope="module")
def generator(textgen_model_dir):
    return TextGenerator.from_pretrained(textgen_model_dir)


def test_training_learned_the_tiny_language(generator):
    text = "the cat sat.\na dog ran.\n" * 20
    assert generator.score(text).bits_per_char < 1.0  # a uniform guess costs log2(~15) = 3.9


def test_a_seed_reproduces_a_sample(generator):
    a = generator.generate("the ", 40, temperature=1.0, seed=3)
    assert a == generator.generate("the ", 40, temperature=1.0, seed=3)
    assert len(a) == 40
    others = {generator.generate("the ", 40, temperature=1.0, seed=s) for s in range(5)}
    assert len(others) > 1


def test_stream_yields_what_generate_returns(generator):
    tokens = list(generator.stream("a ", 30, temperature=0.9, seed=7))
    assert "".join(t.text for t in tokens) == generator.generate("a ", 30, temperature=0.9, seed=7)
    assert all(0 < t.probability <= 1 and len(t.alternatives) == 5 for t in tokens)
    assert tokens[0].alternatives[0][1] >= tokens[0].alternatives[-1][1]


def test_greedy_batch_equals_one_by_one(generator):
    prompts = ["the c", "a dog ", "", "the cat sat.\na"]
    batch = generator.generate_batch(prompts, 25, temperature=0)
    assert batch == [generator.generate(p, 25, temperature=0) for p in prompts]
    assert generator.generate("the ", 3, temperature=0) == "cat"


def test_score_is_the_sum_of_token_log_probs(generator):
    result = generator.score("the cat sat.")
    assert result.bits == pytest.approx(-result.log_probs.sum() / math.log(2))
    assert result.bits_per_char == pytest.approx(result.bits / len("the cat sat."))
    assert result.char_bits.sum() == pytest.approx(result.bits)
    odd = generator.score("the ☃ sat 🙂")  # characters never seen cost bits, never crash
    assert np.isfinite(odd.bits) and odd.char_bits[4] > 1


def test_stream_bits_agree_with_score(generator):
    text = "the cat sat.\na dog ran.\n"
    figures = bits_per_char(
        generator.model.forward_lm, generator.tokenizer, [Document("d", text, "test")]
    )
    assert figures["bits"] == pytest.approx(generator.score(text).bits, rel=1e-4)
    backward = bits_per_char(
        generator.model.backward_lm,
        generator.tokenizer,
        [Document("d", text * 5, "test")],
        reverse=True,
    )
    assert backward["bpc"] < 1.0  # the right-to-left model reads the reversed stream it learned


def test_both_directions_agree_on_the_blank(generator):
    tok = generator.tokenizer
    forward, backward = generator.model.forward_lm, generator.model.backward_lm
    sentences = ["the cat ran.", "the dog ran."]
    # "the" is followed by "cat" (left context); "ran" only follows "dog" (right context).
    f = sentence_log_probs(
        forward, tok.doc_id, [tok.encode("the cat sat."), tok.encode("the dog sat.")]
    )
    b = sentence_log_probs(
        backward, tok.doc_id, [tok.encode(s)[::-1] for s in ("a cat ran.", "a dog ran.")]
    )
    assert f[0] > f[1] and b[1] > b[0]
    assert generator.fill_blank("the ___ sat.", ["dog", "cat"])[0].text == "cat"
    assert generator.fill_blank("a ___ ran.", ["cat", "dog"])[0].text == "dog"
    proposed = generator.fill_blank("the ___ sat.", k=3)
    assert proposed[0].text == "cat" and sum(f.probability for f in proposed) <= 1 + 1e-9
    assert sentences  # both sentence kinds exist in the corpus


def test_bad_input_is_a_clear_error(generator):
    assert isinstance(generator.generate("", 5, seed=0), str)  # empty: from the start of text
    with pytest.raises(ValueError, match=str(MAX_PROMPT_CHARS)):
        generator.generate("x" * (MAX_PROMPT_CHARS + 1), 5)
    with pytest.raises(ValueError, match="exactly one blank"):
        generator.fill_blank("no blank here")
    with pytest.raises(ValueError, match="exactly one blank"):
        generator.fill_blank("___ and ___")
    with pytest.raises(ValueError, match="empty"):
        generator.score("")
    with pytest.raises(ValueError, match="temperature"):
        generator.generate("the", 5, temperature=-1)


def test_save_load_round_trip(generator, textgen_model_dir):
    again = TextGenerator.from_pretrained(textgen_model_dir)
    x = torch.tensor([[0, 2, 3, 4]])
    torch.testing.assert_close(again.model.forward_lm(x)[0], generator.model.forward_lm(x)[0])


def test_command_line_writes_fills_and_scores(textgen_model_dir, capsys):
    from textgen.generate import main

    main(["the ", "--model", str(textgen_model_dir), "--tokens", "3", "--temperature", "0"])
    assert capsys.readouterr().out == "cat\n"
    main(["--fill", "a ___ ran.", "--candidates", "cat", "dog", "--model", str(textgen_model_dir)])
    assert capsys.readouterr().out.splitlines()[0].endswith("dog")
    main(["--score", "the cat sat.", "--model", str(textgen_model_dir)])
    assert "bits per character" in capsys.readouterr().out
