import zipfile
from pathlib import Path

from intent.data import (
    INTENTS,
    SampleSpec,
    catalog_messages,
    draw_examples,
    load_templates,
    load_values,
    split_templates,
    split_values,
)
from intent.ovos import collapse_literals, families, templates_from_wheel
from intent.text import normalize
from tests.shared.catalog_files import write_mo


def test_splits_keep_families_and_wordings_apart():
    splits = split_templates(load_templates())
    family_sets = {s: {t.family for t in ts} for s, ts in splits.items()}
    wordings = {s: {" ".join(normalize(t.pattern).split()) for t in ts} for s, ts in splits.items()}
    for a, b in (("train", "valid"), ("train", "test"), ("valid", "test")):
        assert not family_sets[a] & family_sets[b]
        assert not wordings[a] & wordings[b]
    for intent in INTENTS:  # every intent is trained and tested
        assert any(t.intent == intent for t in splits["train"])
        assert any(t.intent == intent for t in splits["test"])


def test_slot_values_are_disjoint_between_train_and_heldout():
    values = split_values(load_values())
    for slot in ("time", "date", "location", "duration"):
        train, held = set(values["train"][slot]), set(values["heldout"][slot])
        assert train and held and not train & held


def test_drawing_is_reproducible_and_balanced():
    templates = split_templates(load_templates())["train"]
    values = split_values(load_values())["train"]
    a = draw_examples(templates, values, SampleSpec(600, seed=3))
    b = draw_examples(templates, values, SampleSpec(600, seed=3))
    assert a == b
    counts = {i: sum(e.intent == i for e in a) for i in INTENTS}
    assert min(counts.values()) > 600 / len(INTENTS) / 2


def test_catalog_messages_split_by_catalog(tmp_path):
    for k in range(12):
        write_mo(
            tmp_path / f"pkg{k}.mo", {f"Could not open file number {k}".encode(): b"x", b"OK": b"y"}
        )
    split = catalog_messages(tmp_path)
    assert sum(len(v) for v in split.values()) == 12  # "OK" is too short to be a request
    owners = [s for s, msgs in split.items() for _ in msgs]
    assert len(set(owners)) >= 2
    assert catalog_messages(tmp_path / "missing") == {"train": [], "valid": [], "test": []}


def test_ovos_wheel_reading(tmp_path: Path):
    wheel = tmp_path / "ovos_skill_date_time-1.0.0-py3-none-any.whl"
    base = "ovos_skill_date_time/locale/en-us/"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr(
            base + "intents/what.time.is.it.intent",
            "what time is it\nwhat time is it in {location}\n# note\n",
        )
        z.writestr(base + "intents/what.day.is.it.intent", "what day is it tomorrow\n")
        z.writestr(base + "skill.json", '{"examples": ["never read"]}')
    rows = templates_from_wheel(wheel)
    assert {(r[0], r[2]) for r in rows} == {
        ("ask_time", "what time is it"),
        ("ask_time", "what time is it in {location}"),
        ("ask_date", "what day is it {date}"),
    }
    assert len({r[1] for r in rows if r[0] == "ask_time"}) == 1  # one word apart: one family


def test_literals_become_slots_and_families_join_near_lines():
    assert collapse_literals("Weather at 9 AM on Tuesday") == "weather at {time} {date}"
    assert collapse_literals("count to 27") == "count to {number}"
    ids = families(["a b c", "a x c", "a x c d", "q r s t"])
    assert ids[0] == ids[1] == ids[2] != ids[3]  # joined through "a x c"
