"""One real web-app server for the tests of this folder, started as a user would start it."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(tmp_path: Path, *args: str) -> tuple[subprocess.Popen, str]:
    """Run ``python app.py --port N *args``; returns the process and its URL once it answers."""
    port = free_port()
    env = {
        **os.environ,
        "GRADIO_TEMP_DIR": str(tmp_path),
        "MPLCONFIGDIR": str(tmp_path),
        "HF_HUB_OFFLINE": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py"), "--port", str(port), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/gradio_api/info", timeout=2):
                break
        except urllib.error.HTTPError:
            break  # it answers (a login page under --auth)
        except OSError:
            time.sleep(0.5)
    if proc.poll() is not None:
        raise RuntimeError(f"app.py exited: {proc.stdout.read()}")
    return proc, f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    proc, url = start_app(tmp_path_factory.mktemp("app"))
    yield url
    proc.kill()
    proc.wait()


@pytest.fixture(scope="session")
def client(app_url):
    from gradio_client import Client

    return Client(app_url, verbose=False, analytics_enabled=False)
