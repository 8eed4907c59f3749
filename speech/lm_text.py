"""Everyday English for the speech model's word language model: sentences from Debian's package
descriptions (the ``Translation-en`` index that ``apt-get update -o Acquire::Languages=en``
stores under ``/var/lib/apt/lists``) and, with ``--wordnet``, the example sentences of WordNet's
dictionary (Debian's ``wordnet-base``: "hold your breath", "she answered the phone"), normalised
like transcripts, keeping only sentences whose words are all common (seen at least
``--min-count`` times), so the vocabulary stays words people say rather than every package name.

Examples:
    sudo apt-get update -o Acquire::Languages=en
    python -m speech.lm_text --out data/lm-text.txt
    python -m speech.lm_text --wordnet /usr/share/wordnet --out data/lm-text.txt  # + WordNet's
    python -m speech.lm_text --wordnet /usr/share/wordnet --no-descriptions --out data/everyday.txt
    python -m speech.train --data data/tts-en --lm-text data/lm-text.txt
"""

from __future__ import annotations

import argparse
import re
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from shared.cli import run_script, script_parser
from shared.sentences import split_sentences
from speech.text import normalize_transcript

APT_LISTS = Path("/var/lib/apt/lists")
APT_HELPER = Path("/usr/lib/apt/apt-helper")  # reads apt's compressed lists (lz4, xz, gz)
WORDNET = Path("/usr/share/wordnet")  # sudo apt-get install wordnet-base
# In a WordNet data line the gloss follows "|"; its examples are the quoted parts.
QUOTED = re.compile(r'"([^"]+)"')


def read_index(path: str | Path) -> str:
    """The text of a ``Translation-en`` file, compressed or not."""
    path = Path(path)
    if path.suffix in (".lz4", ".xz", ".gz", ".bz2", ".zst"):
        if not APT_HELPER.is_file():
            raise ValueError(f"{path.name} is compressed and {APT_HELPER} is missing (apt)")
        done = subprocess.run([str(APT_HELPER), "cat-file", str(path)], capture_output=True)
        if done.returncode != 0:
            raise ValueError(f"cannot read {path}: {done.stderr.decode(errors='replace')[-200:]}")
        return done.stdout.decode("utf-8", errors="replace")
    return path.read_text(encoding="utf-8", errors="replace")


def descriptions(text: str) -> Iterator[str]:
    """Each description of a ``Translation-en`` file: the short line, then the long text,
    paragraphs joined (a lone ``.`` separates paragraphs)."""
    current: list[str] = []
    for line in text.splitlines():
        if line.startswith("Description-en:"):
            if current:
                yield " ".join(current)
            current = [line.split(":", 1)[1].strip().rstrip(".") + "."]
        elif line.startswith(" ") and current:
            body = line.strip()
            current.append("" if body == "." else body)
        elif current and not line.startswith(" "):
            yield " ".join(current)
            current = []
    if current:
        yield " ".join(current)


def wordnet_examples(folder: str | Path = WORDNET) -> list[str]:
    """The example sentences of WordNet's glosses (``data.noun``, ``data.verb``, ``data.adj``,
    ``data.adv`` under ``folder``), in file order. Raises ``ValueError`` when there are none."""
    examples = []
    for part in ("noun", "verb", "adj", "adv"):
        path = Path(folder) / f"data.{part}"
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("  ") or "|" not in line:  # the licence header
                continue
            examples += QUOTED.findall(line.split("|", 1)[1])
    if not examples:
        raise ValueError(
            f"no WordNet data files under {folder}: `sudo apt-get install wordnet-base`"
        )
    return examples


def lm_sentences(texts: list[str], min_count: int = 3, min_words: int = 3) -> list[str]:
    """Distinct normalised sentences of ``texts`` whose every word is seen at least
    ``min_count`` times in all of them."""
    sentences = [
        normalize_transcript(s) for text in texts for s in split_sentences(" ".join(text.split()))
    ]
    sentences = [s for s in sentences if min_words <= len(s.split()) <= 40]
    counts = Counter(word for s in sentences for word in s.split())
    return sorted({s for s in sentences if all(counts[w] >= min_count for w in s.split())})


def extra_sentences(paths: list[str | Path], held_out: set[str]) -> set[str]:
    """The normalised sentences of text files (one a line, as this command writes them), less
    ``held_out``: the sentences validation or test speech says, which the LM must not know."""
    sentences = set()
    for path in paths:
        lines = Path(path).read_text(encoding="utf-8").split("\n")
        sentences |= {normalize_transcript(line) for line in lines}
    return sentences - held_out - {""}


def main(argv: list[str] | None = None) -> Path:
    parser = script_parser("speech.lm_text", __doc__)
    parser.add_argument("--out", default="data/lm-text.txt", help="one sentence a line")
    parser.add_argument(
        "--index",
        nargs="*",
        help=f"Translation-en files (default: every one under {APT_LISTS})",
    )
    parser.add_argument(
        "--descriptions",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="the package descriptions of the Translation-en index (default: on)",
    )
    parser.add_argument(
        "--wordnet",
        metavar="DIR",
        help=f"also WordNet's example sentences from this folder ({WORDNET} once"
        " `sudo apt-get install wordnet-base`; default: none)",
    )
    parser.add_argument("--min-count", type=int, default=3, help="rarer words drop a sentence")
    args = parser.parse_args(argv)
    texts, counted = [], []
    if args.descriptions:
        files = args.index or sorted(APT_LISTS.glob("*Translation-en*"))
        if not files:
            raise ValueError(
                f"no Translation-en index under {APT_LISTS}: run"
                " `sudo apt-get update -o Acquire::Languages=en` first"
            )
        texts += [d for f in files for d in descriptions(read_index(f))]
        counted.append(f"{len(texts)} descriptions")
    if args.wordnet:
        examples = wordnet_examples(args.wordnet)
        texts += examples
        counted.append(f"{len(examples)} WordNet examples")
    if not texts:
        raise ValueError("nothing to read: --no-descriptions needs --wordnet")
    sentences = lm_sentences(texts, args.min_count)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(s + "\n" for s in sentences), encoding="utf-8")
    words = len({w for s in sentences for w in s.split()})
    print(f"{' and '.join(counted)} -> {len(sentences)} sentences, {words} words: {out}")
    return out


if __name__ == "__main__":
    run_script(main)
