"""captioning.train and captioning.evaluate end to end on a tiny configuration: the smoke
path a user runs first, the card written from training.json, and the evaluate CLI."""

import json

import numpy as np

from captioning import Captioner
from captioning.card import render_card
from captioning.evaluate import main as evaluate_main
from captioning.train import main as train_main


def test_smoke_run_exports_a_model_with_its_card(tmp_path):
    out = tmp_path / "run"
    export = train_main(
        [
            *("--out", str(out), "--max-steps", "2", "--batch-size", "4"),
            *("--train-scenes", "8", "--valid-scenes", "4", "--test-scenes", "4"),
            *("--image-size", "64", "--channels", "4", "--hidden-size", "16", "--embed-dim", "8"),
            *("--amp", "off", "--threads", "1"),
        ]
    )
    info = json.loads((export / "training.json").read_text())
    assert info["data"] == {"kind": "scenes", "train_scenes": 8}
    assert info["history"][0]["steps"] == 2 and "--max-steps 2" in info["history"][0]["command"]
    assert info["test"]["data"] == "4 fresh test scenes" and "bleu4" in info["test"]["metrics"]
    card = (export / "README.md").read_text()
    assert card == render_card(export)
    assert "Procedural scenes" in card and "8 training scenes" in card
    result = Captioner.from_pretrained(export).caption(np.full((64, 64, 3), 230, np.uint8))
    assert result.attention.shape == (len(result.tokens), 4, 4)
    result = evaluate_main(["--model", str(export), "--scenes", "4", "--beam-size", "1"])
    assert 0.0 <= result["triples_right"] <= 1.0 and len(result["examples"]) == 4


def test_a_photo_dataset_gets_a_photo_card(tmp_path):
    """A Karpathy-split dataset: the card names it and its test images, not scenes."""
    from PIL import Image

    images = tmp_path / "images"
    images.mkdir()
    records = []
    for i, split in enumerate(["train"] * 6 + ["val"] * 2 + ["test"] * 2):
        Image.new("RGB", (40, 30), (40 * i % 255, 90, 160)).save(images / f"{i}.jpg")
        records.append(
            {
                "filename": f"{i}.jpg",
                "split": split,
                "sentences": [{"raw": "a dog runs on the grass"}, {"raw": "a dog plays"}],
            }
        )
    (tmp_path / "dataset.json").write_text(json.dumps({"images": records}))
    export = train_main(
        [
            *("--out", str(tmp_path / "run"), "--max-steps", "2", "--batch-size", "4"),
            *("--data", str(tmp_path / "dataset.json"), "--images", str(images)),
            *("--image-size", "64", "--channels", "4", "--hidden-size", "16", "--embed-dim", "8"),
            *("--amp", "off", "--threads", "1"),
        ]
    )
    card = (export / "README.md").read_text()
    assert "Photographs and their human captions" in card and "Procedural scenes" not in card
    assert "2 test images" in card and "--data" in card


def test_a_damaged_run_folder_ends_with_a_message_not_a_traceback(tmp_path):
    import subprocess
    import sys

    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "checkpoint.pt").write_bytes(b"")  # say, a disk that filled up
    done = subprocess.run(
        [sys.executable, "-m", "captioning.train", "--out", str(tmp_path / "run")]
        + ["--max-steps", "2", "--train-scenes", "8", "--valid-scenes", "4", "--threads", "1"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2, done.stderr
    assert "checkpoint.pt" in done.stderr and "delete it" in done.stderr
    assert "Traceback" not in done.stderr
