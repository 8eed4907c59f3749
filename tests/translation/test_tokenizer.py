from tests.translation.conftest import CHINESE, ENGLISH
from translation.text import mask_source
from translation.tokenizer import BOS_ID, EOS_ID, PAD_ID, UNK_ID, SubwordTokenizer


def test_round_trip_and_whole_placeholder_markers(tmp_path):
    tok = SubwordTokenizer.train(
        [mask_source(s + " %s")[0] for s in ENGLISH], tmp_path / "en.model", vocab_size=60
    )
    masked, _ = mask_source("the old log file was saved to %s")
    ids = tok.encode(masked)
    assert tok.decode(ids) == masked
    assert "<ph0>" in tok.pieces(ids)
    assert (tok.sp.pad_id(), tok.sp.bos_id(), tok.sp.eos_id(), tok.sp.unk_id()) == (
        PAD_ID,
        BOS_ID,
        EOS_ID,
        UNK_ID,
    )


def test_chinese_round_trip(tmp_path):
    tok = SubwordTokenizer.train(
        CHINESE, tmp_path / "zh.model", vocab_size=60, character_coverage=0.9995
    )
    for text in ("无法打开文件", "权限不够"):
        assert tok.decode(tok.encode(text)) == text


def test_sampled_segmentations_vary_and_decode_to_the_text(tmp_path):
    tok = SubwordTokenizer.train(ENGLISH, tmp_path / "en.model", vocab_size=60)
    text = "the old log file was saved"
    draws = {tuple(tok.encode(text, sample_alpha=0.1)) for _ in range(50)}
    assert len(draws) > 1
    assert all(tok.decode(ids) == text for ids in draws)
    assert tuple(tok.encode(text)) in draws | {tuple(tok.encode(text))}
    assert {tuple(tok.encode(text)) for _ in range(5)} == {tuple(tok.encode(text))}
