"""The web app as a client program uses it: each endpoint with real inputs, each error path,
then a clean shutdown."""

import json
import os
import signal
import subprocess
import sys
import urllib.request

import numpy as np
import pytest
import soundfile as sf
from gradio_client import handle_file
from gradio_client.exceptions import AppError, AuthenticationError

from benchmarks.common import start_app
from captioning.metrics import triples
from captioning.scenes import SPLIT_SEEDS, render_scene
from shared.metrics import cer
from speech.tab import EXAMPLES_DIR as SPEECH_EXAMPLES
from tests.app.conftest import ROOT
from video import VideoTagger
from video.tab import EXAMPLES_DIR as VIDEO_EXAMPLES

pytestmark = pytest.mark.slow

# The bundled examples were made with speech.synthesize from held-out sentences.
SPOKEN = {
    "example-1.wav": "action on title bar double click",
    "example-2.wav": "canceling statement due to conflict with recovery",
}


def test_page_has_every_tab(app_url):
    with urllib.request.urlopen(app_url + "config", timeout=10) as r:
        config = r.read().decode()
    tabs = (
        "Image captioning",
        "Speech recognition",
        "Translation",
        "Intent",
        "Text generation",
        "Video tagging",
        "How it works",
    )
    for tab in tabs:
        assert tab in config


def test_translate(client):
    text, plot = client.predict("Permission denied", api_name="/translate")
    assert text.strip() and text != "Permission denied"
    assert plot is not None
    with pytest.raises(AppError, match="limit"):
        client.predict("x" * 5000, api_name="/translate")
    text, _ = client.predict("No such file or directory", api_name="/translate")  # still serving
    assert text.strip()


def test_classify(client):
    label, slots, per_step, states, influence, compare, padded = client.predict(
        "what's the weather like in Lisbon", "lstm", 0, api_name="/classify"
    )
    assert label["label"] == "ask_weather"
    assert any(
        entry["token"] == "Lisbon" and entry["class_or_confidence"] == "location" for entry in slots
    ), slots
    assert all(plot is not None for plot in (per_step, states, influence))
    assert len(compare["data"]) == 3
    with pytest.raises(AppError, match="limit"):
        client.predict("x" * 600, "gru", 0, api_name="/classify")


def test_generate_fill_and_score(client):
    text, coloured = client.predict("ROMEO.\n", "shakespeare", 40, 0.8, 0, 7, api_name="/generate")
    assert len(text) == 40 and 'class="tg-token"' in coloured
    again, _ = client.predict("ROMEO.\n", "shakespeare", 40, 0.8, 0, 7, api_name="/generate")
    assert again == text
    fills = client.predict(
        "Good ___, sweet prince", "night, dog", "shakespeare", api_name="/fill_blank"
    )
    assert fills["data"][0][0] == "night"
    summary, _ = client.predict(
        "Now is the winter of our discontent", "shakespeare", api_name="/score"
    )
    assert "bits per character" in summary
    with pytest.raises(AppError, match="limit"):
        client.predict("x" * 3000, "shakespeare", 10, 0.8, 0, 1, api_name="/generate")


def test_caption(client, tmp_path):
    scene = render_scene(SPLIT_SEEDS["test"] + 900_001)
    scene.image.save(tmp_path / "scene.png")
    text, gallery = client.predict(handle_file(str(tmp_path / "scene.png")), api_name="/caption")
    assert triples(text) == triples(scene.caption), (text, scene.caption)
    assert len(gallery) == len(text.replace(",", " ,").split())
    (tmp_path / "notes.png").write_text("not an image")
    with pytest.raises(AppError, match="notes.png is not a readable image"):
        client.predict(handle_file(str(tmp_path / "notes.png")), api_name="/caption")
    text, _ = client.predict(handle_file(str(tmp_path / "scene.png")), api_name="/caption")
    assert text  # still serving


def test_transcribe(client, tmp_path):
    for name, said in SPOKEN.items():
        text, plot, words = client.predict(
            handle_file(str(SPEECH_EXAMPLES / name)), api_name="/transcribe"
        )
        # The app's plumbing, not the model's floor (tests/speech/test_shipped_model.py):
        # measured CER 0.0 on example-2 and 0.22 on example-1 ("double" lost: the model that
        # learned MBROLA's and Pico's voices hears "bardable", where the one before got 0.0).
        assert cer([said], [text]) < 0.25, text
        assert plot is not None
        assert [w for w, _, _ in words["data"]] == text.split()
    sf.write(tmp_path / "silence.wav", np.zeros(16000, np.float32), 16000)
    text, _, words = client.predict(
        handle_file(str(tmp_path / "silence.wav")), api_name="/transcribe"
    )
    assert text == "" and not words["data"]
    noise = (np.random.default_rng(0).standard_normal(16000 * 70) * 0.01).astype(np.float32)
    sf.write(tmp_path / "long.wav", noise, 16000, subtype="PCM_16")
    with pytest.raises(AppError, match="limit"):
        client.predict(handle_file(str(tmp_path / "long.wav")), api_name="/transcribe")
    (tmp_path / "big.wav").write_bytes(os.urandom(11 * 1024 * 1024))
    with pytest.raises(ValueError, match="maximum file size"):
        client.predict(handle_file(str(tmp_path / "big.wav")), api_name="/transcribe")
    # Greedy letters, no language model: still close to what was said.
    text, _, _ = client.predict(
        handle_file(str(SPEECH_EXAMPLES / "example-1.wav")),
        "tts-en",
        1,
        False,
        api_name="/transcribe",
    )
    assert cer([SPOKEN["example-1.wav"]], [text]) < 0.2, text  # and still serving


def test_auth_model_override_and_clean_shutdown(tmp_path):
    from gradio_client import Client

    from translation.inference import PRETRAINED_DIR

    proc, url = start_app(
        tmp_path,
        *("--auth", "ada:lovelace", "--concurrency", "1"),
        *("--translation-model", str(PRETRAINED_DIR / "en-zh")),
    )
    try:
        with pytest.raises(AuthenticationError, match="credentials were not provided"):
            Client(url, verbose=False, analytics_enabled=False).predict(
                "Open", api_name="/translate"
            )
        client = Client(url, auth=("ada", "lovelace"), verbose=False, analytics_enabled=False)
        # The folder given on the command line is the default model: Chinese comes out.
        text, _ = client.predict("Open file", api_name="/translate")
        assert any("\u4e00" <= c <= "\u9fff" for c in text), text
        info = json.dumps(client.view_api(print_info=False, return_format="dict"))
        assert "/transcribe" in info and "/caption" in info
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--concurrency", "0"], "--concurrency must be at least 1"),
        (["--auth", "nopassword"], "USER:PASSWORD"),
        (["--speech-model", "/nonexistent"], "/nonexistent is not a usable model folder"),
        (["--threads", "0"], "--threads must be at least 1"),
    ],
)
def test_bad_flags_are_refused_with_a_message(flags, message):
    done = subprocess.run(
        [sys.executable, str(ROOT / "app.py"), *flags], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2 and message in done.stderr, done.stderr


def test_broken_model_folder_is_refused_at_start(tmp_path):
    import shutil

    from speech.inference import PRETRAINED_DIR

    folder = tmp_path / "broken"
    shutil.copytree(PRETRAINED_DIR / "tts-en", folder)
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps(config | {"hidden_size": 128}))
    done = subprocess.run(
        [sys.executable, str(ROOT / "app.py"), "--speech-model", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert f"{folder} is not a usable model folder" in done.stderr
    assert "size mismatch" in done.stderr and "Traceback" not in done.stderr


def test_describe_video(client, tmp_path):
    example = VIDEO_EXAMPLES / "clip-2000900009.mp4"
    text, strip, heatmap, places = client.predict(
        handle_file(str(example)), "shapes", 3, api_name="/describe"
    )
    assert (
        text and text == VideoTagger.from_pretrained("shapes").describe(example, beam_size=3).text
    )
    assert strip and heatmap is not None and places  # the shipped model attends over places
    (tmp_path / "notes.webm").write_bytes(b"\x1a\x45\xdf\xa3" + b"junk" * 100)
    with pytest.raises(AppError, match="not a readable video"):
        client.predict(handle_file(str(tmp_path / "notes.webm")), "shapes", 3, api_name="/describe")
