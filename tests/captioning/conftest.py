"""A tiny untrained captioning model saved like a real one, for fast API tests."""

import pytest
import torch

from captioning.inference import VOCAB_NAME
from captioning.model import FORMAT_VERSION, MODEL_TYPE, CaptionConfig, CaptionModel
from shared.pretrained import save_pretrained
from shared.vocab import Vocabulary


@pytest.fixture(scope="session")
def tiny_caption_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("tiny-captioner")
    vocab = Vocabulary(["a", "small", "large", "red", "blue", "circle", "square", "above", "below"])
    config = CaptionConfig(
        vocab_size=len(vocab), channels=4, image_size=64, embed_dim=8, hidden_size=16
    )
    torch.manual_seed(0)
    save_pretrained(
        CaptionModel(config).eval(),
        directory,
        config,
        model_type=MODEL_TYPE,
        format_version=FORMAT_VERSION,
    )
    vocab.save(directory / VOCAB_NAME)
    return directory
