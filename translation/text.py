"""Cleaning catalog text and protecting placeholders.

Software messages carry printf and brace placeholders (``%s``, ``%1$d``, ``{0}``) that a
translation must keep verbatim, and text that no translation changes: web and mail
addresses, file paths, command-line options. Both count as placeholders here. Before
tokenisation each is replaced by an indexed marker ``<ph0>``, ``<ph1>``, ... (a single
subword the model learns to copy); after decoding the markers are put back, so a
placeholder can never be mangled into pieces (spelt out in subwords, ``--statistics`` came
out as ``--state`` and a URL lost half its path).
"""

from __future__ import annotations

import re
import unicodedata

FORMAT = (
    r"%(?:\d+\$)?[-+ #0']*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?:hh|h|ll|l|L|q|j|z|Z|t|I64)?[diouxXeEfFgGaAcspn]"
    r"|%<PRI[diouxX](?:8|16|32|64|MAX|PTR)>"
    r"|%\([A-Za-z_]\w*\)[-+ #0]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]"
    r"|\{\d*\}|\{[A-Za-z_]\w*\}"
)
# Kept as written, none ending in the sentence's punctuation: URLs, mail addresses, paths of
# two parts or more (``/etc/fstab``, ``~/.config/app``), options (``-P``, ``--log=FILE``),
# and emoji (runs of pictographs, with their joiners and variation selectors), which the
# subword vocabularies lack: read as unknown, one emoji at the end of 400 validation messages
# took en->fr BLEU from 37.4 to 32.8 (`translation.evaluate --typed emoji`).
VERBATIM = (
    r"(?:https?|ftp)://[^\s\"'<>()«»]*[^\s\"'<>()«».,;:!?]"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|(?<![\w~/])~?/[\w.+-]*[\w+-](?:/[\w.+-]*[\w+-])+/?"
    r"|(?<![\w-])--?[A-Za-z][\w-]*(?:=[\w/.+-]*[\w/+-]|=)?"
    "|[\U0001f300-\U0001faff\u2600-\u27bf][\U0001f300-\U0001faff\u2600-\u27bf\ufe0f\u200d]*"
)
PLACEHOLDER = re.compile(f"{FORMAT}|{VERBATIM}")
MARKER = re.compile(r"<ph(\d+)>")
MAX_PLACEHOLDERS = 16
MARKERS = [f"<ph{i}>" for i in range(MAX_PLACEHOLDERS)]

# Words: runs of letters, but not the letter of a date format such as ``%B`` or ``%p``.
_WORD = re.compile(r"(?<!%)[^\W\d_]+")
_MARKED = re.compile(r"(<ph\d+>)")

_CJK_ACCELERATOR = re.compile(r"\s*[(（]\s*[_&][A-Za-z0-9]\s*[)）]")
_UNDERSCORE_ACCELERATOR = re.compile(r"(?<![\w_])([A-Z][A-Za-z0-9]*|)_([^\W_])")
_AMPERSAND_ACCELERATOR = re.compile(r"&(?=[^\W_])(?!amp;|lt;|gt;|quot;|apos;|#)")
_SPACE = re.compile(r"\s+")
_CONTROL = {c: " " for c in range(32)} | {127: " "}
_SURROGATE = re.compile("[\ud800-\udfff]")


def strip_accelerators(text: str) -> str:
    """Remove keyboard-accelerator marks: ``_File`` and ``E_xit`` (GTK), ``&File`` (Qt),
    ``文件(_F)`` (the CJK form). Identifiers such as ``LC_ALL`` or ``file_name`` are kept:
    only a single underscore that starts a word or follows a capitalised word's letters goes."""
    text = _CJK_ACCELERATOR.sub("", text)
    if text.count("_") == 1:
        match = _UNDERSCORE_ACCELERATOR.search(text)
        if match and not (match.group(1).isupper() and match.group(2).isupper()):
            text = text[: match.start()] + match.group(1) + match.group(2) + text[match.end() :]
    if text.count("&") == 1:
        text = _AMPERSAND_ACCELERATOR.sub("", text)
    return text


def normalize_text(text: str) -> str:
    """NFC, control characters to spaces, runs of white space to one space, trimmed. Lone
    surrogates (not characters; a browser or JSON can still send them) become U+FFFD."""
    text = _SURROGATE.sub("\ufffd", text)
    text = unicodedata.normalize("NFC", text).translate(_CONTROL)
    return _SPACE.sub(" ", text).strip()


def clean_message(text: str) -> str:
    """The cleaning applied to both sides of every pair (and to user input)."""
    return normalize_text(strip_accelerators(text))


def placeholders(text: str) -> list[str]:
    """The placeholders of ``text`` in order of appearance."""
    return PLACEHOLDER.findall(text)


def mask_source(text: str) -> tuple[str, list[str]]:
    """Replace each placeholder by ``<phK>`` (K = its position); return the placeholders.

    Placeholders beyond the sixteenth stay as plain text.
    """
    found: list[str] = []

    def replace(match: re.Match) -> str:
        if len(found) >= MAX_PLACEHOLDERS:
            return match.group(0)
        found.append(match.group(0))
        return f"<ph{len(found) - 1}>"

    return normalize_text(PLACEHOLDER.sub(replace, text)), found


def mask_target(text: str, source_placeholders: list[str]) -> str:
    """Mask a translation's placeholders with the markers of the source's: each takes the
    first unused source position holding the same placeholder (``%2$s`` takes position 2).
    A placeholder the source lacks stays as text."""
    used: set[int] = set()

    def replace(match: re.Match) -> str:
        ph = match.group(0)
        positional = re.match(r"%(\d+)\$", ph)
        candidates = [i for i, s in enumerate(source_placeholders) if s == ph and i not in used]
        if not candidates and positional:
            index = int(positional.group(1)) - 1
            bare = "%" + ph[len(positional.group(0)) :]
            if 0 <= index < len(source_placeholders) and source_placeholders[index] in (ph, bare):
                candidates = [index]
        if not candidates:
            candidates = [i for i, s in enumerate(source_placeholders) if s == ph]
        if not candidates:
            return ph
        used.add(candidates[0])
        return f"<ph{candidates[0]}>"

    return normalize_text(PLACEHOLDER.sub(replace, text))


def unmask(text: str, source_placeholders: list[str]) -> str:
    """Put the source's placeholders back where the markers are; unknown markers vanish."""

    def replace(match: re.Match) -> str:
        index = int(match.group(1))
        return source_placeholders[index] if index < len(source_placeholders) else ""

    return normalize_text(MARKER.sub(replace, text))


def _unmatched(wanted: list[str], offered: list[str]) -> list[str]:
    """Items of ``wanted`` that ``offered`` lacks, counting repeats."""
    remaining = list(offered)
    unmatched = []
    for item in wanted:
        if item in remaining:
            remaining.remove(item)
        else:
            unmatched.append(item)
    return unmatched


def missing_placeholders(source: str, output: str) -> list[str]:
    """Placeholders of ``source`` that ``output`` lacks (counting repeats)."""
    return _unmatched(placeholders(source), placeholders(output))


def extra_placeholders(source: str, output: str) -> list[str]:
    """Placeholders of ``output`` beyond those of ``source`` (counting repeats): a printf
    format with a conversion more than its arguments reads memory it was never given."""
    return _unmatched(placeholders(output), placeholders(source))


def shouted(masked: str) -> bool:
    """Whether a masked source is written in capitals throughout ("PLEASE SAVE YOUR WORK"):
    four letters or more in its words, none of them lower case. The models learned messages
    in sentence case; read as written, 400 validation messages in capitals scored en->fr BLEU
    10.4 against 37.4 for the same messages as written (``translation.evaluate --typed``)."""
    letters = "".join(_WORD.findall(MARKER.sub(" ", masked)))
    return len(letters) >= 4 and letters.isupper()


def _each_word(text: str, change) -> str:
    """``text`` with ``change`` applied to each word outside the ``<phK>`` markers."""
    parts = _MARKED.split(text)
    return "".join(
        part if _MARKED.fullmatch(part) else _WORD.sub(lambda m: change(m.group(0)), part)
        for part in parts
    )


def unshout(masked: str) -> str:
    """A source in capitals as the models know messages: lower case, its first letter
    capital (acronyms in it go lower case too)."""
    lowered = _each_word(masked, str.lower)
    first = _WORD.search(lowered)
    if first and first.start() == 0:
        lowered = lowered[0].upper() + lowered[1:]
    return lowered


def shout(text: str) -> str:
    """A translation in capitals, as its source was: every word upper case, the markers
    and date formats (``%p``) as they are."""
    return _each_word(text, str.upper)
