import random

import pytest

from intent.data import INTENTS, Encoder, build_vocab, collate
from intent.templates import (
    Template,
    TemplateSyntaxError,
    check_pattern,
    choose_wording,
    draw,
    fill_slots,
    label_words,
    variant_count,
)
from intent.text import char_ngrams, ngram_buckets, tokenize
from shared.vocab import Vocabulary


def test_tokenize_keeps_times_and_apostrophes_and_offsets():
    text = "What's the time at 7:30, or 5pm? O’Clock!"
    tokens = tokenize(text)
    assert [t.text for t in tokens] == [
        "what's",
        "the",
        "time",
        "at",
        "7:30",
        "or",
        "5pm",
        "o'clock",
    ]
    for t in tokens:
        assert text[t.start : t.end].lower().replace("’", "'") == t.text


def test_a_typo_shares_most_ngrams_with_the_word():
    word, typo = set(char_ngrams("weather")), set(char_ngrams("wether"))
    assert len(word & typo) >= 5
    assert ngram_buckets("weather", 100) == ngram_buckets("weather", 100)
    assert all(0 <= b < 100 for b in ngram_buckets("weather", 100))


def test_every_alternative_is_reachable_and_counted():
    pattern = "(set|make) [me] an alarm (for|at) {time}"
    assert variant_count(pattern) == 8
    rng = random.Random(0)
    seen = {choose_wording(pattern, rng) for _ in range(400)}
    assert len(seen) == 8
    assert "make an alarm at {time}" in seen  # the optional word dropped, spaces tidied
    assert variant_count("(list|(search|look) for) (| my) files") == 6


@pytest.mark.parametrize("bad", ["(open|show", "open)", "[a (b] c)"])
def test_unbalanced_brackets_are_refused(bad):
    with pytest.raises(TemplateSyntaxError):
        check_pattern(bad)


def test_slot_spans_point_at_the_values_and_tags_line_up():
    rng = random.Random(1)
    values = {"time": ["half past seven"], "date": ["tomorrow"], "task": ["call mom"]}
    example = fill_slots("set_reminder", "remind me to {task} {date} at {time}", values, rng)
    assert example.text == "remind me to call mom tomorrow at half past seven"
    assert [(s, example.text[a:b]) for s, a, b in example.spans] == [
        ("date", "tomorrow"),
        ("time", "half past seven"),
    ]
    tokens, tags = label_words(example.text, example.spans)
    assert len(tokens) == len(tags)
    assert tags == ["O", "O", "O", "O", "O", "B-date", "O", "B-time", "I-time", "I-time"]
    assert [example.text[a:b] for a, b in example.untagged] == ["call mom"]


def test_value_dropout_hides_filled_values_tagged_or_not_and_nothing_else():
    values = {"date": ["tomorrow"], "task": ["call mom"]}
    example = fill_slots("set_reminder", "remind me to {task} {date}", values, random.Random(0))
    vocab = build_vocab([example], min_freq=1)
    encoded = Encoder(vocab, 64, INTENTS).encode(example)
    assert encoded.from_value == [False, False, False, True, True, True]
    words = collate([encoded], value_dropout=1.0)["words"][0]
    hidden = [w == Vocabulary.unk_id for w in words.tolist()]
    assert hidden == encoded.from_value


def test_missing_slot_values_are_an_error():
    with pytest.raises(KeyError, match="location"):
        draw(Template("ask_weather", "weather in {location}", "f", "s"), {}, random.Random(0))
