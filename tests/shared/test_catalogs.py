import pytest

from shared.catalogs import read_catalog, read_mo, read_po, translated_pairs
from tests.shared.catalog_files import write_mo, write_po


def test_po_charset_context_plural_fuzzy_and_continuations(tmp_path):
    entries = read_po(write_po(tmp_path / "fr.po"))
    by_id = {e.msgid: e for e in entries}
    assert "Obsolete" not in by_id
    assert by_id["_Open file"].msgstr == "_Ouvrir le fichier"
    assert by_id["File"].context == "menu"
    plural = by_id["%d file copied"]
    assert plural.msgid_plural == "%d files copied"
    assert plural.msgstr_plural == ["%d fichier copié", "%d fichiers copiés"]  # Latin-1 decoded
    assert by_id["Quit"].fuzzy and not by_id["File"].fuzzy
    assert by_id["A long message on two lines\n"].msgstr == "Un long message sur deux lignes\n"


def test_usable_pairs_skip_fuzzy_and_untranslated_and_keep_plurals(tmp_path):
    pairs = translated_pairs(read_po(write_po(tmp_path / "fr.po")))
    assert ("%d files copied", "%d fichiers copiés") in pairs
    assert ("%d file copied", "%d fichier copié") in pairs
    sources = [s for s, _ in pairs]
    assert "Quit" not in sources and "Untranslated" not in sources


@pytest.mark.parametrize("big_endian", [False, True])
def test_mo_charset_context_and_plurals(tmp_path, big_endian):
    messages = {
        "menu\x04File".encode("latin-1"): "Fichier".encode("latin-1"),
        b"Save": "Enregistrer".encode("latin-1"),
        b"%d file\x00%d files": "%d fichier supprimé\x00%d fichiers supprimés".encode("latin-1"),
    }
    path = write_mo(tmp_path / "x.mo", messages, charset="ISO-8859-1", big_endian=big_endian)
    entries = {e.msgid: e for e in read_catalog(path)}
    assert set(entries) == {"File", "Save", "%d file"}
    assert entries["File"].context == "menu"
    assert entries["%d file"].msgstr_plural[1] == "%d fichiers supprimés"
    assert ("%d files", "%d fichiers supprimés") in translated_pairs(list(entries.values()))


def test_not_a_catalog_is_a_value_error(tmp_path):
    (tmp_path / "bad.mo").write_bytes(b"not a catalog at all, no")
    with pytest.raises(ValueError, match="not a .mo catalog"):
        read_mo(tmp_path / "bad.mo")
    (tmp_path / "bad.po").write_text('msgid "a"\nthis is not po\n')
    with pytest.raises(ValueError, match="bad.po:2"):
        read_po(tmp_path / "bad.po")
    with pytest.raises(ValueError, match="expected .mo or .po"):
        read_catalog(tmp_path / "notes.txt")
