"""Caption data: procedural scenes (the default) and Karpathy-split JSON for Flickr8k,
Flickr30k and COCO, read from a local folder."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch.utils.data import Dataset
from tqdm.auto import tqdm

from captioning.scenes import render_scene, split_seeds
from shared.captions import teacher_forcing, tokenize
from shared.images import load_rgb
from shared.vocab import Vocabulary


@dataclass
class CaptionedImage:
    """An image (or where to find it) with its reference captions."""

    references: list[str]
    image: Image.Image | None = None
    path: Path | None = None
    key: str = ""


def scene_items(
    split: str, count: int, image_size: int = 128, progress: bool = True, vary_style: bool = False
) -> list[CaptionedImage]:
    """``count`` rendered scenes of a split (train / valid / test seeds never overlap).

    ``vary_style`` draws each scene with its own edge smoothing and noise level, so a model
    does not learn one renderer's look.
    """
    seeds = split_seeds(split, count)
    items = []
    for seed in tqdm(seeds, desc=f"rendering {split} scenes", disable=not progress, leave=False):
        style = {"supersample": 1 + seed % 4, "noise": float(seed * 7919 % 9)} if vary_style else {}
        scene = render_scene(seed, size=image_size, **style)
        items.append(CaptionedImage(scene.references, image=scene.image, key=f"scene-{seed}"))
    return items


KARPATHY_SPLITS = {"train": ("train", "restval"), "valid": ("val",), "test": ("test",)}


def karpathy_items(
    json_path: str | Path, image_root: str | Path, split: str
) -> list[CaptionedImage]:
    """One split of a Karpathy-split file (``dataset_flickr8k.json``, ``dataset_coco.json``):
    ``train`` includes ``restval``; images are found under ``image_root`` (with the
    ``filepath`` folder COCO's entries carry).

    Raises:
        ValueError: the file is not in that format, or an image is missing.
    """
    if split not in KARPATHY_SPLITS:
        raise ValueError(f"split must be one of {', '.join(KARPATHY_SPLITS)}, not {split!r}")
    data = json.loads(Path(json_path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "images" not in data:
        raise ValueError(f"{json_path} is not a Karpathy-split caption file (no 'images' list)")
    root = Path(image_root)
    items = []
    for entry in data["images"]:
        if entry.get("split") not in KARPATHY_SPLITS[split]:
            continue
        path = root / entry.get("filepath", "") / entry["filename"]
        if not path.is_file():
            raise ValueError(f"image {path} listed in {Path(json_path).name} is missing")
        references = [
            " ".join(s["tokens"]) if s.get("tokens") else s["raw"] for s in entry["sentences"]
        ]
        items.append(CaptionedImage(references, path=path, key=entry["filename"]))
    return items


def build_vocabulary(items: list[CaptionedImage], min_freq: int = 1) -> Vocabulary:
    return Vocabulary.build(
        (tokenize(r) for item in items for r in item.references), min_freq=min_freq
    )


def image_tensor(image: Image.Image, size: int, encoder: str) -> torch.Tensor:
    """(3, size, size) float: [-0.5, 0.5] for the scene CNN, ImageNet-normalised for ResNets."""
    if image.size != (size, size):
        image = image.resize((size, size), Image.Resampling.BILINEAR)
    x = torch.from_numpy(np.asarray(image, dtype=np.float32) / 255.0).permute(2, 0, 1)
    if encoder == "scene-cnn":
        return x - 0.5
    mean = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)
    return (x - mean) / std


class CaptionDataset(Dataset):
    """(image tensor, caption ids) examples: every reference of every image, or only the
    first (``first_reference_only``, as for scenes whose first phrasing is canonical)."""

    def __init__(
        self,
        items: list[CaptionedImage],
        vocab: Vocabulary,
        image_size: int,
        encoder: str,
        first_reference_only: bool = False,
    ) -> None:
        self.items = items
        self.vocab = vocab
        self.image_size = image_size
        self.encoder = encoder
        self.index = [
            (i, r)
            for i, item in enumerate(items)
            for r in range(1 if first_reference_only else len(item.references))
        ]
        self._cache: dict[int, torch.Tensor] = {}

    def __len__(self) -> int:
        return len(self.index)

    def image(self, i: int) -> torch.Tensor:
        if i not in self._cache:
            item = self.items[i]
            picture = item.image if item.image is not None else load_rgb(item.path)
            tensor = image_tensor(picture, self.image_size, self.encoder)
            if item.image is not None:  # in-memory scenes: keep the tensor
                self._cache[i] = tensor
            return tensor
        return self._cache[i]

    def __getitem__(self, k: int) -> tuple[torch.Tensor, list[int]]:
        i, r = self.index[k]
        return self.image(i), self.vocab.encode(tokenize(self.items[i].references[r]))


def collate(examples: list[tuple[torch.Tensor, list[int]]]) -> dict[str, torch.Tensor]:
    """Stack images; decoder inputs (<bos> + words) and outputs (words + <eos>), padded."""
    tokens_in, tokens_out = teacher_forcing([ids for _, ids in examples])
    return {
        "images": torch.stack([image for image, _ in examples]),
        "tokens_in": tokens_in,
        "tokens_out": tokens_out,
    }
