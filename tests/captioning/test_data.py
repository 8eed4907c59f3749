import json

import pytest
import torch
from PIL import Image

from captioning.data import (
    CaptionDataset,
    build_vocabulary,
    collate,
    karpathy_items,
    scene_items,
)
from captioning.metrics import scene_scores
from captioning.scenes import render_scene
from shared.captions import detokenize, tokenize


def write_karpathy_fixture(root):
    """A Flickr8k-style Karpathy JSON with four images in the train/restval/val/test splits."""
    images = []
    for i, split in enumerate(["train", "restval", "val", "test"]):
        name = f"img{i}.jpg"
        Image.new("RGB", (40, 30), (i * 50, 100, 150)).save(root / name)
        sentences = [
            {"tokens": ["a", "dog", "runs"], "raw": "A dog runs."},
            {"tokens": ["the", "dog", "is", "fast"], "raw": "The dog is fast."},
        ]
        images.append({"filename": name, "split": split, "sentences": sentences, "imgid": i})
    (root / "dataset_flickr8k.json").write_text(
        json.dumps({"images": images, "dataset": "flickr8k"})
    )
    return root / "dataset_flickr8k.json"


def test_karpathy_json_loads_by_split(tmp_path):
    path = write_karpathy_fixture(tmp_path)
    train = karpathy_items(path, tmp_path, "train")
    assert [i.key for i in train] == ["img0.jpg", "img1.jpg"]  # restval trains
    assert [i.key for i in karpathy_items(path, tmp_path, "valid")] == ["img2.jpg"]
    assert train[0].references == ["a dog runs", "the dog is fast"]
    vocab = build_vocabulary(train, min_freq=3)  # "dog" 4 times, "runs" twice
    assert "dog" in vocab and "runs" not in vocab
    data = CaptionDataset(train, vocab, image_size=32, encoder="resnet18")
    assert len(data) == 4  # every reference of every image
    batch = collate([data[k] for k in range(4)])
    assert batch["images"].shape == (4, 3, 32, 32)
    assert (
        batch["tokens_in"][0, 0] == vocab.bos_id
        and (batch["tokens_out"] == vocab.eos_id).sum() == 4
    )


def test_karpathy_errors_are_clear(tmp_path):
    path = write_karpathy_fixture(tmp_path)
    (tmp_path / "img3.jpg").unlink()
    with pytest.raises(ValueError, match="img3.jpg .* is missing"):
        karpathy_items(path, tmp_path, "test")
    (tmp_path / "other.json").write_text("[]")
    with pytest.raises(ValueError, match="not a Karpathy-split"):
        karpathy_items(tmp_path / "other.json", tmp_path, "train")


def test_tokenize_round_trip():
    words = tokenize("A small red circle, a large blue square and a small green triangle")
    assert words[:5] == ["a", "small", "red", "circle", ","]
    assert detokenize(words) == "a small red circle, a large blue square and a small green triangle"


def test_scene_dataset_uses_the_canonical_caption():
    items = scene_items("train", 4, progress=False)
    vocab = build_vocabulary(items)
    data = CaptionDataset(items, vocab, 128, "scene-cnn", first_reference_only=True)
    image, ids = data[0]
    assert len(data) == 4 and image.shape == (3, 128, 128) and image.abs().max() <= 0.5
    assert vocab.decode(ids) == tokenize(items[0].references[0])
    assert torch.equal(data[0][0], image)


def test_scene_scores():
    scenes = [render_scene(s) for s in range(40)]
    perfect = scene_scores(scenes, [s.caption for s in scenes])
    assert perfect["triples_right"] == perfect["relation_right"] == perfect["order_right"] == 1.0
    swapped = scene_scores(scenes, [s.references[1] for s in scenes])  # the other phrasing
    assert swapped["relation_right"] == 1.0 and swapped["triples_right"] == 1.0
    wrong = scene_scores(scenes, ["a small red circle"] * 40)
    assert wrong["triples_right"] < 0.2 and wrong["relation_right"] == 0.0
