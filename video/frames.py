"""Turning whatever a user hands in into a fixed number of evenly spaced RGB frames.

Accepts a video file (MP4, WebM, GIF, AVI, MOV, MKV... decoded by PyAV, whose wheel bundles
FFmpeg), a list of images (PIL images, arrays or paths, read by :mod:`shared.images`) or one
array (T, H, W[, C]). Long videos are sampled evenly; limits on duration, frame size and
file size answer with a ``ValueError`` that names the limit, as does a file that is not a
video.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from shared.images import load_rgb

MAX_SECONDS = 600.0  # ten minutes
MAX_FRAME_PIXELS = 3840 * 2160  # 4K
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_LIST_FRAMES = 10_000  # images handed in as a list or array
KEEP_SIDE = 160  # decoded frames are shrunk to at most this side as they arrive
BUFFER = 256  # decoded frames kept at once while sampling a long video
DEFAULT_FPS = 8.0  # frame rate assumed for lists and arrays (the clips' own rate)


@dataclass
class Frames:
    """Evenly sampled frames: ``pixels`` (T, H, W, 3) uint8 and each frame's time (s)."""

    pixels: np.ndarray
    times: list[float]


def even_indices(count: int, wanted: int) -> list[int]:
    """``wanted`` indices spread evenly over ``count`` items, each the centre of its share
    (repeating items when there are fewer than ``wanted``)."""
    if count < 1:
        raise ValueError("the video has no frames")
    return [min(count - 1, int((i + 0.5) * count / wanted)) for i in range(wanted)]


def _shrink(image: Image.Image) -> np.ndarray:
    if max(image.size) > KEEP_SIDE:
        scale = KEEP_SIDE / max(image.size)
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.resize(size, Image.Resampling.BILINEAR)
    return np.asarray(image.convert("RGB"))


def _decode(path: Path) -> tuple[list[np.ndarray], list[float]]:
    """Every k-th frame of the file's first video stream, shrunk, with its time; k doubles
    whenever ``BUFFER`` frames are held, so memory stays bounded and the kept frames stay
    evenly spaced without knowing the length in advance."""
    import av

    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ValueError(
            f"{path.name} is {size / 2**20:.0f} MB; the limit is {MAX_FILE_BYTES // 2**20} MB"
        )
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError, UnicodeDecodeError) as err:
        raise ValueError(f"{path.name} is not a readable video ({err.__class__.__name__})") from err
    with container:
        if not container.streams.video:
            raise ValueError(f"{path.name} has no video stream")
        stream = container.streams.video[0]
        width, height = stream.codec_context.width, stream.codec_context.height
        if width * height > MAX_FRAME_PIXELS:
            raise ValueError(
                f"{path.name} has {width}x{height} frames; the limit is {MAX_FRAME_PIXELS:,} pixels"
            )
        if container.duration is not None and container.duration / 1e6 > MAX_SECONDS:
            raise ValueError(
                f"{path.name} lasts {container.duration / 1e6:.0f} s; the limit is {MAX_SECONDS:.0f} s"
            )
        kept: list[np.ndarray] = []
        times: list[float] = []
        stride, seen = 1, 0
        try:
            for frame in container.decode(stream):
                time = float(frame.time) if frame.time is not None else seen / DEFAULT_FPS
                if time > MAX_SECONDS:
                    raise ValueError(f"{path.name} lasts over {MAX_SECONDS:.0f} s, the limit")
                if seen % stride == 0:
                    kept.append(_shrink(frame.to_image()))
                    times.append(time)
                    if len(kept) == BUFFER:
                        kept, times, stride = kept[::2], times[::2], stride * 2
                seen += 1
        except av.error.FFmpegError as err:
            if not kept:
                raise ValueError(f"{path.name} is not a readable video: it is damaged") from err
            # A file cut short: what decoded so far is the video.
    if not kept:
        raise ValueError(f"{path.name} holds no video frames")
    return kept, times


def _same_size(frames: list[np.ndarray]) -> np.ndarray:
    h, w = frames[0].shape[:2]
    return np.stack(
        [
            f if f.shape[:2] == (h, w) else np.asarray(Image.fromarray(f).resize((w, h)))
            for f in frames
        ]
    )


def read_frames(video, count: int, fps: float = DEFAULT_FPS) -> Frames:
    """``count`` evenly spaced frames of ``video``.

    Args:
        video: a path to a video file; a list of images (PIL, arrays, paths); or an array
            (T, H, W), (T, H, W, 3) or (T, H, W, 4).
        count: frames wanted.
        fps: frame rate of a list or array, for the frame times.

    Raises:
        ValueError: not a video, no frames, or over a limit.
    """
    if isinstance(video, (str, Path)):
        path = Path(video)
        if not path.is_file():
            raise ValueError(f"no video file at {path}")
        decoded, times = _decode(path)
    else:
        if isinstance(video, np.ndarray):
            if video.ndim not in (3, 4):
                raise ValueError(
                    f"expected a (T, H, W) or (T, H, W, C) video array, got shape {video.shape}"
                )
            images = list(video)
        elif isinstance(video, (list, tuple)):
            images = list(video)
        else:
            raise ValueError(
                f"expected a video path, a list of images or a (T, H, W, 3) array, got {type(video).__name__}"
            )
        if not images:
            raise ValueError("the video has no frames")
        if len(images) > MAX_LIST_FRAMES:
            raise ValueError(f"{len(images)} frames; the limit is {MAX_LIST_FRAMES:,}")
        picked = even_indices(len(images), count)
        decoded = {i: _shrink(load_rgb(images[i])) for i in sorted(set(picked))}
        return Frames(_same_size([decoded[i] for i in picked]), [i / fps for i in picked])
    picked = even_indices(len(decoded), count)
    return Frames(_same_size([decoded[i] for i in picked]), [times[i] for i in picked])


def write_video(path: str | Path, frames: np.ndarray, fps: float = DEFAULT_FPS) -> Path:
    """Write frames (T, H, W, 3) uint8 as a video: H.264 MP4, VP9 WebM, GIF, or MPEG-4 AVI by
    the file's suffix (examples, and the tests' own fixtures)."""
    import av

    path = Path(path)
    codec = {".mp4": "libx264", ".webm": "libvpx-vp9", ".gif": "gif", ".avi": "mpeg4"}.get(
        path.suffix.lower()
    )
    if codec is None:
        raise ValueError(f"write .mp4, .webm, .gif or .avi, not {path.suffix!r}")
    pixel_format = {"gif": "rgb8", "libx264": "yuv420p", "libvpx-vp9": "yuv420p"}.get(
        codec, "yuv420p"
    )
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream(codec, rate=round(fps))
        stream.width, stream.height = frames.shape[2], frames.shape[1]
        stream.pix_fmt = pixel_format
        if codec == "libx264":
            stream.options = {"crf": "18"}
        for pixels in frames:
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(pixels), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path
