"""The Image captioning tab of the web app: an image in, its caption and per-word attention out."""

from __future__ import annotations

import functools
import hashlib
import io
import os
import tempfile
import threading
from pathlib import Path

import gradio as gr
import numpy as np
from PIL import Image

from captioning.inference import DEFAULT_MODEL, PRETRAINED_DIR, Captioner
from shared.images import load_rgb
from shared.plots import attention_overlay
from shared.pretrained import ModelChoices
from shared.tabs import user_errors
from shared.uploads import upload_path

EXAMPLES_DIR = Path(__file__).parent / "examples"
OVERLAY_DIR = Path(tempfile.gettempdir()) / "rnn-suite-attention"
MAX_OVERLAYS = 2000  # about 150 MB of overlays at most
# A refused input is the user's to fix: a message and one log line, not a traceback.
USER_ERROR = functools.partial(gr.Error, print_exception=False)
MODELS = ModelChoices(PRETRAINED_DIR, Captioner.from_pretrained, "captioning")


@user_errors("/caption", USER_ERROR)
def caption(image, model: str = DEFAULT_MODEL, beam_size: float = 3):
    """Caption an uploaded image file; returns the caption and one attention overlay per word."""
    path = upload_path(image)
    if path is None:
        raise ValueError("Upload an image, take one with the webcam, or pick an example.")
    captioner = MODELS.get(model)
    picture = load_rgb(path)  # header checks first: size limits hold before any decoding
    result = captioner.caption(picture, beam_size=int(beam_size))
    pixels = np.asarray(picture.resize((256, 256)))
    gallery = [
        (overlay_file(attention_overlay(pixels, attn)), f"{i + 1}. {word}")
        for i, (word, attn) in enumerate(zip(result.tokens, result.attention, strict=True))
    ]
    _prune(OVERLAY_DIR, MAX_OVERLAYS)  # once a request: listing the folder costs milliseconds
    return result.text, gallery


def overlay_file(image: np.ndarray) -> str:
    """Write an overlay as a JPEG named by its content, once; return its path.

    JPEG, not PNG: a tenth of the encoding time and of the bytes for these soft heatmaps.

    Handing Gradio files rather than arrays matters under load: Gradio rewrites an array's
    cached file on every request, so two requests with the same output could serve a file
    while it is being rewritten; a file it copies once, atomically.
    """
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="JPEG", quality=90)
    data = buffer.getvalue()
    path = OVERLAY_DIR / f"{hashlib.sha1(data).hexdigest()}.jpg"
    if path.exists():
        os.utime(path)  # in use again: the newest are the last to be pruned
    else:
        OVERLAY_DIR.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")
        partial.write_bytes(data)
        os.replace(partial, path)
    return str(path)


def _prune(folder: Path, keep: int) -> None:
    """Delete all but the ``keep`` most recently used overlays, so a server running for
    months keeps a bounded folder (Gradio copies each one it serves into its own cache)."""
    files = sorted(folder.glob("*.jpg"), key=lambda f: f.stat().st_mtime)
    for old in files[: max(0, len(files) - keep)]:
        old.unlink(missing_ok=True)


def build_tab(model_dir: str | None = None) -> None:
    """Lay out the tab inside the current ``gr.Blocks``; registers the ``/caption`` endpoint.

    ``model_dir``: a model folder to offer first (default: the shipped models only)."""
    models, default = MODELS.offer(model_dir, DEFAULT_MODEL)
    gr.Markdown(
        "A convolutional network turns the image into an 8x8 grid of features; an LSTM writes the caption word"
        " by word and, before each word, attends over the grid. Each picture below shows where it looked for one word."
        f"\n\nModel: `{default}`"
    )
    with gr.Accordion("Model card", open=False):
        card = gr.Markdown(MODELS.card(default), elem_id="caption-card")
    with gr.Row():
        with gr.Column():
            image = gr.Image(
                type="filepath",
                sources=["upload", "webcam", "clipboard"],
                label="Image",
                elem_id="caption-image",
            )
            beam = gr.Slider(1, 8, value=3, step=1, label="Beam size", elem_id="caption-beam")
            model = gr.Dropdown(
                models or [default], value=default, label="Model", elem_id="caption-model"
            )
            button = gr.Button("Caption", variant="primary", elem_id="caption-button")
        with gr.Column():
            text = gr.Textbox(label="Caption", elem_id="caption-output")
            gallery = gr.Gallery(
                label="Where it looked, word by word",
                columns=4,
                height="auto",
                elem_id="caption-attention",
            )
    model.change(MODELS.card, [model], [card], api_visibility="private")
    examples = sorted(str(p) for p in EXAMPLES_DIR.glob("*.png"))
    if examples:
        gr.Examples(examples, inputs=[image])
    button.click(
        caption,
        inputs=[image, model, beam],
        outputs=[text, gallery],
        api_name="caption",
        # The file as uploaded: shared.images reads it (alpha, 16-bit, size limits).
        preprocess=False,
        concurrency_limit="default",  # app.py sets it for the queue
        concurrency_id="caption",
    )
