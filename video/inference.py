"""Describe videos with a trained model: ``VideoTagger``.

from video import VideoTagger
tagger = VideoTagger.from_pretrained()
r = tagger.describe("clip.mp4", beam_size=3)
r.text, r.tokens, r.attention, r.frame_times     # attention: (len(tokens), frames)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from shared.captions import detokenize
from shared.decoding import DecodeConfig
from shared.pretrained import list_pretrained as _list_pretrained
from shared.pretrained import load_pretrained
from shared.vocab import Vocabulary
from video.data import frames_tensor
from video.frames import DEFAULT_FPS, read_frames
from video.model import FORMAT_VERSION, MODEL_TYPE, VideoConfig, VideoModel

PRETRAINED_DIR = Path(__file__).parent / "pretrained"
DEFAULT_MODEL = "shapes"
VOCAB_NAME = "vocab.json"
MAX_WORDS = 40


@dataclass
class VideoDescription:
    """What happened in a video, and when the model looked for each word.

    Attributes:
        text: the caption.
        tokens: its words.
        attention: (len(tokens), frames) attention over the sampled frames; each word's row
            sums to 1 with its row of ``places`` (a model without order, ``temporal="mean"``,
            attends to one pooled feature: its share is spread evenly over the frames).
        frame_times: the time (s) of each sampled frame in the video.
        frames: the sampled frames (frames, H, W, 3) uint8, as read (at most 160 pixels a side).
        score: the length-normalised log-probability the search ranked by.
        places: (len(tokens), s, s) attention over the cells of the CNN's grid, for a model
            that attends over places (``VideoConfig.places``); else None.
    """

    text: str
    tokens: list[str]
    attention: np.ndarray
    frame_times: list[float]
    frames: np.ndarray
    score: float
    places: np.ndarray | None = None


def list_pretrained() -> list[str]:
    """Names of the shipped video models."""
    return _list_pretrained(PRETRAINED_DIR)


class VideoTagger:
    """A video model with its vocabulary; owns frame sampling and detokenisation."""

    def __init__(
        self, model: VideoModel, vocab: Vocabulary, device: str | torch.device = "cpu"
    ) -> None:
        self.model = model.to(device).eval()
        self.config: VideoConfig = model.config
        self.vocab = vocab
        self.device = torch.device(device)

    @classmethod
    def from_pretrained(
        cls, name_or_dir: str | Path = DEFAULT_MODEL, device: str | torch.device = "cpu"
    ) -> VideoTagger:
        """Load a shipped model by name (see :func:`list_pretrained`) or a model directory."""
        model, folder = load_pretrained(
            name_or_dir,
            PRETRAINED_DIR,
            VideoConfig,
            VideoModel,
            model_type=MODEL_TYPE,
            format_version=FORMAT_VERSION,
        )
        return cls(model, Vocabulary.load(folder / VOCAB_NAME), device)

    def describe(
        self, video, beam_size: int = 3, fps: float = DEFAULT_FPS, length_penalty: float = 0.0
    ) -> VideoDescription:
        """Describe one video (see :meth:`describe_batch`)."""
        return self.describe_batch([video], beam_size, fps, length_penalty)[0]

    @torch.no_grad()
    def describe_batch(
        self,
        videos: list,
        beam_size: int = 3,
        fps: float = DEFAULT_FPS,
        length_penalty: float = 0.0,
        batch_size: int = 16,
    ) -> list[VideoDescription]:
        """Describe many videos, batched internally; same results as one by one.

        Args:
            videos: video file paths (MP4, WebM, GIF, AVI...), lists of images, or arrays
                (T, H, W[, 3]); each is sampled evenly to the model's frame count.
            fps: the frame rate of lists and arrays (for ``frame_times``).

        Raises:
            ValueError: an input that is not a video, has no frames, or is over a limit.
        """
        if beam_size < 1:
            raise ValueError(f"beam_size must be at least 1, not {beam_size}")
        sampled = [read_frames(v, self.config.frames, fps) for v in videos]
        results: list[VideoDescription] = []
        config = DecodeConfig(beam_size=beam_size, max_len=MAX_WORDS, length_penalty=length_penalty)
        for start in range(0, len(sampled), batch_size):
            chunk = sampled[start : start + batch_size]
            batch = torch.stack([frames_tensor(f.pixels, self.config.frame_size) for f in chunk])
            memory = self.model.encode(batch.to(self.device))
            nbests = self.model.decoder.generate(
                memory, None, bos=self.vocab.bos_id, eos=self.vocab.eos_id, config=config
            )
            for frames, nbest in zip(chunk, nbests, strict=True):
                best = nbest[0]
                words = self.vocab.decode(best.tokens)
                attention = best.attention.reshape(len(best.tokens), memory.size(1)).numpy()
                over_time, over_places = self._split_attention(attention.astype(np.float32))
                results.append(
                    VideoDescription(
                        detokenize(words),
                        words,
                        over_time,
                        frames.times,
                        frames.pixels,
                        float(best.score),
                        over_places,
                    )
                )
        return results

    def _split_attention(self, attention: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Attention (words, T' + P) over the memory -> (words, frames) over time and
        (words, s, s) over places (or None)."""
        steps, frames = self.config.time_steps, self.config.frames
        over_time, over_places = attention[:, :steps], attention[:, steps:]
        if steps != frames:  # one pooled feature: no "when", its share spread evenly
            over_time = np.repeat(over_time / frames, frames, axis=1)
        if not self.config.places:
            return over_time, None
        side = self.config.grid_side
        return over_time, over_places.reshape(len(attention), side, side)
