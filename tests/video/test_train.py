"""video.train and video.evaluate end to end on a tiny configuration: the smoke path a user
runs first, the card written from training.json, and the evaluate CLI with --compare."""

import json

import pytest

from shared.vocab import Vocabulary
from tests.video.test_data import _videos
from video import VideoTagger
from video.card import render_card
from video.evaluate import main as evaluate_main
from video.train import main as train_main

TINY_ARGS = (
    *("--frame-size", "32", "--channels", "4", "--frame-dim", "16", "--encoder-hidden", "8"),
    *("--embed-dim", "8", "--hidden-size", "16", "--amp", "off", "--threads", "1"),
)


def test_smoke_runs_export_models_that_evaluate_and_compare(tmp_path):
    exports = []
    for temporal in ("rnn", "mean"):
        exports.append(
            train_main(
                [
                    *("--out", str(tmp_path / temporal), "--max-steps", "2", "--batch-size", "4"),
                    *("--train-clips", "8", "--valid-clips", "4", "--test-clips", "4"),
                    *("--temporal", temporal, "--two-object-share", "0.5", *TINY_ARGS),
                ]
            )
        )
    export, mean = exports
    info = json.loads((export / "training.json").read_text())
    assert info["data"] == {"kind": "clips", "train_clips": 8, "two_object_share": 0.5}
    assert info["history"][0]["steps"] == 2 and "--max-steps 2" in info["history"][0]["command"]
    assert (
        info["test"]["data"] == "4 fresh test clips" and "actions_right" in info["test"]["metrics"]
    )
    card = (export / "README.md").read_text()
    assert card == render_card(export) and "bidirectional GRU" in card
    assert "50% of them with two objects" in card
    assert "mean of the frame features" in (mean / "README.md").read_text()
    result = VideoTagger.from_pretrained(export).describe(
        [__import__("numpy").zeros((32, 32, 3), "uint8")] * 3
    )
    assert result.attention.shape == (len(result.tokens), 16)
    results = evaluate_main(
        [
            "--model",
            str(export),
            "--compare",
            str(mean),
            "--clips",
            "4",
            "--beam-size",
            "1",
            "--record",
        ]
    )
    assert set(results) == {str(export), str(mean)}
    recorded = json.loads((export / "training.json").read_text())["evaluations"][0]
    assert recorded["data"] == "4 fresh test clips" and str(mean) in recorded["compare"]
    assert "Measured later (4 fresh test clips" in (export / "README.md").read_text()


def test_places_can_start_from_a_model_without_them(tmp_path, capsys):
    common = [*("--max-steps", "1", "--batch-size", "4", "--train-clips", "4"), *TINY_ARGS]
    common += ["--valid-clips", "2", "--test-clips", "2"]
    base = train_main(["--out", str(tmp_path / "base"), *common])
    places = train_main(
        ["--out", str(tmp_path / "places"), "--places", "--init", str(base), *common]
    )
    assert "fresh: ['places.project.bias', 'places.project.weight', 'places.where']" in (
        capsys.readouterr().out
    )
    runs = json.loads((places / "training.json").read_text())["history"]
    assert len(runs) == 2 and "--init" not in runs[0]["command"]
    assert f"--init {base}" in runs[1]["command"]
    assert "Then, continuing from that model" in (places / "README.md").read_text()
    frame = __import__("numpy").zeros((32, 32, 3), "uint8")
    result = VideoTagger.from_pretrained(places).describe([frame] * 3)
    assert result.places is not None and result.places.shape[0] == len(result.tokens)
    Vocabulary(["other", "words"]).save(base / "vocab.json")
    with pytest.raises(ValueError, match="its vocabulary is not this run's"):
        train_main(["--out", str(tmp_path / "other"), "--init", str(base), *common])


def test_a_folder_of_real_video_trains_and_gets_its_own_card(tmp_path):
    _videos(tmp_path / "videos", [f"video{i}.mp4" for i in range(6)])
    splits = ["train"] * 3 + ["validate", "test", "test"]
    data = {
        "videos": [{"video_id": f"video{i}", "split": s} for i, s in enumerate(splits)],
        "sentences": [{"video_id": f"video{i}", "caption": "a shape moves"} for i in range(6)],
    }
    (tmp_path / "info.json").write_text(json.dumps(data))
    export = train_main(
        [
            *("--out", str(tmp_path / "run"), "--max-steps", "2", "--batch-size", "2"),
            *("--data", str(tmp_path / "info.json"), "--videos", str(tmp_path / "videos")),
            *TINY_ARGS,
        ]
    )
    card = (export / "README.md").read_text()
    assert "3 training videos" in card and "2 test videos" in card and "--data" in card
    assert "Procedural clips" not in card
