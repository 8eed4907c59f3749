"""Translate text with a trained model: ``Translator``.

from translation import Translator
mt = Translator.from_pretrained("en-fr")
r = mt.translate("Permission denied", beam_size=5)
r.text, r.tokens, r.source_tokens, r.attention, r.score
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from shared.decoding import DecodeConfig
from shared.masks import lengths_to_pad_mask
from shared.pretrained import list_pretrained as _list_pretrained
from shared.pretrained import load_generation_config, load_pretrained
from shared.sentences import split_sentences
from translation.model import (
    FORMAT_VERSION,
    MODEL_TYPE,
    RETIRED_KEYS,
    GenerationConfig,
    Seq2Seq,
    TranslationConfig,
)
from translation.text import (
    extra_placeholders,
    mask_source,
    missing_placeholders,
    normalize_text,
    shout,
    shouted,
    unmask,
    unshout,
)
from translation.tokenizer import BOS_ID, EOS_ID, SubwordTokenizer

PRETRAINED_DIR = Path(__file__).parent / "pretrained"
DEFAULT_MODEL = "en-fr"
SOURCE_TOKENIZER = "source.model"
TARGET_TOKENIZER = "target.model"
MAX_CHARACTERS = 1000
# Rows the encoder runs together, each run padded only to its own longest source: a batch of
# uneven lengths (64 test messages: 737 subwords, 2,880 padded) then costs about a third of the
# steps it would padded as one.
ENCODER_RUN = 16


@dataclass
class TranslationResult:
    """A translation and how it was made.

    Attributes:
        text: the detokenised translation, placeholders restored.
        tokens: the output subwords.
        source_tokens: the input subwords.
        attention: (len(tokens), len(source_tokens)) attention of each output subword.
        score: the length-normalised log-probability the search ranked by.
        missing_placeholders: source placeholders (``%s``, ``{0}``, a URL, path or option kept
            as written; see :mod:`translation.text`) absent from ``text``.
        extra_placeholders: placeholders of ``text`` beyond the source's (a repeated ``%s``).
    """

    text: str
    tokens: list[str]
    source_tokens: list[str]
    attention: np.ndarray
    score: float
    missing_placeholders: list[str] = field(default_factory=list)
    extra_placeholders: list[str] = field(default_factory=list)


def list_pretrained() -> list[str]:
    """Names of the shipped translation models."""
    return _list_pretrained(PRETRAINED_DIR)


class Translator:
    """A translation model with its tokenizers and search; owns all pre- and post-processing.

    Args:
        model: a :class:`Seq2Seq`.
        source_tokenizer, target_tokenizer: the subword models it was trained with.
        device: where to run (default: CPU).
    """

    def __init__(
        self,
        model: Seq2Seq,
        source_tokenizer: SubwordTokenizer,
        target_tokenizer: SubwordTokenizer,
        device: str | torch.device = "cpu",
        generation: GenerationConfig | None = None,
    ) -> None:
        self.model = model.to(device).eval()
        self.config: TranslationConfig = model.config
        self.generation = generation or GenerationConfig()
        self.source_tokenizer = source_tokenizer
        self.target_tokenizer = target_tokenizer
        self.device = torch.device(device)

    @classmethod
    def from_pretrained(
        cls, name_or_dir: str | Path = DEFAULT_MODEL, device: str | torch.device = "cpu"
    ) -> Translator:
        """Load a shipped model by name (see :func:`list_pretrained`) or a model directory."""
        model, directory = load_pretrained(
            name_or_dir,
            PRETRAINED_DIR,
            TranslationConfig,
            Seq2Seq,
            model_type=MODEL_TYPE,
            format_version=FORMAT_VERSION,
            retired=RETIRED_KEYS,
        )
        return cls(
            model,
            SubwordTokenizer(directory / SOURCE_TOKENIZER),
            SubwordTokenizer(directory / TARGET_TOKENIZER),
            device,
            load_generation_config(directory, GenerationConfig),
        )

    @property
    def name(self) -> str:
        return f"{self.config.src_lang}-{self.config.tgt_lang}"

    def translate(
        self,
        text: str,
        beam_size: int = 5,
        max_len: int | None = None,
        length_penalty: float | None = None,
    ) -> TranslationResult:
        """Translate one sentence (see :meth:`translate_batch`)."""
        return self.translate_batch([text], beam_size, max_len, length_penalty)[0]

    @torch.no_grad()
    def translate_batch(
        self,
        texts: list[str],
        beam_size: int = 5,
        max_len: int | None = None,
        length_penalty: float | None = None,
        batch_size: int = 32,
    ) -> list[TranslationResult]:
        """Translate many sentences, batched internally; same results as one by one.

        ``length_penalty`` (GNMT alpha: higher favours longer outputs) defaults to the
        model's own, chosen on its validation data.

        (On a GPU the matrix kernels chosen for each batch shape round differently, so a
        near-tie between two hypotheses can rarely go the other way.)

        Empty or white-space input gives an empty result. Text over the model's
        ``max_source_tokens`` subwords is translated sentence by sentence (in the same
        batches) and joined again: its attention is then block-diagonal. Among the beam's
        hypotheses the best one whose placeholders are the source's wins, none missing and
        none added (what ``msgfmt --check-format`` asks of a catalog); failing that, the
        best one that misses none; failing that, the best.

        Raises:
            ValueError: an input over ``MAX_CHARACTERS`` characters, or a single sentence
                over the model's ``max_source_tokens`` subwords.
        """
        if length_penalty is None:
            length_penalty = self.generation.length_penalty
        segments = [self._prepare(t) for t in texts]  # each text: its sentences, prepared
        flat = [p for pieces in segments for p in pieces if p is not None]
        translated: list[TranslationResult | None] = [None] * len(flat)
        # Longest first, so each batch pads little.
        todo = sorted(range(len(flat)), key=lambda i: -len(flat[i][1]))
        for start in range(0, len(todo), batch_size):
            chunk = todo[start : start + batch_size]
            for i, result in zip(
                chunk,
                self._translate_prepared(
                    [flat[i] for i in chunk], beam_size, max_len, length_penalty
                ),
                strict=True,
            ):
                translated[i] = result
        results, position = [], 0
        for pieces in segments:
            count = sum(p is not None for p in pieces)
            results.append(self._join(translated[position : position + count]))  # type: ignore[arg-type]
            position += count
        return results

    def _prepare(self, text: str) -> list:
        """``text`` as [:meth:`_encode` entries]: one, or one per sentence
        when the whole is over the model's subword limit; [] for empty text."""
        if not isinstance(text, str):
            raise ValueError(f"expected text, got {type(text).__name__}")
        if len(text) > MAX_CHARACTERS:
            raise ValueError(
                f"input of {len(text)} characters is over the limit of {MAX_CHARACTERS}"
            )
        cleaned = normalize_text(text)
        whole = self._encode(cleaned)
        limit = self.generation.max_source_tokens
        if whole is None or len(whole[1]) <= limit:
            return [whole] if whole else []
        pieces = [self._encode(sentence) for sentence in split_sentences(cleaned)]
        for piece in pieces:
            if piece is not None and len(piece[1]) > limit:
                raise ValueError(
                    f"a sentence of {len(piece[1])} subwords is over the model's limit of"
                    f" {limit}: {piece[0][:60]}..."
                )
        return [p for p in pieces if p is not None]

    def _encode(self, cleaned: str):
        """(cleaned, subword ids, placeholders, in capitals?) or None for nothing to read.
        A source in capitals is read in sentence case; its translation is put in capitals."""
        if not cleaned:
            return None
        masked, found = mask_source(cleaned)
        loud = shouted(masked)
        ids = self.source_tokenizer.encode(unshout(masked) if loud else masked)
        return (cleaned, ids, found, loud) if ids else None

    def _join(self, parts: list[TranslationResult]) -> TranslationResult:
        """One result from the results of a text's sentences (none: the empty result)."""
        if not parts:
            return TranslationResult("", [], [], np.zeros((0, 0), np.float32), 0.0)
        if len(parts) == 1:
            return parts[0]
        attention = np.zeros(
            (sum(len(p.tokens) for p in parts), sum(len(p.source_tokens) for p in parts)),
            np.float32,
        )
        row = column = 0
        for p in parts:
            attention[row : row + len(p.tokens), column : column + len(p.source_tokens)] = (
                p.attention
            )
            row, column = row + len(p.tokens), column + len(p.source_tokens)
        separator = "" if self.config.tgt_lang.startswith(("zh", "ja")) else " "
        return TranslationResult(
            text=separator.join(p.text for p in parts),
            tokens=[t for p in parts for t in p.tokens],
            source_tokens=[t for p in parts for t in p.source_tokens],
            attention=attention,
            score=float(np.mean([p.score for p in parts])),
            missing_placeholders=[m for p in parts for m in p.missing_placeholders],
            extra_placeholders=[m for p in parts for m in p.extra_placeholders],
        )

    def _translate_prepared(
        self, prepared, beam_size, max_len, length_penalty
    ) -> list[TranslationResult]:
        longest = max(len(ids) for _, ids, _, _ in prepared)
        src = torch.zeros(len(prepared), longest, dtype=torch.long)
        for row, (_, ids, _, _) in enumerate(prepared):
            src[row, : len(ids)] = torch.tensor(ids)
        lengths = torch.tensor([len(ids) for _, ids, _, _ in prepared])
        memory, pad_mask = encode_in_runs(self.model, src.to(self.device), lengths.to(self.device))
        # Each input gets its own cap, so batching cannot change a result.
        caps = [max_len or 2 * len(ids) + 10 for _, ids, _, _ in prepared]
        config = DecodeConfig(
            beam_size=beam_size, max_len=max(caps), length_penalty=length_penalty, n_best=beam_size
        )
        nbests = self.model.decoder.generate(
            memory, pad_mask, bos=BOS_ID, eos=EOS_ID, config=config, max_lens=caps
        )
        results = []
        for (cleaned, ids, found, loud), candidates in zip(prepared, nbests, strict=True):
            decoded = [self.target_tokenizer.decode(h.tokens) for h in candidates]
            texts = [unmask(shout(d) if loud else d, found) for d in decoded]
            missing = [missing_placeholders(cleaned, t) for t in texts]
            extra = [extra_placeholders(cleaned, t) for t in texts]
            # Exact placeholders first, then none missing, then the search's own order.
            best = min(
                range(len(candidates)),
                key=lambda i: (2 if missing[i] else 1 if extra[i] else 0, i),
            )
            chosen, text = candidates[best], texts[best]
            attention = chosen.attention[:, : len(ids)].numpy().astype(np.float32)
            results.append(
                TranslationResult(
                    text=text,
                    tokens=[
                        unmask(p, found) or p for p in self.target_tokenizer.pieces(chosen.tokens)
                    ],
                    source_tokens=[
                        unmask(p, found) or p for p in self.source_tokenizer.pieces(ids)
                    ],
                    attention=attention,
                    score=float(chosen.score),
                    missing_placeholders=missing[best],
                    extra_placeholders=extra[best],
                )
            )
        return results


def encode_in_runs(
    model: Seq2Seq, src: torch.Tensor, lengths: torch.Tensor, run: int = ENCODER_RUN
) -> tuple[torch.Tensor, torch.Tensor]:
    """:meth:`Seq2Seq.encode` of ``run`` rows at a time, each run cut to its own longest
    source; the same memory (B, S, 2H) and pad mask (B, S) as one call, at less cost when the
    rows come sorted by length (as :meth:`Translator.translate_batch` sends them)."""
    memories = []
    for start in range(0, src.size(0), run):
        longest = int(lengths[start : start + run].max())
        memory, _ = model.encode(src[start : start + run, :longest], lengths[start : start + run])
        memories.append(torch.nn.functional.pad(memory, (0, 0, 0, src.size(1) - longest)))
    return torch.cat(memories), lengths_to_pad_mask(lengths, src.size(1))
