"""A word bigram language model for CTC beam search, built from plain sentences.

Interpolated Kneser-Ney with one discount: a word's probability after another mixes the
discounted bigram count with how many different words it follows (its "continuation" count),
so frequent-but-fixed phrases do not flood unseen pairs. Small enough to build at load time
from the training transcripts, which ship with the model as ``lm.txt.xz``.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from torchaudio.models.decoder import CTCDecoderLM, CTCDecoderLMState

BOS, EOS, UNK = "<s>", "</s>", "<unk>"
MAX_WORDS = 40_000  # the vocabulary of a large text: its commonest words


def _cap_vocabulary(
    bigrams: Counter[tuple[str, str]], max_words: int | None
) -> Counter[tuple[str, str]]:
    """``bigrams`` with every word outside the ``max_words`` commonest replaced by ``<unk>``
    (counted from the bigrams themselves: a second pass over the text would cost as much)."""
    frequency: Counter[str] = Counter()
    for (_, w), c in bigrams.items():
        if w != EOS:
            frequency[w] += c
    if max_words is None or len(frequency) <= max_words:
        return bigrams
    keep = {w for w, _ in frequency.most_common(max_words)} | {BOS, EOS}
    capped: Counter[tuple[str, str]] = Counter()
    for (v, w), c in bigrams.items():
        capped[v if v in keep else UNK, w if w in keep else UNK] += c
    return capped


class BigramLM(CTCDecoderLM):
    """Word bigram model; plugs into torchaudio's lexicon decoder as its ``lm``.

    Args:
        sentences: normalised training sentences (words separated by spaces).
        discount: the absolute discount D in (0, 1).
        max_words: the vocabulary: the commonest words of ``sentences``, at most this many
            (None: all). The rest count as ``<unk>``: in broad text the rarest words are mostly
            names, typos and identifiers, which the decoder would otherwise offer as matches.

    ``words`` lists the vocabulary in the order of the decoder's word indices (``<unk>`` last).
    """

    def __init__(
        self, sentences: list[str], discount: float = 0.75, max_words: int | None = MAX_WORDS
    ) -> None:
        CTCDecoderLM.__init__(self)
        self.discount = discount
        bigrams: Counter[tuple[str, str]] = Counter()
        for sentence in sentences:
            tokens = [BOS, *sentence.split(), EOS]
            bigrams.update(zip(tokens[:-1], tokens[1:], strict=False))
        bigrams = _cap_vocabulary(bigrams, max_words)
        self.words = sorted({w for _, w in bigrams if w not in (EOS, UNK)}) + [UNK]
        self._index = {w: i for i, w in enumerate(self.words)}
        self._pair: dict[tuple[str, str], int] = bigrams
        self._count: Counter[str] = Counter()
        self._followers: Counter[str] = Counter()
        predecessors: defaultdict[str, int] = defaultdict(int)
        for (v, w), c in bigrams.items():
            self._count[v] += c
            self._followers[v] += 1
            predecessors[w] += 1
        total = sum(predecessors.values())
        self._continuation = {w: n / total for w, n in predecessors.items()}
        self._floor = 0.5 / total  # for <unk> when no word was dropped: rarer than any word
        self._last: dict[CTCDecoderLMState, str] = {}

    def log_prob(self, word: str, previous: str) -> float:
        """Natural-log P(word | previous)."""
        lower = self._continuation.get(word, self._floor)
        count = self._count.get(previous, 0)
        if count == 0:
            return math.log(lower)
        seen = max(self._pair.get((previous, word), 0) - self.discount, 0.0) / count
        backoff = self.discount * self._followers[previous] / count
        return math.log(seen + backoff * lower)

    def sentence_log_prob(self, sentence: str) -> float:
        tokens = [BOS, *sentence.split(), EOS]
        return sum(self.log_prob(w, v) for v, w in zip(tokens[:-1], tokens[1:], strict=False))

    # -- the decoder's interface: states are tree nodes; we remember each one's last word --
    def start(self, start_with_nothing: bool = False) -> CTCDecoderLMState:
        self._last.clear()  # a new utterance
        state = CTCDecoderLMState()
        self._last[state] = BOS
        return state

    def score(
        self, state: CTCDecoderLMState, usr_token_idx: int
    ) -> tuple[CTCDecoderLMState, float]:
        word = self.words[usr_token_idx] if 0 <= usr_token_idx < len(self.words) else UNK
        child = state.child(usr_token_idx)
        self._last[child] = word
        return child, self.log_prob(word, self._last.get(state, BOS))

    def finish(self, state: CTCDecoderLMState) -> tuple[CTCDecoderLMState, float]:
        return state, self.log_prob(EOS, self._last.get(state, BOS))
