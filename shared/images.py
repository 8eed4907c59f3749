"""Turning whatever a user hands in (captioning's image, video's frames) into a clean RGB
image, or a clear error.

Accepts a PIL image (any mode: RGBA, LA, palette, grayscale, 16-bit, CMYK...), a NumPy
array (H, W), (H, W, 3) or (H, W, 4) of uint8, uint16 or floats in [0, 1], or a path.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

MAX_PIXELS = 40_000_000  # larger images are refused (decompression bombs)
MIN_SIDE = 16  # smaller images hold too little to caption (a 1x1 image gave junk)


def _check_size(width: int, height: int) -> None:
    if width == 0 or height == 0:
        raise ValueError(f"the image is empty ({width}x{height} pixels)")
    if min(width, height) < MIN_SIDE:
        raise ValueError(
            f"the image is {width}x{height} pixels, too small to caption: it needs at least"
            f" {MIN_SIDE} pixels on each side"
        )
    if width * height > MAX_PIXELS:
        raise ValueError(f"the image has {width * height:,} pixels; the limit is {MAX_PIXELS:,}")


def _from_pil(image: Image.Image) -> Image.Image:
    _check_size(*image.size)
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        pixels = np.asarray(image, dtype=np.float64)
        top = 65535.0 if image.mode.startswith("I;16") or pixels.max() > 255 else 255.0
        image = Image.fromarray(np.clip(pixels / top * 255.0, 0, 255).astype(np.uint8), "L")
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    return image.convert("RGB")


def _from_array(array: np.ndarray) -> Image.Image:
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (1, 3, 4)):
        raise ValueError(
            f"expected an (H, W), (H, W, 3) or (H, W, 4) image array, got shape {array.shape}"
        )
    _check_size(array.shape[1], array.shape[0])
    if array.dtype == np.uint16:
        array = (array / 257.0).round().astype(np.uint8)
    elif np.issubdtype(array.dtype, np.floating):
        if not np.isfinite(array).all():
            raise ValueError("the image array holds NaN or infinite values")
        array = (np.clip(array, 0.0, 1.0) * 255.0).round().astype(np.uint8)
    elif array.dtype != np.uint8:
        raise ValueError(f"image arrays must be uint8, uint16 or float, not {array.dtype}")
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    return _from_pil(Image.fromarray(np.ascontiguousarray(array)))


def load_rgb(image) -> Image.Image:
    """Any accepted input as an RGB PIL image.

    Raises:
        ValueError: not an image, unreadable, empty, or over ``MAX_PIXELS``.
    """
    if isinstance(image, Image.Image):
        return _from_pil(image)
    if isinstance(image, np.ndarray):
        return _from_array(image)
    if isinstance(image, (str, Path)):
        path = Path(image)
        if not path.is_file():
            raise ValueError(f"no image file at {path}")
        try:
            with warnings.catch_warnings():
                # Opening reads only the header; the size check below refuses big images
                # before their pixels are decoded, with this module's own message.
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                with Image.open(path) as opened:
                    _check_size(*opened.size)
                    opened.load()
                    return _from_pil(opened)
        except Image.DecompressionBombError as err:  # far over the limit: PIL stops at open
            raise ValueError(
                f"{path.name} has over {2 * Image.MAX_IMAGE_PIXELS:,} pixels; the limit is"
                f" {MAX_PIXELS:,}"
            ) from err
        except UnidentifiedImageError as err:
            raise ValueError(
                f"{path.name} is not a readable image: not a format this can read (PNG, JPEG,"
                " GIF, BMP, TIFF, WebP...)"
            ) from err
        except OSError as err:  # the header was fine, the pixels are not (say, cut short)
            raise ValueError(
                f"{path.name} is not a readable image: it is damaged or cut short"
            ) from err
    raise ValueError(f"expected a PIL image, a NumPy array or a path, got {type(image).__name__}")
