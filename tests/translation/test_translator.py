"""The Translator API on a tiny untrained model (the shipped models have their own tests)."""

import numpy as np
import pytest

from translation import Translator
from translation.inference import MAX_CHARACTERS

SENTENCES = [
    "the red text file was saved",
    "the old log file number 2 was removed",
    "a",
    "the new data file was opened to %s",
]


@pytest.fixture(scope="module")
def translator(tiny_model_dir):
    return Translator.from_pretrained(tiny_model_dir)


def test_result_fields_and_attention_shape(translator):
    r = translator.translate("the red text file was saved", beam_size=3)
    assert isinstance(r.text, str) and r.tokens
    assert r.attention.shape == (len(r.tokens), len(r.source_tokens))
    assert np.allclose(r.attention.sum(axis=1), 1.0, atol=1e-4)
    assert np.isfinite(r.score)


@pytest.mark.parametrize("beam_size", [1, 4])
def test_batch_equals_one_by_one(translator, beam_size):
    together = translator.translate_batch(SENTENCES, beam_size=beam_size, batch_size=3)
    for sentence, batched in zip(SENTENCES, together, strict=True):
        alone = translator.translate(sentence, beam_size=beam_size)
        assert (alone.text, alone.tokens) == (batched.text, batched.tokens)
        assert alone.score == pytest.approx(batched.score, abs=1e-4)
        assert np.allclose(alone.attention, batched.attention, atol=1e-5)


def test_save_and_load_give_identical_outputs(translator, tiny_model_dir):
    again = Translator.from_pretrained(str(tiny_model_dir))
    a, b = translator.translate(SENTENCES[1]), again.translate(SENTENCES[1])
    assert a.text == b.text and np.array_equal(a.attention, b.attention)


def test_empty_input_gives_an_empty_result(translator):
    for text in ("", "   ", "\n\t"):
        r = translator.translate(text)
        assert r.text == "" and r.tokens == [] and r.attention.shape == (0, 0)


def test_overlong_input_names_the_limit(translator):
    with pytest.raises(ValueError, match=f"limit of {MAX_CHARACTERS}"):
        translator.translate("a" * (MAX_CHARACTERS + 1))
    with pytest.raises(ValueError, match="limit of 40"):
        translator.translate("the red file " * 20)


def test_any_unicode_is_handled(translator):
    for text in ("the file 🙂 was saved", "control\x00\x07chars", "ｆｕｌｌｗｉｄｔｈ", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢"):
        assert isinstance(translator.translate(text, beam_size=2).text, str)


def test_missing_placeholders_are_reported(translator):
    r = translator.translate("the data file %s was saved to %d", beam_size=2)
    from translation.text import missing_placeholders

    assert r.missing_placeholders == missing_placeholders(
        "the data file %s was saved to %d", r.text
    )


def test_not_a_model_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="not a shipped model"):
        Translator.from_pretrained("xx-yy")
    with pytest.raises(ValueError, match="not a model directory"):
        Translator.from_pretrained(tmp_path)
