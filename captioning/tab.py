"""The Image captioning tab of the web app: an image in, its caption and per-word attention out."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import threading
from pathlib import Path

import gradio as gr
import numpy as np
from PIL import Image

from captioning.images import load_rgb
from captioning.inference import PRETRAINED_DIR, Captioner
from shared.plots import attention_overlay
from shared.pretrained import ModelChoices

EXAMPLES_DIR = Path(__file__).parent / "examples"
OVERLAY_DIR = Path(tempfile.gettempdir()) / "rnn-suite-attention"
MODELS = ModelChoices(PRETRAINED_DIR, Captioner.from_pretrained)


def caption(image, beam_size: float = 3, model: str = "shapes"):
    """Caption an image; returns the caption and one attention overlay per word."""
    if image is None:
        raise gr.Error("Upload an image, take one with the webcam, or pick an example.")
    if model not in MODELS.names():
        raise gr.Error(f"No captioning model {model!r} is installed.")
    try:
        picture = load_rgb(image)
        result = MODELS.load(model).caption(picture, beam_size=int(beam_size))
    except ValueError as err:
        raise gr.Error(str(err)) from err
    pixels = np.asarray(picture.resize((256, 256)))
    gallery = [
        (overlay_file(attention_overlay(pixels, attn)), f"{i + 1}. {word}")
        for i, (word, attn) in enumerate(zip(result.tokens, result.attention, strict=True))
    ]
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
    if not path.exists():
        OVERLAY_DIR.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")
        partial.write_bytes(data)
        os.replace(partial, path)
    return str(path)


def build_tab(model_dir: str | None = None) -> None:
    """Lay out the tab inside the current ``gr.Blocks``; registers the ``/caption`` endpoint.

    ``model_dir``: a model folder to offer first (default: the shipped models only)."""
    if model_dir:
        MODELS.add(model_dir)
    models = MODELS.names()
    default = MODELS.first("shapes")
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
                type="pil",
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
        inputs=[image, beam, model],
        outputs=[text, gallery],
        api_name="caption",
        concurrency_limit="default",  # app.py sets it for the queue
        concurrency_id="caption",
    )
