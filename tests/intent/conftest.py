import pytest

from intent.train import main

TINY = [
    "--hidden-size", "16", "--embed-dim", "8", "--ngram-buckets", "256", "--max-steps", "30",
    "--batch-size", "16", "--eval-every", "15", "--checkpoint-every", "15", "--log-every", "5",
    "--train-examples", "300", "--valid-examples", "60", "--test-examples", "60",
]  # fmt: skip


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """A tiny GRU trained for a few steps (a model folder)."""
    out = tmp_path_factory.mktemp("intent-run")
    return main([*TINY, "--cell", "gru", "--catalogs", str(out / "none"), "--out", str(out)])
