"""Collect recorded background sound from Debian packages for ``speech.train --noise-dir``:
sound themes, game ambience and music (Debian main: free to use and redistribute).

Each package is fetched with ``apt-get download`` (into a cache: running again downloads
nothing new), unpacked with ``dpkg -x`` and only its audio files kept, under
``OUT/<package>/``; ``OUT/sources.json`` records which packages went in. Packages over the
size cap are skipped with a note.

Examples:
    python -m speech.noise_corpus --out data/noise
    python -m speech.noise_corpus --out data/noise --packages oxygen-sounds pingus-data
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from tqdm.auto import tqdm

from shared.cli import run_script, script_parser
from shared.debian import download_deb, unpack_deb

# Sound themes (short effects), a desktop's sounds, and two games' ambience and music.
PACKAGES = (
    "sound-theme-freedesktop",
    "oxygen-sounds",
    "yaru-theme-sound",
    "gnome-audio",
    "pingus-data",
    "lincity-ng-data",
)
AUDIO = (".wav", ".ogg", ".oga", ".flac", ".mp3")


def extract_audio(deb: Path, out: Path) -> list[Path]:
    """Unpack ``deb`` and keep its audio files under ``out`` (flattened names)."""
    out.mkdir(parents=True, exist_ok=True)
    kept = []
    with tempfile.TemporaryDirectory() as folder:
        unpack_deb(deb, Path(folder))
        for path in sorted(Path(folder).rglob("*")):
            if path.suffix.lower() in AUDIO and path.is_file() and not path.is_symlink():
                target = out / "_".join(path.relative_to(folder).parts[-3:])
                shutil.copyfile(path, target)
                kept.append(target)
    return kept


def collect(packages: list[str], out: Path, max_mb: float) -> dict:
    """Fetch, unpack and keep the audio of each package; returns what ``sources.json`` holds."""
    cache = out / "debs"
    sources: dict[str, dict] = {}
    for package in tqdm(packages, desc="packages"):
        try:
            deb = download_deb(package, cache)
        except ValueError as err:
            sources[package] = {"skipped": str(err)}
            continue
        size_mb = deb.stat().st_size / 1e6
        if size_mb > max_mb:
            sources[package] = {"skipped": f"{size_mb:.0f} MB is over --max-mb {max_mb:g}"}
            continue
        files = extract_audio(deb, out / package)
        sources[package] = {"deb": deb.name, "audio_files": len(files)}
    (out / "sources.json").write_text(json.dumps(sources, indent=2) + "\n", encoding="utf-8")
    return sources


def main(argv: list[str] | None = None) -> dict:
    parser = script_parser("speech.noise_corpus", __doc__)
    parser.add_argument("--out", default="data/noise", help="folder (default: data/noise)")
    parser.add_argument(
        "--packages", nargs="+", default=list(PACKAGES), help="Debian packages to take sound from"
    )
    parser.add_argument(
        "--max-mb", type=float, default=100.0, help="skip packages larger than this (default: 100)"
    )
    args = parser.parse_args(argv)
    sources = collect(args.packages, Path(args.out), args.max_mb)
    for package, record in sources.items():
        print(f"{package}: {record.get('audio_files', 0)} audio files {record.get('skipped', '')}")
    return sources


if __name__ == "__main__":
    run_script(main)
