"""A tiny untrained speech model saved like a real one, and a helper to require espeak-ng."""

import json
import shutil

import pytest
import torch

from shared.pretrained import save_pretrained
from speech.inference import TOKENS_FILE
from speech.model import FORMAT_VERSION, MODEL_TYPE, CTCModel, SpeechConfig
from speech.text import CharVocabulary
from tests.missing import missing

TINY = SpeechConfig(n_mels=16, conv_channels=4, hidden_size=16, num_layers=1)


def require_espeak() -> None:
    """Skip without espeak-ng, saying how to get it (see :func:`missing`)."""
    if shutil.which("espeak-ng") is None:
        missing("espeak-ng is not installed: sudo apt-get install espeak-ng")


@pytest.fixture(scope="session")
def tiny_speech_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("tiny-speech")
    torch.manual_seed(0)
    save_pretrained(
        CTCModel(TINY).eval(), directory, TINY, model_type=MODEL_TYPE, format_version=FORMAT_VERSION
    )
    (directory / TOKENS_FILE).write_text(json.dumps(CharVocabulary().tokens))
    return directory
