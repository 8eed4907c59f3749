"""CTC decoding: greedy (best label per frame, repeats merged, blanks dropped) and beam search
through torchaudio's flashlight decoder, lexicon-free or with a word list / KenLM model; both
give each character's frame and each word's span."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import torch

from speech.text import CharVocabulary

try:
    from torchaudio.models.decoder import CTCDecoderLM
except (ImportError, RuntimeError):  # flashlight-text missing: only greedy decoding works
    CTCDecoderLM = object  # type: ignore[assignment,misc]


@dataclass
class CTCOutput:
    """One decoded utterance.

    Attributes:
        text: the transcript.
        ids: the emitted characters' ids (blanks and merged repeats removed).
        frames: the output frame at which each of ``ids`` was emitted.
        words: ``(word, first_frame, last_frame)`` for each word.
        score: the path's total log-probability (greedy) or the decoder's score (beam).
    """

    text: str
    ids: list[int]
    frames: list[int]
    words: list[tuple[str, int, int]] = field(default_factory=list)
    score: float = 0.0


def _words(ids: list[int], frames: list[int], vocab: CharVocabulary) -> list[tuple[str, int, int]]:
    words, chars, start, end = [], [], 0, 0
    for i, f in zip([*ids, vocab.space_id], [*frames, frames[-1] if frames else 0], strict=True):
        if i == vocab.space_id:
            if chars:
                words.append(("".join(chars), start, end))
            chars = []
            continue
        if not chars:
            start = f
        chars.append(vocab.tokens[i])
        end = f
    return words


def _output(ids: list[int], frames: list[int], vocab: CharVocabulary, score: float) -> CTCOutput:
    # Spaces at the ends and doubled spaces carry no words; drop them from the display too.
    kept = [
        (i, f)
        for n, (i, f) in enumerate(zip(ids, frames, strict=True))
        if i != vocab.space_id or (0 < n < len(ids) - 1 and ids[n + 1] != vocab.space_id)
    ]
    ids, frames = [i for i, _ in kept], [f for _, f in kept]
    text = vocab.decode(ids)
    return CTCOutput(text.strip(), ids, frames, _words(ids, frames, vocab), score)


def greedy_decode(log_probs: torch.Tensor, vocab: CharVocabulary) -> CTCOutput:
    """Best path of one utterance.

    Args:
        log_probs: (T, V) log-probabilities of its real frames (no padding).
    """
    best = log_probs.argmax(-1)
    score = float(log_probs.gather(-1, best[:, None]).sum()) if len(best) else 0.0
    ids, frames, previous = [], [], vocab.blank_id
    for t, label in enumerate(best.tolist()):
        if label != previous and label != vocab.blank_id:
            ids.append(label)
            frames.append(t)
        previous = label
    return _output(ids, frames, vocab, score)


class BeamDecoder:
    """CTC beam search (torchaudio's ``ctc_decoder``; needs the ``flashlight-text`` package).

    Lexicon-free by default: any letter sequence can come out. With ``words`` the output is
    restricted to those words; with ``kenlm`` a KenLM model (``.arpa`` or ``.bin``) scores them;
    with ``lm`` (a :class:`~speech.lm.BigramLM`) the words are its vocabulary and it scores them.
    """

    def __init__(
        self,
        vocab: CharVocabulary,
        beam_size: int = 16,
        words: list[str] | None = None,
        kenlm: str | Path | None = None,
        lm_weight: float = 0.5,
        word_score: float = 0.0,
        lm: CTCDecoderLM | None = None,
    ) -> None:
        try:
            from torchaudio.models.decoder import ctc_decoder
        except (ImportError, RuntimeError) as e:
            raise RuntimeError(
                "beam search needs the flashlight-text package: pip install flashlight-text"
            ) from e
        self.vocab = vocab
        self._lock = threading.Lock()
        # flashlight wants printable tokens: '-' for the blank, '|' for the word break.
        tokens = ["-", "|", *vocab.tokens[2:]]
        # flashlight reads its word list and lexicon from files while it is built: write
        # them to a folder that is gone once the decoder exists.
        with tempfile.TemporaryDirectory(prefix="rnn-suite-ctc-") as folder:
            lexicon = lm_dict = None
            if lm is not None:
                words = [w for w in lm.words if w != "<unk>"]
                # The decoder numbers words in this file's order, which is the LM's own.
                lm_dict = str(Path(folder) / "words.txt")
                Path(lm_dict).write_text("\n".join(lm.words) + "\n", encoding="utf-8")
            if words:
                # One "word<TAB>letters |" line per word.
                lexicon = str(Path(folder) / "lexicon.txt")
                Path(lexicon).write_text(
                    "".join(f"{w}\t{' '.join(w)} |\n" for w in sorted(set(words))),
                    encoding="utf-8",
                )
            try:
                self._decoder = ctc_decoder(
                    lexicon=lexicon,
                    tokens=tokens,
                    lm=lm if lm is not None else str(kenlm) if kenlm else None,
                    lm_dict=lm_dict,
                    nbest=1,
                    beam_size=beam_size,
                    blank_token="-",
                    sil_token="|",
                    unk_word="<unk>",
                    lm_weight=lm_weight if kenlm or lm is not None else 0.0,
                    word_score=word_score,
                    log_add=True,  # merge paths to one prefix by summing, as CTC defines it
                )
            except RuntimeError as e:
                raise RuntimeError(
                    "beam search needs the flashlight-text package: pip install flashlight-text"
                ) from e

    def __call__(self, log_probs: torch.Tensor, lengths: torch.Tensor) -> list[CTCOutput]:
        """Args: log_probs (B, T, V); lengths (B,) real frames. Returns one output per row."""
        emissions = log_probs.detach().float().cpu().contiguous()
        # The decoder and its language model keep state during a search: one at a time
        # (the web app runs requests in threads that share a decoder).
        with self._lock:
            results = self._decoder(emissions, lengths.detach().cpu().to(torch.int32))
        out = []
        for hyps in results:
            if not hyps:
                out.append(CTCOutput("", [], []))
                continue
            best = hyps[0]
            ids = best.tokens.tolist()
            # flashlight reports each token one frame late (its frame 0 is the start state).
            frames = [max(0, f - 1) for f in best.timesteps.tolist()]
            out.append(_output(ids, frames, self.vocab, float(best.score)))
        return out


def words_or_letters(
    log_probs: torch.Tensor, words: BeamDecoder, letters: Callable[[], BeamDecoder]
) -> CTCOutput:
    """One utterance's (T, V) log-probabilities through the word-list search ``words``; where
    that ends with no words at all though the best path has letters (none of its words fits
    what was heard), through the lexicon-free search ``letters()`` gives (asked for only then)
    instead, so that an empty transcript never hides what the acoustic model heard. Noise,
    whose best path is all blanks, still gives nothing."""
    lengths = torch.tensor([len(log_probs)])
    out = words(log_probs[None], lengths)[0]
    if not out.text and greedy_decode(log_probs, words.vocab).text:
        out = letters()(log_probs[None], lengths)[0]
    return out
