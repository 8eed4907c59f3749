import pytest

from speech.text import CharVocabulary, normalize_transcript, number_to_words


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("Can't open “file”!", "can't open file"),
        ("_Save As…", "save as"),
        ("Café  crème\tNAÏVE", "cafe creme naive"),
        ("'quoted' words", "quoted words"),
        ("42 files, 2024 and 007", "forty two files two thousand twenty four and zero zero seven"),
        ("日本 ✓ 🙂", ""),
    ],
)
def test_normalisation(raw, normalised):
    assert normalize_transcript(raw) == normalised


def test_numbers():
    assert number_to_words(0) == "zero"
    assert number_to_words(115) == "one hundred fifteen"
    assert number_to_words(1_000_001) == "one million one"


def test_vocabulary_round_trip_and_unknown_characters():
    vocab = CharVocabulary()
    assert vocab.tokens[vocab.blank_id] == "<blank>" and vocab.tokens[vocab.space_id] == " "
    text = "don't stop"
    assert vocab.decode(vocab.encode(text)) == text
    with pytest.raises(ValueError, match="not in the alphabet"):
        vocab.encode("Hello")
