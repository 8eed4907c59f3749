"""Clip data for training, and the MSR-VTT / MSVD folder loaders on a tiny fixture."""

import csv
import json

import numpy as np
import pytest
import torch

from shared.captions import tokenize
from shared.vocab import Vocabulary
from video.clips import render_clip
from video.data import (
    ClipDataset,
    VideoFileDataset,
    build_vocabulary,
    clip_vocabulary,
    collate,
    folder_items,
    frames_tensor,
)
from video.frames import write_video


def test_the_vocabulary_covers_every_caption():
    vocab = clip_vocabulary()
    for seed in range(200):
        assert Vocabulary.unk_id not in vocab.encode(tokenize(render_clip(seed).caption))


def test_frames_become_centred_squares():
    x = frames_tensor(np.full((16, 96, 128, 3), 255, np.uint8), 32)
    assert x.shape == (16, 3, 32, 32) and torch.allclose(x, torch.full_like(x, 0.5))


def test_the_cache_returns_what_drawing_returns():
    vocab = clip_vocabulary()
    cached = ClipDataset("valid", 3, vocab, 32, vary_style=True, cache=True)
    fresh = ClipDataset("valid", 3, vocab, 32, vary_style=True)
    first = cached[1]
    again = cached[1]
    assert torch.allclose(first[0], again[0], atol=1 / 255) and first[1] == again[1]
    assert torch.allclose(first[0], fresh[1][0]) and first[1] == fresh[1][1]
    batch = collate([cached[0], cached[2]])
    assert batch["frames"].shape == (2, 16, 3, 32, 32)
    assert batch["tokens_in"][:, 0].eq(Vocabulary.bos_id).all()
    with pytest.raises(ValueError, match="split"):
        ClipDataset("dev", 3, vocab, 32)


def _videos(root, names):
    root.mkdir()
    for i, name in enumerate(names):
        write_video(root / name, render_clip(i).frames[:8])


def test_msrvtt_folders_load_by_split(tmp_path):
    _videos(tmp_path / "videos", [f"video{i}.mp4" for i in range(4)])
    splits = ["train", "train", "validate", "test"]
    data = {
        "videos": [{"video_id": f"video{i}", "split": s} for i, s in enumerate(splits)],
        "sentences": [
            {"video_id": f"video{i}", "caption": f"a man does thing {i}"} for i in range(4)
        ]
        + [{"video_id": "video0", "caption": "someone is cooking"}],
    }
    (tmp_path / "info.json").write_text(json.dumps(data))
    train = folder_items(tmp_path / "info.json", tmp_path / "videos", "train")
    assert [i.path.name for i in train] == ["video0.mp4", "video1.mp4"]
    assert train[0].references == ["a man does thing 0", "someone is cooking"]
    assert len(folder_items(tmp_path / "info.json", tmp_path / "videos", "valid")) == 1
    vocab = build_vocabulary(train)
    dataset = VideoFileDataset(train, vocab, frames=4, frame_size=32)
    assert len(dataset) == 3 and dataset[0][0].shape == (4, 3, 32, 32)


def test_msvd_csv_keeps_english_and_finds_clips(tmp_path):
    _videos(tmp_path / "clips", ["abc_1_5.avi", "xyz_0_3.avi"])
    with open(tmp_path / "corpus.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "VideoID",
                "Start",
                "End",
                "WorkerID",
                "Source",
                "AnnotationTime",
                "Language",
                "Description",
            ]
        )
        writer.writerow(["abc", 1, 5, 1, "clean", 10, "English", "a cat plays"])
        writer.writerow(["abc", 1, 5, 2, "clean", 10, "German", "eine Katze spielt"])
        writer.writerow(["xyz", 0, 3, 1, "clean", 10, "English", "a dog runs"])
    items = folder_items(tmp_path / "corpus.csv", tmp_path / "clips", "train")
    assert [(i.path.name, i.references) for i in items] == [
        ("abc_1_5.avi", ["a cat plays"]),
        ("xyz_0_3.avi", ["a dog runs"]),
    ]


def test_bad_folders_say_what_is_wrong(tmp_path):
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(ValueError, match="not an MSR-VTT caption file"):
        folder_items(tmp_path / "x.json", tmp_path, "train")
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="not an MSVD caption file"):
        folder_items(tmp_path / "x.csv", tmp_path, "train")
    with pytest.raises(ValueError, match=".json or an MSVD .csv"):
        folder_items(tmp_path / "x.txt", tmp_path, "train")
    data = {
        "videos": [{"video_id": "v", "split": "train"}],
        "sentences": [{"video_id": "v", "caption": "c"}],
    }
    (tmp_path / "y.json").write_text(json.dumps(data))
    with pytest.raises(ValueError, match="no video file for 'v'"):
        folder_items(tmp_path / "y.json", tmp_path, "train")
