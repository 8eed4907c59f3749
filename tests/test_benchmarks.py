"""The benchmarks run end to end on tiny sizes (their figures are not checked here)."""

import json

import pytest

from benchmarks import decoder, sequence_rnn
from tests.intent.conftest import tiny_model  # noqa: F401  (a fixture, shared with tests/intent)
from tests.textgen.conftest import textgen_model_dir  # noqa: F401  (shared with tests/textgen)
from tests.translation.conftest import catalogs  # noqa: F401  (shared with tests/translation)
from tests.video.conftest import tiny_video_dir  # noqa: F401  (shared with tests/video)


def test_decoder_benchmark_runs_and_writes_json(tmp_path):
    out = tmp_path / "decoder.json"
    result = decoder.main(
        [
            "--threads",
            "1",
            "--batch",
            "3",
            "--hidden",
            "8",
            "--embed",
            "8",
            "--memory-dim",
            "16",
            "--vocab",
            "20",
            "--src-len",
            "5",
            "--tgt-len",
            "4",
            "--beam",
            "2",
            "--repeats",
            "1",
            "--out",
            str(out),
        ]
    )
    saved = json.loads(out.read_text())
    assert saved == json.loads(json.dumps(result))
    run = saved["runs"][0]
    assert run["beam_search"]["same_outputs"] is True
    assert {r["attention"] for r in run["training_step"]} == {"additive", "general"}
    assert all(r["params"] == r["baseline_params"] for r in run["training_step"])


def test_speech_benchmark_runs_and_writes_json(tmp_path):
    from benchmarks import speech

    out = tmp_path / "speech.json"
    result = speech.main(
        [
            "--threads",
            "1",
            "--repeats",
            "1",
            "--train-batch",
            "2",
            "--beam-size",
            "2",
            "--out",
            str(out),
        ]
    )
    saved = json.loads(out.read_text())
    assert saved["batched_same_outputs"] is True
    assert set(saved["real_time_factor"]) == {"greedy_single", "greedy_batched", "beam_single"}
    assert saved == json.loads(json.dumps(result))


def test_speech_peers_benchmark_runs_and_writes_json(tmp_path):
    import pytest

    pytest.importorskip("pocketsphinx", reason='pip install -e ".[bench]"')
    from benchmarks import speech_peers
    from speech.evaluate import ALSA_SOUNDS

    if not ALSA_SOUNDS.is_dir():
        pytest.skip("the human recordings need alsa-utils: sudo apt-get install alsa-utils")
    out = tmp_path / "peers.json"
    result = speech_peers.main(["--sentences", "2", "--threads", "1", "--out", str(out)])
    assert json.loads(out.read_text()) == json.loads(json.dumps(result))
    human = result["sets"]["human (alsa-utils)"]
    assert set(human) == {"tts-en (beam + LM)", "PocketSphinx 5 (en-us)"}
    assert all(r["utterances"] == 9 and r["rtf"] > 0 for r in human.values())


def test_intent_benchmark_runs_and_writes_json(tmp_path, tiny_model):  # noqa: F811
    from benchmarks import intent

    model = tiny_model
    out = tmp_path / "intent.json"
    result = intent.main(
        ["--models", str(model), str(model), "--requests", "12", "--threads", "1", "--repeats", "1",
         "--memory-examples", "10", "--memory-ns", "0", "3", "--out", str(out)]
    )  # fmt: skip
    saved = json.loads(out.read_text())
    assert saved == json.loads(json.dumps(result))
    assert all(run["same_outputs"] for run in saved["runs"])
    assert saved["memory"]["ns"] == [0, 3] and list(saved["memory"]["cells"]) == ["gru"]


def test_textgen_benchmark_runs_and_writes_json(tmp_path, textgen_model_dir):  # noqa: F811
    from benchmarks import textgen

    out = tmp_path / "textgen.json"
    result = textgen.main(
        ["--model", str(textgen_model_dir), "--tokens", "12", "--batch", "3", "--train-batch", "4",
         "--seq-len", "8", "--threads", "1", "--repeats", "1", "--out", str(out)]
    )  # fmt: skip
    saved = json.loads(out.read_text())
    assert saved == json.loads(json.dumps(result))
    assert saved["generate"]["naive_same_greedy_text"] is True
    assert saved["generate"]["batch_prompts"] == 3 and saved["train"]["fused_tokens_per_s"] > 0


def test_video_benchmark_runs_and_writes_json(tmp_path, tiny_video_dir):  # noqa: F811
    from benchmarks import video

    out = tmp_path / "video.json"
    result = video.main(
        ["--model", str(tiny_video_dir), "--clips", "3", "--train-batch", "2", "--threads", "1",
         "--repeats", "1", "--out", str(out)]
    )  # fmt: skip
    saved = json.loads(out.read_text())
    assert saved == json.loads(json.dumps(result))
    assert saved["same_outputs"] is True and saved["clips"] == 3
    assert 0 < saved["cnn_share_of_batched"] < 1 and saved["train_clips_per_s"] > 0


@pytest.mark.parametrize("side_by_side", [False, True])
def test_first_run_benchmark_trains_both_and_compares(tmp_path, catalogs, side_by_side):  # noqa: F811
    from benchmarks import translation_first_run
    from tests.translation.conftest import TINY

    out = tmp_path / "first_run.json"
    result = translation_first_run.main(
        ["--minutes", "0.05", "--test-pairs", "20", "--data", str(catalogs), "--work",
         str(tmp_path / "work"), "--out", str(out)]
        + (["--side-by-side"] if side_by_side else []) + ["--extra", *TINY]
    )  # fmt: skip
    saved = json.loads(out.read_text())
    assert saved == json.loads(json.dumps(result))
    assert saved["side_by_side"] is side_by_side
    # The baseline trained for its whole budget whether in a process of its own or not.
    assert saved["tutorial"]["wall_minutes"] >= 0.05
    assert saved["test_pairs"] == 20 and "--max-minutes 0.05" in saved["command"]
    for run in ("model", "tutorial"):
        assert 0 <= saved[run]["bleu"] <= 100.001 and 0 <= saved[run]["chrf"] <= 100.001
    assert saved["chrf_ratio"] == saved["model"]["chrf"] / saved["tutorial"]["chrf"]


def test_tutorial_words_and_translator_round_trip(tmp_path, catalogs):  # noqa: F811
    from benchmarks.translation_tutorial import train_tutorial, words
    from translation.data import load_pairs

    assert words("Can't open file: %s.") == ["can", "'", "t", "open", "file", ":", "%", "s", "."]
    pairs = load_pairs("en", "fr", [str(catalogs)])
    tutorial = train_tutorial(pairs, 0.02, tmp_path)
    outputs = tutorial.translate_batch([p.source for p in pairs[:5]])
    assert len(outputs) == 5 and all(isinstance(o, str) for o in outputs)
    assert outputs == tutorial.translate_batch([p.source for p in pairs[:5]], batch_size=2)


def test_sequence_rnn_benchmark_times_both_runs_and_writes_json(tmp_path):
    out = tmp_path / "sequence_rnn.json"
    sizes = ["--batch", "3", "--steps", "6", "--shortest", "2", "--input-size", "4"]
    sizes += ["--hidden-size", "4", "--layers", "2", "--repeats", "1", "--cells", "lstm"]
    result = sequence_rnn.main([*sizes, "--out", str(out)])
    assert json.loads(out.read_text()) == result
    assert [r["mode"] for r in result["results"]] == ["forward + backward", "forward"]
    assert all(r["padded"] > 0 and r["packed"] > 0 for r in result["results"])
