"""benchmarks.translation runs end to end on the tiny model (figures are not checked here)."""

import json

from benchmarks import translation as bench


def test_translation_benchmark_runs_and_writes_json(tiny_model_dir, tmp_path):
    (tiny_model_dir / "test_sample.tsv").write_text(
        "the red text file was saved\tx\tpkg\nthe old log\ty\tpkg\n", encoding="utf-8"
    )
    out = tmp_path / "translation.json"
    result = bench.main(
        [
            "--model",
            str(tiny_model_dir),
            "--sentences",
            "2",
            "--beam-size",
            "2",
            "--threads",
            "1",
            "--repeats",
            "1",
            "--out",
            str(out),
        ]
    )
    run = json.loads(out.read_text())["runs"][0]
    assert run == json.loads(json.dumps(result["runs"][0]))
    assert run["sentences"] == 2 and run["same_outputs"] is True and run["parameters"] > 0
