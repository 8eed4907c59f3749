"""The web app starts, answers, and shuts down cleanly."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import captioning
from captioning.metrics import triples
from captioning.scenes import SPLIT_SEEDS, render_scene

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check_translate_endpoint(url: str) -> None:
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    client = Client(url, verbose=False, analytics_enabled=False)
    text, _ = client.predict("Permission denied", api_name="/translate")
    assert isinstance(text, str) and text.strip()
    try:
        client.predict("x" * 5000, api_name="/translate")
    except AppError as err:
        assert "limit" in str(err)
    else:
        raise AssertionError("overlong text was accepted")
    text, _ = client.predict("No such file or directory", api_name="/translate")  # still serving
    assert text.strip()


def check_caption_endpoint(url: str, tmp_path: Path) -> None:
    from gradio_client import Client, handle_file
    from gradio_client.exceptions import AppError

    client = Client(url, verbose=False, analytics_enabled=False)
    scene = render_scene(SPLIT_SEEDS["test"] + 900_001)
    scene.image.save(tmp_path / "scene.png")
    text, gallery = client.predict(handle_file(str(tmp_path / "scene.png")), api_name="/caption")
    assert triples(text), text
    assert len(gallery) == len(text.replace(",", " ,").split())
    (tmp_path / "notes.png").write_text("not an image")
    try:
        client.predict(handle_file(str(tmp_path / "notes.png")), api_name="/caption")
    except AppError:
        pass  # Gradio refuses a non-image before our function runs, with an error to the client
    else:
        raise AssertionError("a non-image was captioned")


def test_app_serves_then_stops_cleanly_on_sigterm(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "GRADIO_TEMP_DIR": str(tmp_path),
        "MPLCONFIGDIR": str(tmp_path),
        "HF_HUB_OFFLINE": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py"), "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.time() + 90
        config = None
        while time.time() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/config", timeout=2) as r:
                    config = r.read().decode()
                break
            except OSError:
                time.sleep(0.5)
        assert config is not None, proc.stdout.read() if proc.poll() is not None else "no answer"
        for tab in ("Image captioning", "Speech recognition", "Translation"):
            assert tab in config
        check_translate_endpoint(f"http://127.0.0.1:{port}/")
        if captioning.list_pretrained():
            check_caption_endpoint(f"http://127.0.0.1:{port}/", tmp_path)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
