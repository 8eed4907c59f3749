import pytest

from tests.shared.catalog_files import write_mo
from translation.data import (
    catalog_pairs,
    find_catalogs,
    load_pairs,
    locale_dir,
    read_parallel,
    read_tsv,
)
from translation.split import SPLITS, recorded_held_out, split_by_kind, split_by_origin


def make_catalogs(root, count=12, per=20):
    """``count`` catalogs; a few messages are shared across catalogs, as in real ones."""
    for c in range(count):
        messages = {
            f"message {i} of package {c}".encode(): f"message {i} du paquet {c}".encode()
            for i in range(per)
        }
        messages[b"Permission denied"] = b"Permission refus\xc3\xa9e"
        write_mo(root / f"pkg{c}.mo", messages)
    return root


def test_split_by_catalog_never_leaks(tmp_path):
    pairs = catalog_pairs(find_catalogs([make_catalogs(tmp_path)]))
    splits = split_by_origin(pairs, valid_share=0.1, test_share=0.2, seed=3)
    train, valid, test = (set(splits.origins(s)) for s in ("train", "valid", "test"))
    assert test and valid and train
    assert not (train & test) and not (train & valid) and not (valid & test)
    test_sources = {p.source for p in splits.test}
    assert test_sources.isdisjoint(p.source for p in splits.train)
    assert test_sources.isdisjoint(p.source for p in splits.valid)
    assert "Permission denied" in test_sources  # shared message: held out, so gone from training
    assert len(splits.test) == len({(p.source, p.target) for p in splits.test})  # no duplicates


def test_recorded_held_out_catalogs_survive_a_changed_archive(tmp_path):
    root = make_catalogs(tmp_path, count=20)
    pairs = catalog_pairs(find_catalogs([root]))
    first = split_by_kind(pairs, valid_share=0.1, test_share=0.2, seed=3)
    info = {f"{s}_catalogs": first.origins(s) for s in SPLITS}
    # The same data with the recorded catalogs: the very same split, pair for pair.
    assert split_by_kind(pairs, 0.1, 0.2, 3, recorded_held_out(info)) == first

    # A later fetch: one held-out catalog gone, new packages translated.
    (root / f"{first.origins('test')[0]}.mo").unlink()
    for c in range(20, 30):
        write_mo(
            root / f"pkg{c}.mo", {f"New message {c} {i}".encode(): b"Nouveau" for i in range(20)}
        )
    later = catalog_pairs(find_catalogs([root]))
    again = split_by_kind(later, 0.1, 0.2, 3, recorded_held_out(info))
    for split in SPLITS:
        assert set(again.origins(split)) <= set(info[f"{split}_catalogs"])
    assert again.origins("valid") == first.origins("valid")
    assert again.origins("test") == first.origins("test")[1:]
    assert {f"pkg{c}" for c in range(20, 30)} <= set(again.origins("train"))
    # Shuffled afresh, the changed set of catalogs holds out others: the record is what keeps
    # a continued or re-scored model's test catalogs unseen.
    fresh = split_by_kind(later, 0.1, 0.2, 3)
    assert fresh.origins("test") != again.origins("test")
    assert recorded_held_out({}) is None


def test_iso_code_lists_always_train(tmp_path):
    make_catalogs(tmp_path, count=6)
    write_mo(
        tmp_path / "iso_639-3.mo",
        {f"Language {i}".encode(): f"Langue {i}".encode() for i in range(5)},
    )
    pairs = catalog_pairs(find_catalogs([tmp_path]))
    for seed in range(5):
        assert "iso_639_3" in split_by_origin(pairs, 0.2, 0.3, seed).origins("train")


def test_cleaning_and_filters_apply_to_catalogs(tmp_path):
    write_mo(tmp_path / "a.mo", {b"_Open": b"_Ouvrir", b"OK": b"OK", b"x " * 200: b"y"})
    assert [(p.source, p.target) for p in catalog_pairs([tmp_path / "a.mo"])] == [
        ("Open", "Ouvrir")
    ]


def test_tsv_and_parallel_files(tmp_path):
    (tmp_path / "eng-fra.txt").write_text(
        "Go.\tVa !\tCC-BY 2.0 #1\nHi.\tSalut !\n\n", encoding="utf-8"
    )
    assert [(p.source, p.target) for p in read_tsv(tmp_path / "eng-fra.txt")] == [
        ("Go.", "Va !"),
        ("Hi.", "Salut !"),
    ]
    (tmp_path / "train.en").write_text("a cat\na dog\n")
    (tmp_path / "train.fr").write_text("un chat\nun chien\n")
    pairs = load_pairs("en", "fr", [f"{tmp_path / 'train.en'},{tmp_path / 'train.fr'}"])
    assert [p.target for p in pairs] == ["un chat", "un chien"]
    (tmp_path / "short.fr").write_text("un chat\n")
    with pytest.raises(ValueError, match="2 lines but"):
        read_parallel(tmp_path / "train.en", tmp_path / "short.fr")
    (tmp_path / "bad.tsv").write_text("no tab here\n")
    with pytest.raises(ValueError, match="bad.tsv:1"):
        read_tsv(tmp_path / "bad.tsv")


def test_missing_language_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="no gettext catalogs for 'xx'"):
        locale_dir("xx", tmp_path)


def test_weigh_prose_repeats_only_the_description_pairs():
    from translation.data import Pair, weigh_prose
    from translation.descriptions import ORIGIN_PREFIX

    messages = [Pair("Open", "Ouvrir", "gedit"), Pair("Quit", "Quitter", "gedit")]
    prose = [Pair("A text editor.", "Un éditeur de texte.", f"{ORIGIN_PREFIX}gedit")]
    pairs = messages + prose
    assert weigh_prose(pairs, 1) == pairs
    tripled = weigh_prose(pairs, 3)
    assert tripled[: len(pairs)] == pairs and tripled.count(prose[0]) == 3
    assert [p for p in tripled if p in messages] == messages  # messages once each
    with pytest.raises(ValueError, match="at least 1"):
        weigh_prose(pairs, 0)
