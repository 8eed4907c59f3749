"""Caption images with a trained model: ``Captioner``.

from captioning import Captioner
cap = Captioner.from_pretrained()
r = cap.caption("photo.png", beam_size=3)
r.text, r.tokens, r.attention, r.score     # attention: (len(tokens), h, w)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from captioning.data import image_tensor
from captioning.model import (
    FORMAT_VERSION,
    MODEL_TYPE,
    RETIRED_KEYS,
    CaptionConfig,
    CaptionModel,
)
from shared.captions import detokenize
from shared.decoding import DecodeConfig
from shared.images import load_rgb
from shared.pretrained import list_pretrained as _list_pretrained
from shared.pretrained import load_pretrained
from shared.vocab import Vocabulary

PRETRAINED_DIR = Path(__file__).parent / "pretrained"
DEFAULT_MODEL = "shapes"
VOCAB_NAME = "vocab.json"
MAX_WORDS = 40


@dataclass
class CaptionResult:
    """A caption and where each word looked.

    Attributes:
        text: the caption.
        tokens: its words.
        attention: (len(tokens), h, w) attention over the encoder's feature grid; each
            word's map sums to 1.
        score: the length-normalised log-probability the search ranked by.
    """

    text: str
    tokens: list[str]
    attention: np.ndarray
    score: float


def list_pretrained() -> list[str]:
    """Names of the shipped captioning models."""
    return _list_pretrained(PRETRAINED_DIR)


class Captioner:
    """A captioning model with its vocabulary; owns preprocessing and detokenisation."""

    def __init__(
        self, model: CaptionModel, vocab: Vocabulary, device: str | torch.device = "cpu"
    ) -> None:
        self.model = model.to(device).eval()
        self.config: CaptionConfig = model.config
        self.vocab = vocab
        self.device = torch.device(device)

    @classmethod
    def from_pretrained(
        cls, name_or_dir: str | Path = DEFAULT_MODEL, device: str | torch.device = "cpu"
    ) -> Captioner:
        """Load a shipped model by name (see :func:`list_pretrained`) or a model directory."""
        model, folder = load_pretrained(
            name_or_dir,
            PRETRAINED_DIR,
            CaptionConfig,
            CaptionModel,
            model_type=MODEL_TYPE,
            format_version=FORMAT_VERSION,
            retired=RETIRED_KEYS,
        )
        return cls(model, Vocabulary.load(folder / VOCAB_NAME), device)

    def caption(self, image, beam_size: int = 3, length_penalty: float = 0.0) -> CaptionResult:
        """Caption one image (see :meth:`caption_batch`)."""
        return self.caption_batch([image], beam_size, length_penalty)[0]

    @torch.no_grad()
    def caption_batch(
        self, images: list, beam_size: int = 3, length_penalty: float = 0.0, batch_size: int = 32
    ) -> list[CaptionResult]:
        """Caption many images, batched internally; same results as one by one.

        Args:
            images: PIL images (any mode), arrays (H, W[, C]) or paths, of any size.

        Raises:
            ValueError: an input that is not an image, is empty, or is over the pixel limit.
        """
        tensors = [
            image_tensor(load_rgb(image), self.config.image_size, self.config.encoder)
            for image in images
        ]
        results: list[CaptionResult] = []
        for start in range(0, len(tensors), batch_size):
            batch = torch.stack(tensors[start : start + batch_size]).to(self.device)
            memory, (h, w) = self.model.encode(batch)
            config = DecodeConfig(
                beam_size=beam_size, max_len=MAX_WORDS, length_penalty=length_penalty
            )
            nbests = self.model.decoder.generate(
                memory, None, bos=self.vocab.bos_id, eos=self.vocab.eos_id, config=config
            )
            for nbest in nbests:
                best = nbest[0]
                words = self.vocab.decode(best.tokens)
                attention = (
                    best.attention.reshape(len(best.tokens), h, w).numpy().astype(np.float32)
                )
                results.append(
                    CaptionResult(detokenize(words), words, attention, float(best.score))
                )
        return results
