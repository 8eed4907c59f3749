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
from shared.pretrained import list_pretrained as _list_pretrained
from shared.pretrained import load_pretrained
from translation.model import FORMAT_VERSION, MODEL_TYPE, Seq2Seq, TranslationConfig
from translation.text import mask_source, missing_placeholders, normalize_text, unmask
from translation.tokenizer import BOS_ID, EOS_ID, SubwordTokenizer

PRETRAINED_DIR = Path(__file__).parent / "pretrained"
DEFAULT_MODEL = "en-fr"
SOURCE_TOKENIZER = "source.model"
TARGET_TOKENIZER = "target.model"
MAX_CHARACTERS = 1000


@dataclass
class TranslationResult:
    """A translation and how it was made.

    Attributes:
        text: the detokenised translation, placeholders restored.
        tokens: the output subwords.
        source_tokens: the input subwords.
        attention: (len(tokens), len(source_tokens)) attention of each output subword.
        score: the length-normalised log-probability the search ranked by.
        missing_placeholders: source placeholders (``%s``, ``{0}``) absent from ``text``.
    """

    text: str
    tokens: list[str]
    source_tokens: list[str]
    attention: np.ndarray
    score: float
    missing_placeholders: list[str] = field(default_factory=list)


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
    ) -> None:
        self.model = model.to(device).eval()
        self.config: TranslationConfig = model.config
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
        )
        return cls(
            model,
            SubwordTokenizer(directory / SOURCE_TOKENIZER),
            SubwordTokenizer(directory / TARGET_TOKENIZER),
            device,
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

        Empty or white-space input gives an empty result. Among the beam's hypotheses the
        best one that keeps every placeholder of the source wins.

        Raises:
            ValueError: an input over ``MAX_CHARACTERS`` characters or over the model's
                ``max_source_tokens`` subwords.
        """
        if length_penalty is None:
            length_penalty = self.config.length_penalty
        prepared = [self._prepare(t) for t in texts]
        results: list[TranslationResult | None] = [None] * len(texts)
        todo = [i for i, p in enumerate(prepared) if p is not None]
        # Longest first, so each batch pads little.
        todo.sort(key=lambda i: -len(prepared[i][1]))
        for start in range(0, len(todo), batch_size):
            chunk = todo[start : start + batch_size]
            for i, result in zip(
                chunk,
                self._translate_prepared(
                    [prepared[i] for i in chunk], beam_size, max_len, length_penalty
                ),
                strict=True,
            ):
                results[i] = result
        for i, p in enumerate(prepared):
            if p is None:
                results[i] = TranslationResult("", [], [], np.zeros((0, 0), np.float32), 0.0)
        return results  # type: ignore[return-value]

    def _prepare(self, text: str):
        if not isinstance(text, str):
            raise ValueError(f"expected text, got {type(text).__name__}")
        if len(text) > MAX_CHARACTERS:
            raise ValueError(
                f"input of {len(text)} characters is over the limit of {MAX_CHARACTERS}"
            )
        cleaned = normalize_text(text)
        if not cleaned:
            return None
        masked, found = mask_source(cleaned)
        ids = self.source_tokenizer.encode(masked)
        if len(ids) > self.config.max_source_tokens:
            raise ValueError(
                f"input of {len(ids)} subwords is over the model's limit of {self.config.max_source_tokens}; split it into sentences"
            )
        if not ids:
            return None
        return cleaned, ids, found

    def _translate_prepared(
        self, prepared, beam_size, max_len, length_penalty
    ) -> list[TranslationResult]:
        longest = max(len(ids) for _, ids, _ in prepared)
        src = torch.zeros(len(prepared), longest, dtype=torch.long)
        for row, (_, ids, _) in enumerate(prepared):
            src[row, : len(ids)] = torch.tensor(ids)
        lengths = torch.tensor([len(ids) for _, ids, _ in prepared])
        memory, pad_mask = self.model.encode(src.to(self.device), lengths.to(self.device))
        # Each input gets its own cap, so batching cannot change a result.
        caps = [max_len or 2 * len(ids) + 10 for _, ids, _ in prepared]
        config = DecodeConfig(
            beam_size=beam_size, max_len=max(caps), length_penalty=length_penalty, n_best=beam_size
        )
        nbests = self.model.decoder.generate(
            memory, pad_mask, bos=BOS_ID, eos=EOS_ID, config=config, max_lens=caps
        )
        results = []
        for (cleaned, ids, found), candidates in zip(prepared, nbests, strict=True):
            chosen, text, missing = None, "", []
            for hyp in candidates:
                text = unmask(self.target_tokenizer.decode(hyp.tokens), found)
                missing = missing_placeholders(cleaned, text)
                chosen = hyp
                if not missing:
                    break
            if missing:  # none keeps them all: report the best one's gaps
                chosen = candidates[0]
                text = unmask(self.target_tokenizer.decode(chosen.tokens), found)
                missing = missing_placeholders(cleaned, text)
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
                    missing_placeholders=missing,
                )
            )
        return results
