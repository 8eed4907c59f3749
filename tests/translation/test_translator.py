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
    assert r.tokens and r.text == "".join(r.tokens).replace("\u2581", " ").strip()
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


def test_encoding_in_runs_gives_the_memory_of_one_call(translator):
    import torch

    from translation.inference import encode_in_runs

    lengths = torch.tensor([9, 7, 7, 4, 2, 1, 1])  # longest first, as translate_batch sends
    src = torch.randint(4, 50, (len(lengths), 9))
    src[torch.arange(9) >= lengths[:, None]] = 0
    model = translator.model.eval()
    with torch.no_grad():
        memory, mask = model.encode(src, lengths)
        in_runs, runs_mask = encode_in_runs(model, src, lengths, run=3)
    assert torch.equal(mask, runs_mask)
    assert torch.allclose(memory, in_runs, atol=1e-6)


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
    texts = ["the file 🙂 was saved", "control\x00\x07chars", "ｆｕｌｌｗｉｄｔｈ", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢"]
    texts.append("a lone surrogate \ud800 from a browser")  # sentencepiece refuses these
    for text in texts:
        r = translator.translate(text, beam_size=2)
        assert r.tokens and r.attention.shape == (len(r.tokens), len(r.source_tokens))


def test_a_source_in_capitals_is_read_as_written_in_sentence_case(translator):
    """The model reads the sentence-case source and its translation comes back in capitals."""
    loud, plain = translator.translate_batch(["SAVE YOUR WORK NOW", "Save your work now"])
    assert loud.source_tokens == plain.source_tokens
    assert loud.tokens == plain.tokens
    assert loud.text == plain.text.upper()


def test_text_over_the_subword_limit_is_translated_sentence_by_sentence(translator):
    sentences = [
        f"the {c} data file number {n} was saved." for n in range(3) for c in ("red", "old")
    ]
    text = " ".join(sentences)
    assert len(translator.source_tokenizer.encode(text)) > translator.generation.max_source_tokens
    whole = translator.translate(text, beam_size=2)
    parts = translator.translate_batch(sentences, beam_size=2)
    assert whole.text == " ".join(p.text for p in parts)
    assert whole.tokens == [t for p in parts for t in p.tokens]
    # Block-diagonal attention: each sentence's output looks only at its own source.
    row = column = 0
    for p in parts:
        block = whole.attention[row : row + len(p.tokens), column : column + len(p.source_tokens)]
        assert np.array_equal(block, p.attention)
        row, column = row + len(p.tokens), column + len(p.source_tokens)
    assert np.allclose(whole.attention.sum(axis=1), 1.0, atol=1e-4)


def test_the_best_hypothesis_that_keeps_the_placeholders_wins(translator, monkeypatch):
    import torch

    from shared.decoding import Hypothesis

    target = translator.target_tokenizer
    without = target.encode("le fichier a été")
    with_placeholder = target.encode("le fichier <ph0> a été")
    assert target.decode(with_placeholder).count("<ph0>") == 1

    def fake_generate(memory, pad_mask, *, bos, eos, config, max_lens):
        def hyp(tokens, score):
            return Hypothesis(tokens, score, score, torch.full((len(tokens), 5), 0.2), True)

        return [[hyp(without, -1.0), hyp(with_placeholder, -2.0)]] * memory.size(0)

    monkeypatch.setattr(translator.model.decoder, "generate", fake_generate)
    r = translator.translate("the file %s was saved", beam_size=2)
    assert "%s" in r.text and r.missing_placeholders == [] and r.score == -2.0
    # When no hypothesis keeps them, the best one is returned and its gaps reported.
    r = translator.translate("the file %s was saved to %d", beam_size=2)
    assert r.score == -1.0 and r.missing_placeholders == ["%s", "%d"]


def test_a_hypothesis_that_repeats_a_placeholder_loses_to_one_that_keeps_it_once(
    translator, monkeypatch
):
    import torch

    from shared.decoding import Hypothesis

    target = translator.target_tokenizer
    repeated = target.encode("le fichier <ph0> <ph0> a été")
    once = target.encode("le fichier <ph0> a été")
    without = target.encode("le fichier a été")
    order = [repeated, without, once]

    def fake_generate(memory, pad_mask, *, bos, eos, config, max_lens):
        def hyp(tokens, score):
            return Hypothesis(tokens, score, score, torch.full((len(tokens), 5), 0.2), True)

        return [[hyp(t, -1.0 - i) for i, t in enumerate(order)]] * memory.size(0)

    monkeypatch.setattr(translator.model.decoder, "generate", fake_generate)
    r = translator.translate("the file %s was saved", beam_size=3)
    assert r.text.count("%s") == 1 and r.score == -3.0
    assert r.missing_placeholders == [] and r.extra_placeholders == []
    # An extra placeholder still beats a missing one; it is reported.
    order = [without, repeated]
    r = translator.translate("the file %s was saved", beam_size=2)
    assert r.score == -2.0 and r.missing_placeholders == [] and r.extra_placeholders == ["%s"]


def test_not_a_model_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="not a shipped model"):
        Translator.from_pretrained("xx-yy")
    with pytest.raises(ValueError, match="not a model directory"):
        Translator.from_pretrained(tmp_path)
