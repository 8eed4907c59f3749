"""What a test does when a tool it needs is not installed."""

import os

import pytest


def missing(message: str) -> None:
    """Skip with an install hint; under CI a missing tool is a failure (``.ci/run`` installs
    every one the tests use)."""
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)
