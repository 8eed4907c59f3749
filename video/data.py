"""Video caption data: procedural clips rendered on the fly (the default), and MSR-VTT /
MSVD style folders (video files + a captions JSON or CSV) for real video."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F
from torch.utils.data import Dataset

from shared.captions import teacher_forcing, tokenize
from shared.shapes import COLORS, SHAPES, SIZES
from shared.vocab import Vocabulary
from video.clips import ACTIONS, BACKGROUND, SHARES, SPLIT_SEEDS, Style, render_clip
from video.frames import read_frames

MSVD_SPLIT = {"train": (0, 1200), "valid": (1200, 1300), "test": (1300, 1970)}  # clip order
MSRVTT_SPLIT = {"train": ("train",), "valid": ("validate", "val"), "test": ("test",)}


def clip_vocabulary() -> Vocabulary:
    """Every word the clips' captions can use, from the grammar (not from a sample)."""
    words = ["a", *SIZES, *COLORS, *SHAPES, ",", "then", "and", "appears", "disappears"]
    for action in ACTIONS:
        words += tokenize(action)
    return Vocabulary(dict.fromkeys(words))


def frames_tensor(pixels: np.ndarray, size: int) -> torch.Tensor:
    """Frames (T, H, W, 3) uint8 -> (T, 3, size, size) float in [-0.5, 0.5], resized with
    antialiasing (a wide video is squeezed to a square: nothing is cut off)."""
    x = torch.from_numpy(np.ascontiguousarray(pixels)).permute(0, 3, 1, 2).float() / 255.0
    if x.shape[-2:] != (size, size):
        x = F.interpolate(
            x, size=(size, size), mode="bilinear", antialias=True, align_corners=False
        )
    return x - 0.5


# Shades a renderer might give each colour name: this project's, the CSS colour keywords, and
# common plotting palettes'. Training clips mix them, so the model learns the names, not one
# renderer's RGB values.
TRAINING_PALETTE = {
    "red": ((215, 35, 35), (255, 0, 0), (214, 39, 40), (200, 30, 70)),
    "green": ((40, 160, 60), (0, 128, 0), (44, 160, 44), (60, 200, 60)),
    "blue": ((40, 80, 215), (0, 0, 255), (31, 119, 180), (30, 60, 170)),
    "yellow": ((235, 200, 25), (255, 255, 0), (255, 215, 0), (230, 220, 60)),
    "purple": ((135, 50, 175), (128, 0, 128), (148, 103, 189), (110, 40, 150)),
    "orange": ((240, 130, 20), (255, 165, 0), (255, 127, 14), (230, 110, 40)),
}


def clip_style(seed: int) -> Style:
    """A rendering style per training clip: edge smoothing, noise level, colour shades,
    background and move lengths vary, so that a model does not learn one renderer's look
    (a third of the clips keep the specification's own palette)."""
    palette = None if seed % 3 == 0 else TRAINING_PALETTE
    return Style(
        noise=float(seed * 7919 % 9),
        supersample=1 + seed % 3,
        color_jitter=18 + 8 * (seed // 3 % 3),
        palette=palette,
        background=(200, 255) if seed % 2 else BACKGROUND,
        max_travel=0.45 if seed % 5 else 0.6,
    )


class ClipDataset(Dataset):
    """Procedural clips of a split, rendered when first asked for: (frames (T, 3, S, S),
    caption ids). ``cache`` keeps each clip's frames (uint8, at the model's size: 16 x 64 x
    64 x 3 bytes, about 200 kB a clip) so later epochs skip the drawing; without it memory
    stays flat and ``num_workers`` can draw in parallel. ``shares``: how often each kind of
    clip comes (:func:`video.clips.kind_shares`)."""

    def __init__(
        self,
        split: str,
        count: int,
        vocab: Vocabulary,
        frame_size: int,
        vary_style: bool = False,
        cache: bool = False,
        shares: dict[str, float] = SHARES,
    ) -> None:
        if split not in SPLIT_SEEDS:
            raise ValueError(f"split must be one of {', '.join(SPLIT_SEEDS)}, not {split!r}")
        self.start, self.count = SPLIT_SEEDS[split], count
        self.vocab, self.frame_size, self.vary_style = vocab, frame_size, vary_style
        self.shares = shares
        self._cache: dict[int, tuple[torch.Tensor, list[int]]] | None = {} if cache else None

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, i: int) -> tuple[torch.Tensor, list[int]]:
        if self._cache is not None and i in self._cache:
            pixels, ids = self._cache[i]
            return pixels.float() / 255.0 - 0.5, ids
        seed = self.start + i
        clip = render_clip(seed, clip_style(seed) if self.vary_style else Style(), self.shares)
        frames = frames_tensor(clip.frames, self.frame_size)
        ids = self.vocab.encode(tokenize(clip.caption))
        if self._cache is not None:
            self._cache[i] = (((frames + 0.5) * 255).round().to(torch.uint8), ids)
        return frames, ids


@dataclass
class VideoItem:
    """A video file and its reference captions."""

    path: Path
    references: list[str]


def _find_video(root: Path, stem: str) -> Path:
    for suffix in (".mp4", ".avi", ".webm", ".mkv", ".mov", ".gif"):
        if (root / f"{stem}{suffix}").is_file():
            return root / f"{stem}{suffix}"
    raise ValueError(f"no video file for {stem!r} in {root}")


def msrvtt_items(json_path: str | Path, video_root: str | Path, split: str) -> list[VideoItem]:
    """One split of an MSR-VTT style ``videodatainfo.json``: ``videos`` (``video_id``,
    ``split``: train / validate / test) and ``sentences`` (``video_id``, ``caption``)."""
    data = json.loads(Path(json_path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "videos" not in data or "sentences" not in data:
        raise ValueError(
            f"{json_path} is not an MSR-VTT caption file (no 'videos' and 'sentences')"
        )
    wanted = [v["video_id"] for v in data["videos"] if v.get("split") in MSRVTT_SPLIT[split]]
    captions: dict[str, list[str]] = {v: [] for v in wanted}
    for sentence in data["sentences"]:
        if sentence["video_id"] in captions:
            captions[sentence["video_id"]].append(sentence["caption"])
    root = Path(video_root)
    return [VideoItem(_find_video(root, v), refs) for v, refs in captions.items() if refs]


def msvd_items(csv_path: str | Path, video_root: str | Path, split: str) -> list[VideoItem]:
    """One split of MSVD (``MSR Video Description Corpus.csv``: VideoID, Start, End, ...,
    Language, Description): English descriptions; clips ``<VideoID>_<Start>_<End>.<ext>`` in
    their order of first appearance, split 1200 / 100 / 670 as is customary."""
    captions: dict[str, list[str]] = {}
    with open(csv_path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = {"VideoID", "Start", "End", "Language", "Description"} - set(
            reader.fieldnames or []
        )
        if missing:
            raise ValueError(
                f"{csv_path} is not an MSVD caption file: no {', '.join(sorted(missing))} column"
            )
        for row in reader:
            if row["Language"] != "English" or not (row["Description"] or "").strip():
                continue
            stem = f"{row['VideoID']}_{row['Start']}_{row['End']}"
            captions.setdefault(stem, []).append(row["Description"].strip())
    lo, hi = MSVD_SPLIT[split]
    stems = list(captions)[lo:hi]
    root = Path(video_root)
    return [VideoItem(_find_video(root, s), captions[s]) for s in stems]


def folder_items(captions_file: str | Path, video_root: str | Path, split: str) -> list[VideoItem]:
    """MSR-VTT (``.json``) or MSVD (``.csv``) items, by the captions file's suffix."""
    if split not in MSRVTT_SPLIT:
        raise ValueError(f"split must be one of {', '.join(MSRVTT_SPLIT)}, not {split!r}")
    suffix = Path(captions_file).suffix.lower()
    if suffix == ".json":
        return msrvtt_items(captions_file, video_root, split)
    if suffix == ".csv":
        return msvd_items(captions_file, video_root, split)
    raise ValueError(f"captions must be an MSR-VTT .json or an MSVD .csv, not {captions_file}")


class VideoFileDataset(Dataset):
    """(frames, caption ids) for every reference of every video; each video is decoded once
    and its frames kept as uint8 at the model's size."""

    def __init__(
        self, items: list[VideoItem], vocab: Vocabulary, frames: int, frame_size: int
    ) -> None:
        self.items, self.vocab = items, vocab
        self.frames, self.frame_size = frames, frame_size
        self.index = [(i, r) for i, item in enumerate(items) for r in range(len(item.references))]
        self._cache: dict[int, torch.Tensor] = {}

    def __len__(self) -> int:
        return len(self.index)

    def video(self, i: int) -> torch.Tensor:
        if i not in self._cache:
            pixels = read_frames(self.items[i].path, self.frames).pixels
            small = frames_tensor(pixels, self.frame_size) + 0.5
            self._cache[i] = (small * 255).round().to(torch.uint8)
        return self._cache[i].float() / 255.0 - 0.5

    def __getitem__(self, k: int) -> tuple[torch.Tensor, list[int]]:
        i, r = self.index[k]
        return self.video(i), self.vocab.encode(tokenize(self.items[i].references[r]))


def build_vocabulary(items: list[VideoItem], min_freq: int = 1) -> Vocabulary:
    return Vocabulary.build((tokenize(r) for i in items for r in i.references), min_freq=min_freq)


def collate(examples: list[tuple[torch.Tensor, list[int]]]) -> dict[str, torch.Tensor]:
    """Stack frames (B, T, 3, S, S); decoder inputs and outputs, padded."""
    tokens_in, tokens_out = teacher_forcing([ids for _, ids in examples])
    return {
        "frames": torch.stack([frames for frames, _ in examples]),
        "tokens_in": tokens_in,
        "tokens_out": tokens_out,
    }
