"""Writes small gettext catalogs for the tests, in .po and compiled .mo form."""

from __future__ import annotations

import struct
from pathlib import Path


def write_mo(
    path: Path, messages: dict[bytes, bytes], charset: str = "UTF-8", big_endian: bool = False
) -> Path:
    """A .mo file as msgfmt writes it: header entry, then the messages sorted by msgid.

    Keys and values are already encoded; contexts are ``ctx\\x04msgid``, plurals
    ``singular\\x00plural`` -> ``form0\\x00form1``.
    """
    header = f"Content-Type: text/plain; charset={charset}\nPlural-Forms: nplurals=2; plural=(n > 1);\n".encode(
        "ascii"
    )
    entries = sorted({b"": header, **messages}.items())
    order = ">" if big_endian else "<"
    count = len(entries)
    originals_at = 28
    translations_at = originals_at + 8 * count
    data_at = translations_at + 8 * count
    blob = b""
    originals, translations = [], []
    for key, _ in entries:
        originals.append((len(key), data_at + len(blob)))
        blob += key + b"\x00"
    for _, value in entries:
        translations.append((len(value), data_at + len(blob)))
        blob += value + b"\x00"
    out = struct.pack(order + "7I", 0x950412DE, 0, count, originals_at, translations_at, 0, 0)
    out += b"".join(struct.pack(order + "2I", *x) for x in originals)
    out += b"".join(struct.pack(order + "2I", *x) for x in translations)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out + blob)
    return path


PO_LATIN1 = """# A French catalog in Latin-1.
msgid ""
msgstr ""
"Content-Type: text/plain; charset=ISO-8859-1\\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\\n"

#: src/main.c:10
msgid "_Open file"
msgstr "_Ouvrir le fichier"

msgctxt "menu"
msgid "File"
msgstr "Fichier"

#, c-format
msgid "%d file copied"
msgid_plural "%d files copied"
msgstr[0] "%d fichier copié"
msgstr[1] "%d fichiers copiés"

#, fuzzy
msgid "Quit"
msgstr "Quitter peut-être"

msgid "Untranslated"
msgstr ""

msgid ""
"A long message "
"on two lines\\n"
msgstr ""
"Un long message "
"sur deux lignes\\n"

#~ msgid "Obsolete"
#~ msgstr "Obsolète"
"""


def write_po(path: Path, text: str = PO_LATIN1, encoding: str = "latin-1") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path
