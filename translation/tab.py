"""The Translation tab of the web app: text in, translation and attention matrix out."""

from __future__ import annotations

import functools

import gradio as gr

from shared.plots import attention_heatmap
from shared.pretrained import ModelChoices
from shared.tabs import check_length, user_errors
from translation.card import honest_summary
from translation.inference import DEFAULT_MODEL, MAX_CHARACTERS, PRETRAINED_DIR, Translator

EXAMPLES = [
    "Permission denied",
    "No such file or directory",
    "Could not open file %s for writing",
    "The operation was cancelled by the user.",
    "Do you want to continue?",
]


# A refused input is the user's to fix: a message and one log line, not a traceback.
USER_ERROR = functools.partial(gr.Error, print_exception=False)
MODELS = ModelChoices(PRETRAINED_DIR, Translator.from_pretrained, "translation")


@user_errors("/translate", USER_ERROR)
def translate(text: str, model: str = DEFAULT_MODEL, beam_size: float = 5):
    """Translate and draw the attention; errors reach the page as messages."""
    check_length(text, MAX_CHARACTERS)
    if not text or not text.strip():
        gr.Warning("Type some English text to translate.")
        return "", None
    result = MODELS.get(model).translate(text, beam_size=int(beam_size))
    figure = attention_heatmap(
        result.attention,
        result.source_tokens,
        result.tokens,
        title="Where each output subword looked",
    )
    note = "".join(
        f"\n\n({what} placeholders: {' '.join(found)})"
        for what, found in (
            ("missing", result.missing_placeholders),
            ("extra", result.extra_placeholders),
        )
        if found
    )
    return result.text + note, figure


def build_tab(model_dir: str | None = None) -> None:
    """Lay out the tab inside the current ``gr.Blocks``; registers the ``/translate`` endpoint.

    ``model_dir``: a model folder to offer first (default: the shipped models only)."""
    models, default = MODELS.offer(model_dir, DEFAULT_MODEL)
    default = default if models else None
    gr.Markdown(
        "A bidirectional GRU reads the English sentence both ways; an LSTM decoder writes the translation one"
        " subword at a time, attending to the source at every step. The heatmap shows that attention: each row"
        " is an output subword, each column a source subword."
    )
    summary = gr.Markdown(honest_summary(default) if default else "", elem_id="translation-summary")
    with gr.Row():
        with gr.Column():
            text = gr.Textbox(
                label="English text",
                lines=3,
                max_length=MAX_CHARACTERS,
                elem_id="translation-input",
            )
            with gr.Row():
                model = gr.Dropdown(
                    models, value=default, label="Model", elem_id="translation-model"
                )
                beam = gr.Slider(
                    1, 10, value=5, step=1, label="Beam size", elem_id="translation-beam"
                )
            button = gr.Button("Translate", variant="primary", elem_id="translation-button")
            with gr.Accordion("Model card", open=False):
                card = gr.Markdown(
                    MODELS.card(default) if default else "No translation model is installed.",
                    elem_id="translation-card",
                )
        with gr.Column():
            output = gr.Textbox(label="Translation", lines=3, elem_id="translation-output")
            plot = gr.Plot(label="Attention", elem_id="translation-attention")
    gr.Examples(EXAMPLES, inputs=[text])
    model.change(MODELS.card, [model], [card], api_visibility="private")
    model.change(honest_summary, [model], [summary], api_visibility="private")
    common = dict(
        fn=translate,
        inputs=[text, model, beam],
        outputs=[output, plot],
        concurrency_limit="default",  # app.py sets it for the queue
        concurrency_id="translate",
    )
    button.click(api_name="translate", **common)
    text.submit(api_visibility="private", **common)
