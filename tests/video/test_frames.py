"""Reading what users hand in: video files of every common container, lists of images,
arrays; even sampling; clear errors for what is not a video or is over a limit."""

import numpy as np
import pytest
from PIL import Image

from video import frames as frames_module
from video.clips import render_clip
from video.frames import even_indices, read_frames, write_video


def test_even_indices_spread_over_the_video_and_repeat_when_short():
    assert even_indices(160, 16) == list(range(5, 160, 10))
    assert even_indices(4, 8) == [0, 0, 1, 1, 2, 2, 3, 3]
    with pytest.raises(ValueError, match="no frames"):
        even_indices(0, 16)


@pytest.mark.parametrize("suffix", [".mp4", ".webm", ".avi", ".gif"])
def test_video_files_decode_to_their_frames(tmp_path, suffix):
    clip = render_clip(11)
    path = write_video(tmp_path / f"clip{suffix}", clip.frames)
    frames = read_frames(path, 16)
    assert frames.pixels.shape == (16, 96, 96, 3) and frames.pixels.dtype == np.uint8
    assert frames.times == pytest.approx([t / 8 for t in range(16)], abs=0.01)
    error = np.abs(frames.pixels.astype(int) - clip.frames).mean()
    assert error < (25 if suffix == ".gif" else 6)  # GIF keeps 256 colours


def test_a_long_video_is_sampled_evenly(tmp_path):
    ramp = np.stack([np.full((32, 48, 3), i, np.uint8) for i in range(0, 250, 2)])  # 125 frames
    path = write_video(tmp_path / "long.avi", ramp, fps=25)
    frames = read_frames(path, 5)
    assert frames.times == pytest.approx([12 / 25, 37 / 25, 62 / 25, 87 / 25, 112 / 25], abs=0.05)
    levels = frames.pixels.reshape(5, -1).mean(1)
    assert np.all(np.diff(levels) > 30)  # later frames, brighter: in order, spread out


def test_the_sampling_buffer_keeps_long_videos_even(tmp_path, monkeypatch):
    monkeypatch.setattr(frames_module, "BUFFER", 8)  # force several halvings
    ramp = np.stack([np.full((16, 16, 3), i, np.uint8) for i in range(100)])
    frames = read_frames(write_video(tmp_path / "ramp.avi", ramp, fps=10), 4)
    assert np.all(np.diff(frames.times) > 1.5) and frames.times[-1] > 6


def test_lists_and_arrays(tmp_path):
    clip = render_clip(3)
    as_array = read_frames(clip.frames, 16)
    assert np.array_equal(as_array.pixels, clip.frames)
    assert as_array.times[1] == pytest.approx(1 / 8)
    pil = [Image.fromarray(f).convert("RGBA") for f in clip.frames[::2]]
    from_list = read_frames(pil, 16, fps=4)
    assert from_list.pixels.shape == (16, 96, 96, 3) and from_list.times[-1] == pytest.approx(7 / 4)
    paths = []
    for i, f in enumerate(clip.frames[:3]):
        Image.fromarray(f).save(tmp_path / f"{i}.png")
        paths.append(tmp_path / f"{i}.png")
    assert read_frames(paths, 3).pixels.shape == (3, 96, 96, 3)
    gray = read_frames(np.zeros((4, 20, 30), np.uint8), 2)
    assert gray.pixels.shape == (2, 20, 30, 3)


def test_what_is_not_a_video_gets_a_clear_error(tmp_path):
    (tmp_path / "notes.mp4").write_text("hello" * 200)
    with pytest.raises(ValueError, match="not a readable video"):
        read_frames(tmp_path / "notes.mp4", 16)
    with pytest.raises(ValueError, match="no video file"):
        read_frames(tmp_path / "missing.mp4", 16)
    with pytest.raises(ValueError, match="no frames"):
        read_frames([], 16)
    with pytest.raises(ValueError, match="video array"):
        read_frames(np.zeros((5, 5)), 16)
    with pytest.raises(ValueError, match="expected a video"):
        read_frames(42, 16)
    Image.new("RGB", (64, 64), "red").save(tmp_path / "still.png")
    still = read_frames(tmp_path / "still.png", 16)  # a still image: a video of one frame
    assert still.pixels.shape == (16, 64, 64, 3) and (still.pixels == still.pixels[0]).all()
    audio = tmp_path / "tone.wav"
    import soundfile

    soundfile.write(audio, np.zeros(8000, np.float32), 8000)
    with pytest.raises(ValueError, match="no video stream"):
        read_frames(audio, 16)


def test_limits_name_themselves(tmp_path, monkeypatch):
    path = write_video(tmp_path / "clip.avi", render_clip(2).frames)
    monkeypatch.setattr(frames_module, "MAX_FILE_BYTES", 100)
    with pytest.raises(ValueError, match="the limit is 0 MB"):
        read_frames(path, 16)
    monkeypatch.setattr(frames_module, "MAX_FILE_BYTES", 10**9)
    monkeypatch.setattr(frames_module, "MAX_FRAME_PIXELS", 1000)
    with pytest.raises(ValueError, match="96x96 frames; the limit is 1,000 pixels"):
        read_frames(path, 16)
    monkeypatch.setattr(frames_module, "MAX_FRAME_PIXELS", 10**8)
    monkeypatch.setattr(frames_module, "MAX_SECONDS", 1.0)
    with pytest.raises(ValueError, match="the limit"):
        read_frames(path, 16)
    monkeypatch.setattr(frames_module, "MAX_LIST_FRAMES", 3)
    with pytest.raises(ValueError, match="limit is 3"):
        read_frames(np.zeros((4, 20, 20, 3), np.uint8), 2)
