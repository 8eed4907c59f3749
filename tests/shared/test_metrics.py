import pytest

from shared.metrics import bleu, cer, chrf, cider_d, wer

HYPS = [
    "a small red circle above a large blue square",
    "a large green triangle",
    "a small red circle , a large blue square and a small green triangle",
    "two dogs play in the snow",
]
REFS = [
    [
        "a small red circle above a large blue square",
        "a large blue square below a small red circle",
    ],
    ["a large green triangle"],
    [
        "a small red circle , a small blue square and a small green triangle",
        "there is a red circle",
    ],
    ["a dog runs through snow", "two dogs are playing in snow", "dogs in the snow"],
]


def test_cider_d_matches_the_coco_reference_implementation():
    # 5.874898126921625 is what pycocoevalcap 1.2's Cider().compute_score gives on this corpus.
    assert cider_d(HYPS, REFS) == pytest.approx(5.874898126921625, rel=1e-9)


def test_cider_d_orders_captions_sensibly():
    refs = [["a small red circle", "a red circle that is small"], ["a large blue square"]]
    perfect = cider_d(["a small red circle", "a large blue square"], refs)
    partial = cider_d(["a small red square", "a large blue circle"], refs)
    wrong = cider_d(["two dogs", "snow"], refs)
    assert perfect > partial > wrong == 0.0


def test_bleu_and_chrf():
    perfect = bleu(["the cat sat on the mat"], [["the cat sat on the mat"]])
    assert perfect.score == pytest.approx(100.0)
    assert "tok:13a" in perfect.signature
    assert bleu(["the cat"], [["a dog barks loudly today"]]).score < 10
    zh = bleu(["打开文件时出错了"], [["打开文件时出错了"]], tokenize="zh")
    assert zh.score == pytest.approx(100.0) and "tok:zh" in zh.signature
    # multiple, uneven numbers of references
    assert bleu(HYPS, REFS).score > 50
    assert bleu(HYPS, REFS, max_ngram_order=1).score > bleu(HYPS, REFS).score
    assert 0 < chrf(HYPS, REFS).score <= 100


def test_wer_and_cer():
    assert wer(["the cat sat"], ["the cat sat"]) == 0.0
    assert wer(["the cat sat"], ["the bat sat"]) == pytest.approx(1 / 3)
    assert cer(["abcd"], ["abed"]) == pytest.approx(1 / 4)


def test_mismatched_inputs_are_value_errors():
    with pytest.raises(ValueError, match="2 references but 1 hypotheses"):
        wer(["a", "b"], ["a"])
    with pytest.raises(ValueError, match="at least one reference"):
        bleu(["a"], [[]])
    with pytest.raises(ValueError, match="no hypotheses"):
        cider_d([], [])
