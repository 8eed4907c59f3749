import random

import pytest

from textgen.train import main

TINY = [
    "--hidden-size", "48", "--embed-dim", "24", "--num-layers", "1", "--max-steps", "300",
    "--batch-size", "8", "--seq-len", "32", "--lr", "1e-2", "--eval-every", "100",
    "--checkpoint-every", "100", "--log-every", "20", "--warmup-steps", "10", "--dropout", "0",
]  # fmt: skip
SENTENCES = ["the cat sat.", "a dog ran.", "the cat ate.", "a dog sat."]


def write_corpus(folder, seed: int = 0, lines: int = 1500):
    """A tiny corpus with train/, valid/ and test/ folders: "the" is always followed by
    "cat", "a" by "dog"; "ran" only ever follows "dog"."""
    rng = random.Random(seed)
    for split, n in (("train", lines), ("valid", lines // 10), ("test", lines // 10)):
        (folder / split).mkdir(parents=True)
        text = "\n".join(rng.choice(SENTENCES) for _ in range(n)) + "\n"
        (folder / split / "sentences.txt").write_text(text)
    return folder


@pytest.fixture(scope="session")
def textgen_model_dir(tmp_path_factory):
    """A tiny character LSTM (both directions) trained on the tiny corpus (a model folder)."""
    corpus = write_corpus(tmp_path_factory.mktemp("textgen-corpus"))
    out = tmp_path_factory.mktemp("textgen-run")
    return main([*TINY, "--corpus", str(corpus), "--out", str(out)])
