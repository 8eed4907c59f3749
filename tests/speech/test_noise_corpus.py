"""speech.noise_corpus: audio files kept from a package, the cache reused, failures noted."""

import json
import shutil
import subprocess

import numpy as np
import pytest
import soundfile as sf

from speech.augment import NoiseBank
from speech.noise_corpus import collect


def _fake_deb(cache, name="fake-sounds"):
    """A real .deb (dpkg-deb) holding one recording and one text file."""
    root = cache / "build"
    (root / "DEBIAN").mkdir(parents=True)
    (root / "DEBIAN" / "control").write_text(
        f"Package: {name}\nVersion: 1.0\nArchitecture: all\nMaintainer: x <x@example.org>\n"
        "Description: test sounds\n"
    )
    sounds = root / "usr" / "share" / "sounds" / name
    sounds.mkdir(parents=True)
    rain = np.random.default_rng(0).standard_normal(16000 * 3).astype(np.float32) * 0.1
    sf.write(sounds / "rain.wav", rain, 16000)
    (sounds / "README").write_text("not audio")
    subprocess.run(
        ["dpkg-deb", "--build", str(root), str(cache / f"{name}_1.0_all.deb")],
        check=True,
        capture_output=True,
    )
    shutil.rmtree(root)


def test_collect_keeps_audio_from_cached_packages_and_notes_failures(tmp_path, monkeypatch):
    if shutil.which("dpkg-deb") is None:
        pytest.skip("dpkg-deb is not installed (Debian's dpkg)")
    out = tmp_path / "noise"
    (out / "debs").mkdir(parents=True)
    _fake_deb(out / "debs")

    def no_network(package, cache):
        raise ValueError(f"apt-get download {package} failed: unable to locate package")

    import speech.noise_corpus as noise_corpus

    original = noise_corpus.download_deb
    monkeypatch.setattr(
        noise_corpus,
        "download_deb",
        lambda package, cache: (
            original(package, cache) if package == "fake-sounds" else no_network(package, cache)
        ),
    )
    sources = collect(["fake-sounds", "missing-package"], out, max_mb=100)
    assert sources["fake-sounds"]["audio_files"] == 1
    assert "unable to locate" in sources["missing-package"]["skipped"]
    assert json.loads((out / "sources.json").read_text()) == sources
    kept = list((out / "fake-sounds").iterdir())
    assert [p.suffix for p in kept] == [".wav"]
    assert len(NoiseBank([out])) == 1  # 3 s: one piece
    assert collect(["fake-sounds"], out, max_mb=0.000001)["fake-sounds"]["skipped"]
