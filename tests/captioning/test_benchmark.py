"""benchmarks.captioning runs end to end on the tiny model (figures are not checked here)."""

import json

from benchmarks import captioning as bench


def test_captioning_benchmark_runs_and_writes_json(tiny_caption_dir, tmp_path):
    out = tmp_path / "captioning.json"
    result = bench.main(
        [
            "--model",
            str(tiny_caption_dir),
            "--images",
            "3",
            "--beam-size",
            "2",
            "--train-batch",
            "4",
            "--threads",
            "1",
            "--repeats",
            "1",
            "--out",
            str(out),
        ]
    )
    saved = json.loads(out.read_text())
    assert saved == json.loads(json.dumps(result))
    assert saved["same_outputs"] is True and saved["train_images_per_s"] > 0
