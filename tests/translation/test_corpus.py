"""More parallel text: catalogs of listed Debian packages (a real .deb built here, apt
replaced by the cache), package descriptions with their translations, sentence alignment."""

import json
import subprocess

import pytest

from tests.missing import missing
from tests.shared.catalog_files import write_mo
from translation import corpus
from translation.align import align, split_units
from translation.data import KINDS, Pair, kind_of, load_pairs, read_tsv
from translation.descriptions import description_pairs, paragraph_pairs
from translation.split import split_by_kind


def test_sentences_are_cut_and_paired_by_length():
    en = split_units("It is small. It runs fast and uses little memory. It is free.", "en")
    fr = split_units("Il est petit. Il est rapide et consomme peu de mémoire. Il est libre.", "fr")
    assert [s for s, _ in align(en, fr)] == en
    assert align(en, fr)[1][1] == "Il est rapide et consomme peu de mémoire."
    # One French sentence translating two English ones: a 2-1 match.
    joined = split_units("Il est petit et rapide, et consomme peu de mémoire. Il est libre.", "fr")
    pairs = align(en, joined)
    assert pairs[0] == ("It is small. It runs fast and uses little memory.", joined[0])
    assert pairs[1] == ("It is free.", "Il est libre.")


def test_chinese_sentences_and_list_items_are_units():
    assert split_units("这是一个工具。它很快！可以用于 apt 源。", "zh_CN") == [
        "这是一个工具。",
        "它很快！",
        "可以用于 apt 源。",
    ]
    items = split_units("Features:\n * fast\n * small and\n   free", "en")
    assert items == ["Features:", "fast", "small and free"]
    assert align([], ["x"]) == []


def _index(path, lang, records):
    text = "\n\n".join(
        f"Package: {package}\nDescription-md5: {md5}\nDescription-{lang}: "
        + description.replace("\n", "\n ").replace("\n \n", "\n .\n")
        for package, md5, description in records
    )
    path.write_text(text + "\n", encoding="utf-8")


def test_descriptions_pair_by_md5_and_keep_their_package(tmp_path):
    _index(
        tmp_path / "deb_Translation-en",
        "en",
        [
            ("tool", "aa", "small tool\nIt is small. It is fast.\n\nIt is free."),
            ("game", "bb", "a game\nPlay it."),
            ("lone", "cc", "no translation\nNothing."),
        ],
    )
    _index(
        tmp_path / "deb_Translation-fr",
        "fr",
        [
            ("tool", "aa", "petit outil\nIl est petit. Il est rapide.\n\nIl est libre."),
            ("game", "bb", "un jeu\nJouez-y.\n\nUn paragraphe de plus."),
        ],
    )
    pairs = description_pairs(tmp_path, "fr")
    assert ("small tool", "petit outil", "ddtp:tool") in pairs
    assert ("It is fast.", "Il est rapide.", "ddtp:tool") in pairs
    assert ("It is free.", "Il est libre.", "ddtp:tool") in pairs
    # The game's translation has another paragraph count: only its summary pairs.
    assert [p for p in pairs if p[2] == "ddtp:game"] == [("a game", "un jeu", "ddtp:game")]
    assert paragraph_pairs("a\nb.", "x\ny.", "fr") == [("a", "x"), ("b.", "y.")]
    with pytest.raises(ValueError, match="Translation-zh_CN"):
        description_pairs(tmp_path, "zh_CN")


def test_both_kinds_of_text_are_held_out(tmp_path):
    records_en, records_fr = [], []
    for i in range(60):
        records_en.append((f"pkg{i}", f"m{i}", f"tool number {i}\nIt does thing {i} well."))
        records_fr.append((f"pkg{i}", f"m{i}", f"outil numéro {i}\nIl fait la chose {i} bien."))
    _index(tmp_path / "deb_Translation-en", "en", records_en)
    _index(tmp_path / "deb_Translation-fr", "fr", records_fr)
    catalogs = tmp_path / "catalogs"
    for i in range(30):
        write_mo(
            catalogs / f"app{i}.mo", {f"Open file {i}".encode(): f"Ouvrir le fichier {i}".encode()}
        )
    pairs = load_pairs("en", "fr", [str(catalogs), str(tmp_path)])
    splits = split_by_kind(pairs, valid_share=0.1, test_share=0.2, seed=1)
    for split in (splits.test, splits.valid):
        kinds = {p.origin.startswith("ddtp:") for p in split}
        assert kinds == {True, False}, split
    held = {p.source for p in splits.test + splits.valid}
    assert not held & {p.source for p in splits.train}


def _fake_deb(folder, package):
    root = folder / f"{package}-root"
    for lang in ("fr", "zh_CN"):
        write_mo(
            root / "usr/share/locale" / lang / "LC_MESSAGES" / f"{package}.mo",
            {b"Quit": ("Quitter" if lang == "fr" else "退出").encode()},
        )
    (root / "DEBIAN").mkdir()
    (root / "DEBIAN" / "control").write_text(
        f"Package: {package}\nVersion: 1.0-1\nArchitecture: all\nMaintainer: t <t@t>\nDescription: t\n"
    )
    deb = folder / f"{package}_1.0-1_all.deb"
    subprocess.run(["dpkg-deb", "--build", str(root), str(deb)], check=True, capture_output=True)
    return deb


def test_listed_packages_are_harvested_and_the_run_resumes(tmp_path, monkeypatch):
    import shutil

    if shutil.which("dpkg-deb") is None:
        missing("dpkg-deb is not installed: sudo apt-get install dpkg")
    (tmp_path / "list.txt").write_text("# comment\nalpha\nbeta\nhuge\nghost\n")
    built = {p: _fake_deb(tmp_path, p) for p in ("alpha", "beta")}
    fetched = []

    def fake_download(packages, cache):
        cache.mkdir(parents=True, exist_ok=True)
        fetched.extend(packages)
        return {p: shutil.copy(built[p], cache / built[p].name) for p in packages}

    listed = corpus.listed_packages(tmp_path / "list.txt")
    assert listed == ["alpha", "beta", "huge", "ghost"]
    monkeypatch.setattr(corpus, "listed_packages", lambda: listed)
    monkeypatch.setattr(corpus, "download_debs", fake_download)
    monkeypatch.setattr(
        corpus,
        "package_sizes",
        lambda ps: {p: (10**9 if p == "huge" else 1000) for p in ps if p != "ghost"},
    )
    cache = tmp_path / "cache"
    manifest = corpus.fetch_catalogs("fr", 1, cache, progress=False, batch=1)
    assert list(manifest) == ["alpha"] and fetched == ["alpha"]
    assert (cache / "catalogs/fr/alpha/alpha.mo").is_file() and not list(
        (cache / "debs").glob("*.deb")
    )
    manifest = corpus.fetch_catalogs("fr", 0, cache, progress=False, batch=2)  # resumes
    assert fetched == ["alpha", "beta"]
    assert manifest["beta"]["catalogs"] == {"fr": ["beta.mo"], "zh_CN": ["beta.mo"]}
    assert "over --max-deb-mb" in manifest["huge"]["skipped"]
    assert manifest["ghost"] == {"skipped": "apt has no such package"}
    assert json.loads((cache / "catalogs/manifest.json").read_text()) == manifest
    pairs = load_pairs("en", "fr", [str(cache / "catalogs/fr")])
    assert {(p.source, p.target) for p in pairs} == {("Quit", "Quitter")}
    with pytest.raises(ValueError, match="--lang"):
        corpus.fetch_catalogs("de", 1, cache)


def test_a_model_trained_on_both_kinds_is_scored_per_kind(catalogs, tmp_path):
    from tests.translation.conftest import TINY
    from translation.evaluate import main as evaluate
    from translation.train import main as train

    english, french = [], []
    for i in range(40):
        english.append((f"pkg{i}", f"m{i}", f"the tool number {i}\nIt saves the file {i}."))
        french.append((f"pkg{i}", f"m{i}", f"l'outil numéro {i}\nIl enregistre le fichier {i}."))
    _index(tmp_path / "deb_Translation-en", "en", english)
    _index(tmp_path / "deb_Translation-fr", "fr", french)
    model = train(
        [
            "--data",
            str(catalogs),
            str(tmp_path),
            "--out",
            str(tmp_path / "run"),
            "--max-steps",
            "4",
            *TINY,
        ]
    )
    table = evaluate(
        ["--model", str(model), "--by-kind", "--beam-size", "1", "--record", "held out"]
    )
    assert {"messages/all", "prose/all"} <= set(table)
    assert all(row["pairs"] > 0 and 0 <= row["bleu"] <= 100 for row in table.values())
    card = (model / "README.md").read_text()
    assert "held out: package descriptions" in card and "held out: software messages" in card
    assert "sentences of package descriptions)" in card and "the descriptions of" in card
    # The shipped sample keeps both kinds, each named by its origin, for the floors.
    sample = read_tsv(model / "test_sample.tsv", origin_column=2)
    assert {kind_of(p.origin) for p in sample} == set(KINDS)
    by_sample = evaluate(["--model", str(model), "--sample", "--by-kind", "--beam-size", "1"])
    assert {"messages/all", "prose/all"} <= set(by_sample)
    # --kind scores one kind alone: the same pairs and figures as that kind's row.
    prose_only = evaluate(
        ["--model", str(model), "--sample", "--by-kind", "--kind", "prose", "--beam-size", "1"]
    )
    assert {k.split("/")[0] for k in prose_only} == {"prose"}
    assert prose_only["prose/all"] == by_sample["prose/all"]


def test_the_test_sample_draws_each_kind_apart(tmp_path):
    from translation.release import SAMPLE_PER_KIND, write_test_sample

    messages = [Pair(f"message {i}", f"le message {i}", f"cat{i % 7}") for i in range(1000)]
    prose = [Pair(f"sentence {i}", f"phrase {i}", f"ddtp:pkg{i}") for i in range(40)]
    written = write_test_sample(tmp_path, messages + prose)
    again = write_test_sample(tmp_path, messages + prose)
    assert written == again  # a fixed seed
    assert sum(kind_of(p.origin) == "messages" for p in written) == SAMPLE_PER_KIND
    assert {p for p in written if kind_of(p.origin) == "prose"} == set(prose)
    assert read_tsv(tmp_path / "test_sample.tsv", origin_column=2) == written
