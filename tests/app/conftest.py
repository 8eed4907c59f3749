"""One real web-app server for the tests of this folder, started as a user would start it."""

from pathlib import Path

import pytest

from benchmarks.common import start_app

ROOT = Path(__file__).resolve().parents[2]


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
