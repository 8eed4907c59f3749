"""Templates of requests and how they become labelled examples.

A template is one phrasing of an intent, written in the syntax OVOS skills use:
``(a|b|)`` picks one alternative (an empty one drops the group), ``[x]`` is optional and
``{slot}`` takes a value from the slot's list, e.g.
``(set|make) [me] an alarm for {time}``. Drawing a template gives a text and the character
span of every slot value; :func:`label_words` turns that into words and BIO tags, so tags
always line up with the words the model reads.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from intent.text import Token, tokenize

# The slots the model tags; other placeholders ({query}, {movie}...) are filled but tagged O.
TAGGED_SLOTS = ("time", "date", "location", "duration")
OUTSIDE = "O"


@dataclass(frozen=True)
class Template:
    """One phrasing of an intent.

    Attributes:
        intent: its label.
        pattern: the template text (see the module docstring).
        family: templates that are variations of one phrasing share a family; splits keep a
            family together so the test holds only new phrasings.
        source: where it came from (a skill's file, or the project's own list).
    """

    intent: str
    pattern: str
    family: str
    source: str


@dataclass(frozen=True)
class Example:
    """A drawn request: its text, each tagged slot value's ``(slot, start, end)`` span, and
    the ``(start, end)`` spans of the values filled into untagged slots (a task, a song)."""

    intent: str
    text: str
    spans: tuple[tuple[str, int, int], ...]
    untagged: tuple[tuple[int, int], ...] = ()


class TemplateSyntaxError(ValueError):
    pass


def _parse(pattern: str, i: int = 0, closing: str = "") -> tuple[list, int]:
    """Parse into alternatives, each a list of items: a str (literal text) or a nested list of
    alternatives. Returns (alternatives, index after the closing bracket)."""
    alternatives, current, literal = [], [], []
    while i < len(pattern):
        ch = pattern[i]
        if ch in "([":
            if literal:
                current.append("".join(literal))
                literal = []
            inner, i = _parse(pattern, i + 1, ")" if ch == "(" else "]")
            current.append(inner + [[]] if ch == "[" else inner)  # [x] == (x|)
            continue
        if ch in ")]":
            if ch != closing:
                raise TemplateSyntaxError(f"unbalanced {ch!r} in {pattern!r}")
            break
        if ch == "|" and closing:
            alternatives.append([*current, "".join(literal)] if literal else current)
            current, literal = [], []
        else:
            literal.append(ch)
        i += 1
    else:
        if closing:
            raise TemplateSyntaxError(f"missing {closing!r} in {pattern!r}")
    alternatives.append([*current, "".join(literal)] if literal else current)
    return alternatives, i + 1


def _choose(alternatives: list, rng: random.Random) -> str:
    items = rng.choice(alternatives)
    return "".join(item if isinstance(item, str) else _choose(item, rng) for item in items)


def _count(alternatives: list) -> int:
    total = 0
    for items in alternatives:
        n = 1
        for item in items:
            if not isinstance(item, str):
                n *= _count(item)
        total += n
    return total


def check_pattern(pattern: str) -> None:
    """Raise :class:`TemplateSyntaxError` unless brackets balance."""
    _parse(pattern)


def variant_count(pattern: str) -> int:
    """How many texts the alternatives of ``pattern`` can make (before slot values)."""
    return _count(_parse(pattern)[0])


def choose_wording(pattern: str, rng: random.Random) -> str:
    """One wording of ``pattern``: every ``(a|b)`` and ``[x]`` decided, slots left as
    ``{slot}``, spaces tidied."""
    return re.sub(r"\s+", " ", _choose(_parse(pattern)[0], rng)).strip()


_SLOT = re.compile(r"\{(\w+)\}")


def fill_slots(
    intent: str, wording: str, values: dict[str, list[str]], rng: random.Random
) -> Example:
    """Put a value from ``values[slot]`` into every ``{slot}`` of ``wording``; the spans of
    :data:`TAGGED_SLOTS` values are recorded, and those of the other values apart."""
    parts, spans, untagged, pos, cursor = [], [], [], 0, 0
    for match in _SLOT.finditer(wording):
        slot = match.group(1)
        if slot not in values or not values[slot]:
            raise KeyError(f"no values for slot {{{slot}}} (in {wording!r})")
        before = wording[cursor : match.start()]
        parts.append(before)
        pos += len(before)
        value = rng.choice(values[slot])
        if slot in TAGGED_SLOTS:
            spans.append((slot, pos, pos + len(value)))
        else:
            untagged.append((pos, pos + len(value)))
        parts.append(value)
        pos += len(value)
        cursor = match.end()
    parts.append(wording[cursor:])
    return Example(intent, "".join(parts), tuple(spans), tuple(untagged))


def draw(template: Template, values: dict[str, list[str]], rng: random.Random) -> Example:
    """A random request from ``template``."""
    return fill_slots(template.intent, choose_wording(template.pattern, rng), values, rng)


def label_words(text: str, spans) -> tuple[list[Token], list[str]]:
    """Words of ``text`` and a BIO tag for each: ``B-slot`` on the first word inside a
    span, ``I-slot`` on the rest, ``O`` outside every span."""
    tokens = tokenize(text)
    tags = [OUTSIDE] * len(tokens)
    for slot, start, end in spans:
        inside = [k for k, t in enumerate(tokens) if t.start >= start and t.end <= end]
        for n, k in enumerate(inside):
            tags[k] = f"{'B' if n == 0 else 'I'}-{slot}"
    return tokens, tags


def slot_tags() -> list[str]:
    """Every BIO tag, ``O`` first."""
    return [OUTSIDE] + [f"{p}-{s}" for s in TAGGED_SLOTS for p in "BI"]
