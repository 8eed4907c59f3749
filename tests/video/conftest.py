"""A tiny untrained video model saved like a real one, for fast API tests."""

import pytest
import torch

from shared.pretrained import save_pretrained
from video.data import clip_vocabulary
from video.inference import VOCAB_NAME
from video.model import FORMAT_VERSION, MODEL_TYPE, VideoConfig, VideoModel

TINY = dict(frame_size=32, channels=4, frame_dim=16, encoder_hidden=8, embed_dim=8, hidden_size=16)


@pytest.fixture(scope="session")
def tiny_video_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("tiny-video")
    vocab = clip_vocabulary()
    config = VideoConfig(vocab_size=len(vocab), **TINY)
    torch.manual_seed(0)
    save_pretrained(
        VideoModel(config).eval(),
        directory,
        config,
        model_type=MODEL_TYPE,
        format_version=FORMAT_VERSION,
    )
    vocab.save(directory / VOCAB_NAME)
    return directory
