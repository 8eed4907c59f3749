"""Files people upload, good and bad, through the running web app: each bad one gets its own
message, each good one its answer, and the server keeps serving."""

import io
import json
import struct
import urllib.request
import zlib

import numpy as np
import pytest
import soundfile as sf
from gradio_client import handle_file
from gradio_client.exceptions import AppError
from PIL import Image

from captioning.scenes import SPLIT_SEEDS, render_scene
from shared.metrics import cer
from speech.tab import EXAMPLES_DIR as SPEECH_EXAMPLES

pytestmark = pytest.mark.slow

SAID = "action on title bar double click"  # what speech/examples/example-1.wav says


def _caption(client, path):
    return client.predict(handle_file(str(path)), api_name="/caption")[0]


def test_transparent_and_16_bit_images_caption_like_the_plain_one(client, tmp_path):
    scene = render_scene(SPLIT_SEEDS["test"] + 900_002).image
    scene.save(tmp_path / "plain.png")
    plain = _caption(client, tmp_path / "plain.png")
    # Transparent background: the visible picture is the scene on white, as a browser shows it.
    rgba = scene.convert("RGBA")
    pixels = np.asarray(rgba).copy()
    white = (pixels[..., :3] >= 250).all(axis=-1)
    pixels[white, 3] = 0
    Image.fromarray(pixels, "RGBA").save(tmp_path / "alpha.png")
    assert _caption(client, tmp_path / "alpha.png") == plain
    # 16 bits per channel: the same picture at 65535 full scale.
    wide = np.asarray(scene).astype(np.uint16) * 257
    _write_png16(tmp_path / "deep.png", wide)
    assert _caption(client, tmp_path / "deep.png") == plain


def _write_png16(path, rgb16):
    """An RGB PNG of 16 bits per channel (Pillow writes only grey at 16 bits)."""
    height, width, _ = rgb16.shape
    raw = b"".join(b"\x00" + row.astype(">u2").tobytes() for row in rgb16)

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def test_bad_images_each_get_their_own_message(client, tmp_path):
    (tmp_path / "empty.png").write_bytes(b"")
    render_scene(1).image.save(buffer := io.BytesIO(), format="PNG")
    (tmp_path / "cut.png").write_bytes(buffer.getvalue()[:400])
    Image.new("RGB", (1, 1), "red").save(tmp_path / "dot.png")
    cases = {
        "empty.png": "empty.png is not a readable image",
        "cut.png": "cut.png is not a readable image",
        "dot.png": "too small to caption",
    }
    for name, message in cases.items():
        with pytest.raises(AppError, match=message):
            _caption(client, tmp_path / name)


def test_a_huge_image_is_refused_from_its_header(client, tmp_path):
    # 15000 x 10000 (150 megapixels) in a few hundred kilobytes: refused before decoding.
    Image.new("L", (15000, 10000), 255).save(tmp_path / "huge.png", optimize=True)
    with pytest.raises(AppError, match="150,000,000 pixels; the limit is 40,000,000"):
        _caption(client, tmp_path / "huge.png")


@pytest.mark.parametrize("fmt", ["float-wav", "flac", "ogg", "mp3"])
def test_audio_formats_need_no_ffmpeg(client, tmp_path, fmt):
    samples, rate = sf.read(SPEECH_EXAMPLES / "example-1.wav", dtype="float32")
    name, options = {
        "float-wav": ("speech.wav", dict(subtype="FLOAT")),
        "flac": ("speech.flac", {}),
        "ogg": ("speech.ogg", dict(subtype="VORBIS")),
        "mp3": ("speech.mp3", dict(format="MP3")),
    }[fmt]
    sf.write(tmp_path / name, samples, rate, **options)
    text, _, _ = client.predict(handle_file(str(tmp_path / name)), api_name="/transcribe")
    assert cer([SAID], [text]) < 0.25, text


def test_bad_audio_each_gets_its_own_message(client, tmp_path):
    (tmp_path / "notes.wav").write_text("not audio")
    with pytest.raises(AppError, match="notes.wav is not an audio file this can read"):
        client.predict(handle_file(str(tmp_path / "notes.wav")), api_name="/transcribe")
    sf.write(tmp_path / "nothing.wav", np.zeros(0, np.float32), 16000)
    with pytest.raises(AppError, match="nothing.wav holds no sound"):
        client.predict(handle_file(str(tmp_path / "nothing.wav")), api_name="/transcribe")


def _call_raw(app_url, api_name, body: bytes) -> str:
    """Gradio's HTTP API by hand (JSON can carry a lone surrogate as an escape, which a
    client library cannot send); returns the event stream's text."""
    request = urllib.request.Request(
        f"{app_url}gradio_api/call/{api_name}", body, {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as r:
        event = json.loads(r.read())["event_id"]
    with urllib.request.urlopen(f"{app_url}gradio_api/call/{api_name}/{event}", timeout=60) as r:
        return r.read().decode()


def test_odd_text_is_translated_or_explained(client, app_url):
    stream = _call_raw(app_url, "translate", b'{"data": ["file \\ud800 saved", "en-fr", 5]}')
    assert "event: complete" in stream and "fichier" in stream.lower(), stream
    text, plot = client.predict("   ", api_name="/translate")  # a warning, nothing to show
    assert text == "" and plot is None
    prose = (
        "The quick brown fox jumps over the lazy dog near the river bank. "
        "Every morning the farmer walks to the market to sell fresh vegetables. "
    ) * 7
    assert len(prose) <= 1000
    text, _ = client.predict(prose, api_name="/translate")
    assert len(text) > 200  # sentence by sentence: the whole text comes back translated
