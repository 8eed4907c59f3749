"""Reading GNU gettext catalogs: compiled ``.mo`` and source ``.po`` files.

Each catalog becomes a list of :class:`CatalogEntry`; the header's charset is honoured,
message contexts and plural forms are kept, fuzzy and untranslated entries are marked so
callers can skip them.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

_MO_MAGIC = 0x950412DE
_CHARSET = re.compile(rb"charset=([A-Za-z0-9_.:-]+)")


@dataclass
class CatalogEntry:
    """One message of a catalog.

    Attributes:
        msgid: the source (English) singular text.
        msgstr: the translation of the singular (``""`` when untranslated).
        context: the ``msgctxt``, if any.
        msgid_plural: the source plural text, if the message has plural forms.
        msgstr_plural: the translations of the plural forms, in form order.
        fuzzy: marked fuzzy (a guess a translator has not confirmed).
    """

    msgid: str
    msgstr: str
    context: str | None = None
    msgid_plural: str | None = None
    msgstr_plural: list[str] = field(default_factory=list)
    fuzzy: bool = False


def _charset(header: bytes) -> str:
    match = _CHARSET.search(header)
    name = match.group(1).decode("ascii") if match else "utf-8"
    return "utf-8" if name.upper() == "CHARSET" else name  # the template's placeholder


def read_mo(path: str | Path) -> list[CatalogEntry]:
    """Parse a compiled catalog (either byte order). Fuzzy entries are never compiled in.

    Raises:
        ValueError: the file is not a ``.mo`` catalog.
    """
    data = Path(path).read_bytes()
    if len(data) < 20:
        raise ValueError(f"{path} is too short to be a .mo catalog")
    for order in "<>":
        if struct.unpack(order + "I", data[:4])[0] == _MO_MAGIC:
            break
    else:
        raise ValueError(f"{path} is not a .mo catalog (bad magic number)")
    _, count, originals, translations = struct.unpack(order + "4I", data[4:20])
    raw = []
    for i in range(count):
        length, offset = struct.unpack(
            order + "2I", data[originals + 8 * i : originals + 8 * i + 8]
        )
        t_length, t_offset = struct.unpack(
            order + "2I", data[translations + 8 * i : translations + 8 * i + 8]
        )
        raw.append((data[offset : offset + length], data[t_offset : t_offset + t_length]))
    header = next((t for o, t in raw if o == b""), b"")
    charset = _charset(header)
    entries = []
    for original, translation in raw:
        if original == b"":
            continue
        source = original.decode(charset, errors="replace")
        target = translation.decode(charset, errors="replace")
        context = None
        if "\x04" in source:
            context, source = source.split("\x04", 1)
        singular, _, plural = source.partition("\x00")
        forms = target.split("\x00")
        entries.append(
            CatalogEntry(
                msgid=singular,
                msgstr=forms[0],
                context=context,
                msgid_plural=plural or None,
                msgstr_plural=forms if plural else [],
            )
        )
    return entries


_PO_KEYWORD = re.compile(rb'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')
_PO_CONTINUATION = re.compile(rb'^(".*")\s*$')


_ESCAPE = re.compile(rb"\\(?:([0-7]{1,3})|x([0-9A-Fa-f]{1,2})|(.))", re.DOTALL)
_SIMPLE_ESCAPES = {
    b"n": b"\n",
    b"t": b"\t",
    b"r": b"\r",
    b"a": b"\a",
    b"b": b"\b",
    b"f": b"\f",
    b"v": b"\v",
}


def _unescape(match: re.Match) -> bytes:
    octal, hexa, char = match.groups()
    if octal:
        return bytes([int(octal, 8) & 0xFF])
    if hexa:
        return bytes([int(hexa, 16)])
    return _SIMPLE_ESCAPES.get(char, char)


def _po_string(segments: list[bytes], charset: str) -> str:
    """Join a keyword's quoted segments (C string literals), undo their escapes, and
    decode once the bytes are whole (a character may be split across segments)."""
    raw = b"".join(_ESCAPE.sub(_unescape, segment[1:-1]) for segment in segments)
    return raw.decode(charset, errors="replace")


def read_po(path: str | Path) -> list[CatalogEntry]:
    """Parse a source catalog: contexts, plurals, fuzzy flags; obsolete (``#~``) entries are
    dropped.

    Raises:
        ValueError: a line that is not valid ``.po`` syntax (with its line number).
    """
    lines = Path(path).read_bytes().splitlines()
    header_match = _CHARSET.search(b"\n".join(lines[:40]))
    charset = _charset(header_match.group(0) if header_match else b"")
    entries: list[CatalogEntry] = []
    current: dict = {}
    last_key = None

    def finish() -> None:
        nonlocal current, last_key
        if "msgid" in current:
            strings = {k: _po_string(v, charset) for k, v in current.items() if isinstance(v, list)}
            plural_forms = sorted(k for k in strings if k.startswith("msgstr["))
            msgstr_plural = [strings[k] for k in sorted(plural_forms, key=lambda k: int(k[7:-1]))]
            entry = CatalogEntry(
                msgid=strings["msgid"],
                msgstr=strings.get("msgstr", msgstr_plural[0] if msgstr_plural else ""),
                context=strings.get("msgctxt"),
                msgid_plural=strings.get("msgid_plural"),
                msgstr_plural=msgstr_plural,
                fuzzy=current.get("fuzzy", False),
            )
            if entry.msgid:  # the header
                entries.append(entry)
        current, last_key = {}, None

    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if not stripped:
            finish()
            continue
        if stripped.startswith(b"#~"):
            continue
        if stripped.startswith(b"#,"):
            if "msgid" in current:
                finish()
            current["fuzzy"] = b"fuzzy" in stripped
            continue
        if stripped.startswith(b"#"):
            continue
        keyword = _PO_KEYWORD.match(stripped)
        if keyword:
            key = keyword.group(1).decode()
            if key in ("msgctxt", "msgid") and "msgid" in current:
                finish()  # a new entry begins
            current[key] = [keyword.group(3)]
            last_key = key
            continue
        continuation = _PO_CONTINUATION.match(stripped)
        if continuation and last_key:
            current[last_key].append(continuation.group(1))
            continue
        raise ValueError(f"{path}:{number}: not valid .po syntax: {line[:60]!r}")
    finish()
    return entries


def read_catalog(path: str | Path) -> list[CatalogEntry]:
    """Read a ``.mo`` or ``.po`` file by its suffix."""
    suffix = Path(path).suffix.lower()
    if suffix == ".mo":
        return read_mo(path)
    if suffix == ".po":
        return read_po(path)
    raise ValueError(f"{path}: not a gettext catalog (expected .mo or .po)")


def translated_pairs(entries: list[CatalogEntry]) -> list[tuple[str, str]]:
    """(source, translation) pairs of the usable entries: the singular pair, plus the plural
    pair where the plural is a sentence of its own; fuzzy and untranslated entries skipped."""
    pairs = []
    for entry in entries:
        if entry.fuzzy:
            continue
        if entry.msgid and entry.msgstr:
            pairs.append((entry.msgid, entry.msgstr))
        if (
            entry.msgid_plural
            and len(entry.msgstr_plural) > 1
            and entry.msgid_plural != entry.msgid
        ):
            plural = entry.msgstr_plural[1]
            if plural and plural != entry.msgstr:
                pairs.append((entry.msgid_plural, plural))
    return pairs
