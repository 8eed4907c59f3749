"""speech.lm_text: descriptions read from a Translation-en index, sentences kept only when
every word is common; and speech.train --lm-text puts them in the model's lm.txt."""

import json

import pytest

from speech.inference import read_lm_text
from speech.lm_text import descriptions, lm_sentences, main, wordnet_examples

INDEX = """Package: alpha
Description-md5: 0
Description-en: Tool to copy files
 This tool copies files quickly. It keeps the files safe.
 .
 Use it to copy files between disks.

Package: beta
Description-md5: 1
Description-en: Library to copy files
 The library copies files for you. Xyzzyplugh handles files.
"""


def test_descriptions_and_common_word_sentences(tmp_path):
    texts = list(descriptions(INDEX))
    assert texts[0].startswith("Tool to copy files. This tool copies files quickly.")
    assert len(texts) == 2
    sentences = lm_sentences(texts, min_count=2)
    assert "this tool copies files quickly" not in sentences  # "quickly" is seen once
    assert all("xyzzyplugh" not in s for s in sentences)
    # Every word of these is seen at least twice; each other sentence has a rarer one.
    assert sentences == ["library to copy files", "tool to copy files"]
    (tmp_path / "Translation-en").write_text(INDEX)
    out = main(["--index", str(tmp_path / "Translation-en"), "--out", str(tmp_path / "lm.txt")])
    assert out.read_text().splitlines() == lm_sentences(texts, min_count=3)


WORDNET_VERB = """  1 This software and database is being provided to you, the LICENSEE, by "Princeton"
00001740 29 v 01 breathe 0 002 | draw air into, and expel out of, the lungs; "I can breathe better when the air is clean"; "The patient is breathing"
00004227 29 v 01 hold 0 001 | keep in; "hold your breath"
"""


def test_wordnet_examples_are_the_quoted_parts_of_its_glosses(tmp_path):
    (tmp_path / "data.verb").write_text(WORDNET_VERB)
    examples = wordnet_examples(tmp_path)
    # The licence header's quotes are not examples; a gloss's own words are not either.
    assert examples == [
        "I can breathe better when the air is clean",
        "The patient is breathing",
        "hold your breath",
    ]
    out = main(
        [
            "--no-descriptions",
            "--wordnet",
            str(tmp_path),
            "--min-count",
            "1",
            "--out",
            str(tmp_path / "lm.txt"),
        ]
    )
    assert out.read_text().splitlines() == lm_sentences(examples, min_count=1)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="wordnet-base"):
        wordnet_examples(empty)


def test_train_adds_lm_text_to_the_models_language_model(tmp_path):
    from speech.train import main as train_main
    from tests.speech.test_train import TEXTS, _corpus

    corpus = _corpus(tmp_path / "corpus")
    # A test utterance says "close the door": the LM must not learn it from the extra text.
    held_out = {"audio": "13.wav", "text": "close the door", "split": "test-seen", "seconds": 0.5}
    with open(corpus / "manifest.jsonl", "a") as manifest:
        manifest.write(json.dumps(held_out) + "\n")
    extra = "Open the Door, please!\n\nclose the window\nClose the door.\n"
    (tmp_path / "extra.txt").write_text(extra)
    export = train_main(
        [
            *("--data", str(corpus), "--out", str(tmp_path / "run"), "--max-steps", "1"),
            *("--batch-size", "4", "--n-mels", "16", "--conv-channels", "4", "--hidden-size", "8"),
            *("--num-layers", "1", "--amp", "off", "--threads", "1", "--valid-utterances", "2"),
            *("--no-augment", "--lm-text", str(tmp_path / "extra.txt")),
        ]
    )
    lm = set(read_lm_text(export)) - {""}
    assert lm == {TEXTS[i % 5] for i in range(8)} | {"open the door please", "close the window"}
