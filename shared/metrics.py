"""Quality metrics: BLEU and chrF (sacreBLEU), WER and CER (jiwer), CIDEr-D (pure Python).

Imports of the metric libraries are deferred so that importing ``shared`` stays light.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass
class CorpusScore:
    """A corpus-level score with the signature that makes it reproducible."""

    score: float
    signature: str

    def __str__(self) -> str:
        return f"{self.score:.2f} ({self.signature})"


def _reference_streams(references: Sequence[Sequence[str]]) -> list[list[str]]:
    """sacreBLEU wants one stream per reference position; inputs with fewer references
    than the most are padded with None, which sacreBLEU skips."""
    most = max((len(r) for r in references), default=0)
    return [[refs[i] if i < len(refs) else None for refs in references] for i in range(most)]


def bleu(
    hypotheses: Sequence[str],
    references: Sequence[Sequence[str]],
    tokenize: str = "13a",
    max_ngram_order: int = 4,
    lowercase: bool = False,
) -> CorpusScore:
    """Corpus BLEU (0-100) with sacreBLEU.

    Args:
        hypotheses: N system outputs.
        references: N lists of one or more references each.
        tokenize: sacreBLEU tokenizer: ``13a`` (default), ``zh`` for Chinese, ``none``, ...
        max_ngram_order: 4 for BLEU-4; 1-3 for BLEU-1..3.
        lowercase: case-insensitive.
    """
    from sacrebleu.metrics import BLEU

    _check_pairs(hypotheses, references)
    metric = BLEU(tokenize=tokenize, max_ngram_order=max_ngram_order, lowercase=lowercase)
    result = metric.corpus_score(list(hypotheses), _reference_streams(references))
    return CorpusScore(result.score, str(metric.get_signature()))


def chrf(hypotheses: Sequence[str], references: Sequence[Sequence[str]]) -> CorpusScore:
    """Corpus chrF (0-100) with sacreBLEU."""
    from sacrebleu.metrics import CHRF

    _check_pairs(hypotheses, references)
    metric = CHRF()
    result = metric.corpus_score(list(hypotheses), _reference_streams(references))
    return CorpusScore(result.score, str(metric.get_signature()))


def wer(references: Sequence[str], hypotheses: Sequence[str]) -> float:
    """Corpus word error rate (0-1+) with jiwer: word edits / reference words."""
    import jiwer

    _check_lengths(references, hypotheses)
    return float(jiwer.wer(list(references), list(hypotheses)))


def cer(references: Sequence[str], hypotheses: Sequence[str]) -> float:
    """Corpus character error rate (0-1+) with jiwer: character edits / reference characters."""
    import jiwer

    _check_lengths(references, hypotheses)
    return float(jiwer.cer(list(references), list(hypotheses)))


def _check_lengths(a: Sequence, b: Sequence) -> None:
    if len(a) != len(b):
        raise ValueError(f"{len(a)} references but {len(b)} hypotheses")
    if not a:
        raise ValueError("nothing to score: no hypotheses")


def _check_pairs(hypotheses: Sequence[str], references: Sequence[Sequence[str]]) -> None:
    _check_lengths(references, hypotheses)
    if any(len(r) == 0 for r in references):
        raise ValueError("every hypothesis needs at least one reference")


def _ngrams(words: Sequence[str], n: int) -> Counter:
    return Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1))


def cider_d(
    hypotheses: Sequence[str],
    references: Sequence[Sequence[str]],
    max_n: int = 4,
    sigma: float = 6.0,
) -> float:
    """CIDEr-D (Vedantam et al. 2015) as the COCO caption evaluation computes it.

    For each n-gram order n: TF-IDF vectors, the IDF taken from the references of the whole
    corpus (document = one image's reference set); the hypothesis's term frequencies are
    clipped at the reference's; the cosine is damped by a Gaussian exp(-(l_h - l_r)^2 /
    (2 sigma^2)) on the lengths; averaged over references and orders and scaled by 10.
    Captions are lower-cased and split on white space (tokenise beforehand as needed).

    Args:
        hypotheses: N captions.
        references: N lists of reference captions.

    Returns:
        the corpus mean (0 to about 10).
    """
    _check_pairs(hypotheses, references)
    hyp_words = [h.lower().split() for h in hypotheses]
    ref_words = [[r.lower().split() for r in refs] for refs in references]

    def counts(words: list[str]) -> list[Counter]:
        return [_ngrams(words, n) for n in range(1, max_n + 1)]

    hyp_counts = [counts(w) for w in hyp_words]
    ref_counts = [[counts(w) for w in refs] for refs in ref_words]
    doc_freq: Counter = Counter()
    for refs in ref_counts:
        doc_freq.update({g for ref in refs for order in ref for g in order})
    log_docs = math.log(float(len(references)))

    def vector(order_counts: list[Counter]) -> tuple[list[dict], list[float]]:
        vecs, norms = [], []
        for order in order_counts:
            vec = {g: tf * (log_docs - math.log(max(1.0, doc_freq[g]))) for g, tf in order.items()}
            vecs.append(vec)
            norms.append(math.sqrt(sum(v * v for v in vec.values())))
        return vecs, norms

    total = 0.0
    for hyp, refs, h_words, r_words in zip(
        hyp_counts, ref_counts, hyp_words, ref_words, strict=True
    ):
        h_vec, h_norm = vector(hyp)
        per_order = [0.0] * max_n
        for ref, words in zip(refs, r_words, strict=True):
            r_vec, r_norm = vector(ref)
            # Lengths as the reference implementation counts them: in bigrams.
            delta = max(len(h_words) - 1, 0) - max(len(words) - 1, 0)
            damp = math.exp(-(delta**2) / (2 * sigma**2))
            for n in range(max_n):
                dot = sum(
                    min(v, r_vec[n].get(g, 0.0)) * r_vec[n].get(g, 0.0) for g, v in h_vec[n].items()
                )
                if h_norm[n] > 0 and r_norm[n] > 0:
                    per_order[n] += dot / (h_norm[n] * r_norm[n]) * damp
        total += sum(per_order) / max_n / len(refs) * 10.0
    return total / len(hypotheses)
