"""More human parallel text, offline afterwards: the gettext catalogs of the Debian packages
listed in ``translation/packages.txt``, fetched once into a cache.

Each listed package is downloaded (``apt-get download``), unpacked (``dpkg -x``) into a
temporary folder, and its French and Simplified Chinese catalogs
(``usr/share/locale/{fr,zh_CN}/LC_MESSAGES/*.mo``) are kept under
``<cache>/catalogs/<lang>/<package>/``; the ``.deb`` is then deleted. ``manifest.json``
records every package that went in (version, size, catalogs) or why it was skipped, so a
run that stops resumes where it stopped, and a model card can say what trained it. Only
listed packages are ever fetched: catalogs of other packages are reserved for evaluation.

Examples:
    python -m translation.corpus --lang fr --packages 200       # the first 200 listed with French catalogs
    python -m translation.corpus --lang zh_CN --packages 0      # every listed package with Chinese ones
    python -m translation.corpus --descriptions                 # DDTP: Translation-en/fr/zh_CN
    python -m translation.train --src en --tgt fr \
        --data data/translation/catalogs/fr data/translation/apt-lists
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from tqdm.auto import tqdm

from shared.cli import script_parser
from shared.debian import download_debs, fetch_lists, package_sizes, unpack_deb

PACKAGE_LIST = Path(__file__).parent / "packages.txt"
CACHE = Path("data/translation")
LANGS = ("fr", "zh_CN")
MANIFEST = "manifest.json"


def listed_packages(path: Path = PACKAGE_LIST) -> list[str]:
    """The packages training may take catalogs from, in the list's order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def read_manifest(cache: Path) -> dict:
    path = cache / "catalogs" / MANIFEST
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _write_manifest(cache: Path, manifest: dict) -> None:
    path = cache / "catalogs" / MANIFEST
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    partial.replace(path)  # a run killed mid-write leaves the last good manifest


def harvest(package: str, deb: Path, cache: Path) -> dict:
    """Unpack one package's ``.deb``, keep its fr and zh_CN catalogs, delete the ``.deb``;
    returns what it gave."""
    try:
        with tempfile.TemporaryDirectory(dir=cache) as scratch:
            root = unpack_deb(deb, Path(scratch))
            found: dict[str, list[str]] = {}
            for lang in LANGS:
                folder = root / "usr" / "share" / "locale" / lang / "LC_MESSAGES"
                files = sorted(folder.glob("*.mo")) if folder.is_dir() else []
                if files:
                    target = cache / "catalogs" / lang / package
                    target.mkdir(parents=True, exist_ok=True)
                    for f in files:
                        shutil.copyfile(f, target / f.name)
                    found[lang] = [f.name for f in files]
        return {
            "version": deb.stem.split("_")[1],
            "deb_bytes": deb.stat().st_size,
            "catalogs": found,
        }
    finally:
        deb.unlink(missing_ok=True)


def fetch_catalogs(
    lang: str,
    packages: int,
    cache: Path = CACHE,
    max_deb_mb: float = 100.0,
    max_total_gb: float = 5.0,
    progress: bool = True,
    batch: int = 40,
) -> dict:
    """Harvest listed packages in order until ``packages`` of them gave ``lang`` catalogs
    (0: all of them), skipping debs over ``max_deb_mb`` and stopping once ``max_total_gb``
    have been downloaded in all (earlier runs included); ``batch`` packages are fetched by
    one ``apt-get download``. Returns the manifest."""
    if lang not in LANGS:
        raise ValueError(f"--lang must be one of {', '.join(LANGS)}, not {lang!r}")
    manifest = read_manifest(cache)
    listed = listed_packages()
    wanted = packages or len(listed)

    def have() -> int:  # packages that gave catalogs of ``lang`` so far
        return sum(1 for e in manifest.values() if lang in e.get("catalogs", {}))

    downloaded = sum(e.get("deb_bytes", 0) for e in manifest.values())
    todo = [p for p in listed if p not in manifest]
    bar = tqdm(
        total=len(listed), initial=len(listed) - len(todo), desc="packages", disable=not progress
    )
    for start in range(0, len(todo), batch):
        if have() >= wanted:
            break
        chunk = todo[start : start + batch]
        sizes = package_sizes(chunk)
        fetch, over_budget = [], False
        for package in chunk:
            size = sizes.get(package)
            if size is None:
                manifest[package] = {"skipped": "apt has no such package"}
            elif size > max_deb_mb * 2**20:
                manifest[package] = {
                    "skipped": f"{size / 2**20:.0f} MB, over --max-deb-mb {max_deb_mb:g}"
                }
            elif downloaded + size > max_total_gb * 2**30:
                over_budget = True  # left out of the manifest: a later run may take it
            else:
                fetch.append(package)
                downloaded += size
        try:
            debs = download_debs(fetch, cache / "debs") if fetch else {}
        except ValueError:  # one bad package fails the batch: fetch one by one instead
            debs = {}
            for package in fetch:
                try:
                    debs |= download_debs([package], cache / "debs")
                except ValueError as err:
                    manifest[package] = {"skipped": str(err)[-200:]}
        for package, deb in debs.items():
            try:
                manifest[package] = harvest(package, deb, cache)
            except subprocess.CalledProcessError as err:
                manifest[package] = {"skipped": f"dpkg -x failed: {err}"}
        _write_manifest(cache, manifest)
        bar.update(len(chunk))
        bar.set_postfix({lang: have()})
        if over_budget:
            bar.write(f"stopping: --max-total-gb {max_total_gb:g} reached")
            break
    bar.close()
    _write_manifest(cache, manifest)
    return manifest


def main(argv: list[str] | None = None) -> dict:
    parser = script_parser("translation.corpus", __doc__)
    parser.add_argument(
        "--lang", default="fr", choices=LANGS, help="catalog language (default: fr)"
    )
    parser.add_argument(
        "--packages",
        type=int,
        default=0,
        help="packages with catalogs of --lang to gather (default: 0, all listed)",
    )
    parser.add_argument("--cache", default=str(CACHE), help=f"cache folder (default: {CACHE})")
    parser.add_argument(
        "--max-deb-mb",
        type=float,
        default=100.0,
        help="skip packages bigger than this (default: 100)",
    )
    parser.add_argument(
        "--max-total-gb",
        type=float,
        default=5.0,
        help="stop after downloading this much in all (default: 5)",
    )
    parser.add_argument(
        "--descriptions",
        action="store_true",
        help="fetch the translated package descriptions (apt-get update into <cache>/apt-lists) instead",
    )
    args = parser.parse_args(argv)
    if args.descriptions:
        lists = fetch_lists(Path(args.cache) / "apt-lists", ("en", *LANGS))
        print(f"package descriptions in en, {', '.join(LANGS)}: {lists}")
        return {}
    manifest = fetch_catalogs(
        args.lang, args.packages, Path(args.cache), args.max_deb_mb, args.max_total_gb
    )
    for lang in LANGS:
        with_lang = [p for p, e in manifest.items() if lang in e.get("catalogs", {})]
        files = sum(len(manifest[p]["catalogs"][lang]) for p in with_lang)
        print(
            f"{lang}: {len(with_lang)} packages, {files} catalogs in {Path(args.cache) / 'catalogs' / lang}"
        )
    skipped = sum(1 for e in manifest.values() if "skipped" in e)
    print(
        f"{len(manifest)} packages looked at, {skipped} skipped (see {Path(args.cache) / 'catalogs' / MANIFEST})"
    )
    return manifest


if __name__ == "__main__":
    main()
