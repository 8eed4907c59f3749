"""The Speech recognition tab of the web app: audio in, transcript, alignment plot and word
timings out."""

from __future__ import annotations

import functools
from pathlib import Path

import gradio as gr

from shared.plots import alignment_plot
from shared.pretrained import ModelChoices
from shared.tabs import user_errors
from shared.uploads import upload_path
from speech.audio import check_duration
from speech.card import honest_summary
from speech.inference import DEFAULT_MODEL, PRETRAINED_DIR, Transcriber

EXAMPLES_DIR = Path(__file__).parent / "examples"
MAX_WEB_SECONDS = 60.0
# A refused input is the user's to fix: a message and one log line, not a traceback.
USER_ERROR = functools.partial(gr.Error, print_exception=False)
MODELS = ModelChoices(PRETRAINED_DIR, Transcriber.from_pretrained, "speech")


@user_errors("/transcribe", USER_ERROR)
def transcribe(
    audio, model: str = DEFAULT_MODEL, beam_size: float = 32, language_model: bool = True
):
    """Transcribe an uploaded or recorded file; returns the text, the alignment figure and
    the word timings."""
    path = upload_path(audio)
    if path is None:
        raise ValueError("Record with the microphone, upload a file, or pick an example.")
    transcriber = MODELS.get(model)
    check_duration(path, MAX_WEB_SECONDS)  # from the header, before decoding
    result = transcriber.transcribe(
        path,
        beam_size=int(beam_size),
        # None: the Transcriber uses the model's LM when it has one and the beam is > 1.
        language_model=None if language_model else False,
    )
    if not result.text:
        gr.Warning("No speech heard: the recording is silent, or nothing in it sounds like words.")
        return "", None, []
    letters = [(c, (f + 0.5) * result.frame_seconds) for c, f in result.char_frames]
    figure = alignment_plot(
        result.features,
        result.feature_seconds,
        letters,
        result.words,
        title="log-mel spectrogram; letters where CTC emitted them, words below",
    )
    timings = [[w, round(a, 2), round(b, 2)] for w, a, b in result.words]
    return result.text, figure, timings


def build_tab(model_dir: str | None = None) -> None:
    """Lay out the tab inside the current ``gr.Blocks``; registers the ``/transcribe`` endpoint.

    ``model_dir``: a model folder to offer first (default: the shipped models only)."""
    models, default = MODELS.offer(model_dir, DEFAULT_MODEL)
    gr.Markdown(
        "Log-mel features go through two strided convolutions and four bidirectional GRU layers;"
        " for every 40 ms the network gives a probability for each letter and for *blank*"
        " (nothing new). CTC decoding merges repeats and drops blanks; beam search with the word"
        " language model picks the likeliest sentence of known words (where no known word"
        " fits what it heard, the letters it heard)."
        " The plot shows each letter at the moment it was emitted. A faint recording is turned"
        " up, and long quiet before and after the words is left out (flat in the plot).\n\n"
        + honest_summary(default)
        + f"\n\nModel: `{default}`"
    )
    with gr.Accordion("Model card", open=False):
        card = gr.Markdown(MODELS.card(default), elem_id="speech-card")
    with gr.Row():
        with gr.Column():
            audio = gr.Audio(
                sources=["microphone", "upload"],
                type="filepath",
                label="Speech (English)",
                elem_id="speech-audio",
            )
            with gr.Row():
                beam = gr.Slider(
                    1, 64, value=32, step=1, label="Beam size (1: greedy)", elem_id="speech-beam"
                )
                use_lm = gr.Checkbox(
                    value=True,
                    label="Word language model",
                    info="only words of the training text; far fewer misspellings",
                    elem_id="speech-lm",
                )
            model = gr.Dropdown(
                models or [default], value=default, label="Model", elem_id="speech-model"
            )
            button = gr.Button("Transcribe", variant="primary", elem_id="speech-button")
        with gr.Column():
            text = gr.Textbox(label="Transcript", elem_id="speech-output")
            plot = gr.Plot(label="Alignment", elem_id="speech-plot")
            timings = gr.Dataframe(
                headers=["word", "start (s)", "end (s)"],
                label="Word timings",
                elem_id="speech-words",
            )
    model.change(MODELS.card, [model], [card], api_visibility="private")
    examples = sorted(str(p) for p in EXAMPLES_DIR.glob("*.wav"))
    if examples:
        gr.Examples(examples, inputs=[audio])
    button.click(
        transcribe,
        inputs=[audio, model, beam, use_lm],
        outputs=[text, plot, timings],
        api_name="transcribe",
        # The file as uploaded: speech.audio reads it (WAV, FLAC, OGG, MP3; no ffmpeg needed).
        preprocess=False,
        concurrency_limit="default",  # app.py sets it for the queue
        concurrency_id="transcribe",
    )
