import pytest

from translation.text import (
    clean_message,
    extra_placeholders,
    mask_source,
    mask_target,
    missing_placeholders,
    placeholders,
    shout,
    shouted,
    unmask,
    unshout,
)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("_Open", "Open"),
        ("E_xit", "Exit"),
        ("&Save As…", "Save As…"),
        ("文件(_F)", "文件"),
        ("Fichier (&F)", "Fichier"),
        ("LC_ALL is not set", "LC_ALL is not set"),
        ("use file_name here", "use file_name here"),
        ("Tom & Jerry", "Tom & Jerry"),
        ("  two\n\tlines  ", "two lines"),
        ("bell\x07 and tab\t", "bell and tab"),
    ],
)
def test_cleaning_strips_accelerators_and_normalises_space(raw, clean):
    assert clean_message(raw) == clean


def test_placeholders_found():
    text = "copy %s to %d files, %1$s, %-10.3lf, %<PRIu64>, {0}, {name}, %(count)d, 100%"
    assert placeholders(text) == [
        "%s",
        "%d",
        "%1$s",
        "%-10.3lf",
        "%<PRIu64>",
        "{0}",
        "{name}",
        "%(count)d",
    ]


def test_mask_then_unmask_restores_placeholders():
    masked, found = mask_source("cannot copy %s to %s: %d")
    assert masked == "cannot copy <ph0> to <ph1>: <ph2>" and found == ["%s", "%s", "%d"]
    target = mask_target("impossible de copier %2$s vers %1$s : %d", found)
    assert target == "impossible de copier <ph1> vers <ph0> : <ph2>"
    assert unmask("copie <ph1> vers <ph0> <ph9>", found) == "copie %s vers %s"


def test_missing_placeholders_counts_repeats():
    assert missing_placeholders("from %s to %s", "de %s") == ["%s"]
    assert missing_placeholders("{0} of {1}", "{1} sur {0}") == []


def test_extra_placeholders_counts_repeats():
    assert extra_placeholders("by %s, %s", "par %s, %s, %s et %s") == ["%s", "%s"]
    assert extra_placeholders("{0} of {1}", "{1} sur {0}") == []
    assert extra_placeholders("%d files", "%d fichiers (%s)") == ["%s"]


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (
            "See http://lists.debian.org/pkg-exim4-users. Or mail me@example.org.",
            ["http://lists.debian.org/pkg-exim4-users", "me@example.org"],
        ),
        ("Edit /etc/fstab, then ~/.config/app/x.conf.", ["/etc/fstab", "~/.config/app/x.conf"]),
        ("Use `-P' or --log=FILE with %s", ["-P", "--log=FILE", "%s"]),
        ("invalid -mbranch= option", ["-mbranch="]),
        # Hyphenated words, fractions, dashes and a lone slash are words, not options or paths.
        ("e-mail and/or X-Window, 1/2 or 3/4/5 - a -1 dash", []),
    ],
)
def test_addresses_paths_and_options_are_placeholders(text, kept):
    assert placeholders(text) == kept


def test_a_masked_url_comes_back_whole():
    source = "See https://example.org/a/b.html for --help"
    masked, found = mask_source(source)
    assert masked == "See <ph0> for <ph1>" and found == ["https://example.org/a/b.html", "--help"]
    assert mask_target("Voir https://example.org/a/b.html pour --help", found) == (
        "Voir <ph0> pour <ph1>"
    )
    assert unmask("Voir <ph0> pour <ph1>", found) == "Voir https://example.org/a/b.html pour --help"


def test_emoji_are_kept_as_written():
    masked, found = mask_source("I love this app 😀 👍🏽 and ✓ this")
    assert masked == "I love this app <ph0> <ph1> and <ph2> this"
    assert found == ["😀", "👍🏽", "✓"]


@pytest.mark.parametrize(
    ("source", "loud", "read"),
    [
        ("PLEASE SAVE YOUR WORK", True, "Please save your work"),
        ("NOTE: <ph0> IS FULL", True, "Note: <ph0> is full"),
        ("ÉCHEC DU DISQUE", True, "Échec du disque"),
        ("USB", False, None),  # an acronym alone is not shouting
        ("Save <ph0> to USB", False, None),
        ("%B %e %Y, %I:%M:%S %p", False, None),  # a date format: letters after % are not words
    ],
)
def test_a_source_in_capitals_is_read_in_sentence_case(source, loud, read):
    assert shouted(source) is loud
    if loud:
        assert unshout(source) == read


def test_a_translation_goes_back_to_capitals_but_its_markers_and_formats_do_not():
    assert shout("Impossible à ouvrir <ph0> : %p échec") == "IMPOSSIBLE À OUVRIR <ph0> : %p ÉCHEC"
