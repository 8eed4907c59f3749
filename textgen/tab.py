"""The Text generation tab of the web app: a prompt in, a continuation streamed out; then each
written token coloured by how likely the model found it (hover for the five tokens it
weighed); a fill-the-blank box; and any pasted text coloured by how much each character
surprised the model."""

from __future__ import annotations

import functools
import html

import gradio as gr

from shared.pretrained import ModelChoices
from shared.tabs import check_length, user_errors
from textgen.inference import DEFAULT_MODEL, PRETRAINED_DIR, GeneratedToken, TextGenerator

EXAMPLES = ["ROMEO.\n", "To be, or not to be", "KING.\nMy lords,", "Now is the winter"]
BLANK_EXAMPLES = ["What ___ is it?", "Now is the ___ of our discontent", "Good ___, sweet prince"]
MAX_CHARACTERS = 2000
MAX_LENGTH = 1000

USER_ERROR = functools.partial(gr.Error, print_exception=False)
MODELS = ModelChoices(PRETRAINED_DIR, TextGenerator.from_pretrained, "text")


def _colour(probability: float) -> str:
    """Red for tokens the model found unlikely, through yellow, to green for likely ones."""
    return f"hsl({120 * max(0.0, min(1.0, probability)):.0f}, 70%, 80%)"


def tokens_html(prompt: str, tokens: list[GeneratedToken]) -> str:
    """The prompt, then each generated token on a background by its probability; hovering
    shows the probability and the five tokens the model weighed."""
    spans = [f'<span style="color:#555">{html.escape(prompt)}</span>']
    for token in tokens:
        weighed = ", ".join(f"{t!r} {p:.0%}" for t, p in token.alternatives)
        title = html.escape(f"p = {token.probability:.1%}; weighed: {weighed}", quote=True)
        spans.append(
            f'<span class="tg-token" title="{title}" style="background:{_colour(token.probability)}">'
            f"{html.escape(token.text)}</span>"
        )
    return f'<div style="white-space:pre-wrap;font-family:monospace">{"".join(spans)}</div>'


def surprisal_html(text: str, char_bits: list[float]) -> str:
    """Each character on a background by its bits (0 bits green, 8 or more red)."""
    spans = []
    for char, bits in zip(text, char_bits, strict=False):
        title = html.escape(f"{bits:.1f} bits", quote=True)
        spans.append(
            f'<span title="{title}" style="background:{_colour(1 - bits / 8)}">{html.escape(char)}</span>'
        )
    return f'<div style="white-space:pre-wrap;font-family:monospace">{"".join(spans)}</div>'


def _settings(length: float, temperature: float, top_k: float | None, seed: float | None) -> dict:
    length = int(length or 0)
    if not 1 <= length <= MAX_LENGTH:
        raise ValueError(f"Length must be between 1 and {MAX_LENGTH} tokens.")
    return {
        "max_new_tokens": length,
        "temperature": float(temperature),
        "top_k": int(top_k) if top_k else None,
        "seed": int(seed) if seed is not None and seed >= 0 else None,
    }


@user_errors("/generate", USER_ERROR)
def generate(prompt: str, model: str = DEFAULT_MODEL, length: float = 200, temperature: float = 0.8,
             top_k: float | None = 0, seed: float | None = -1):  # fmt: skip
    """Stream the continuation; at the end, the tokens coloured by probability."""
    prompt = prompt or ""
    check_length(prompt, MAX_CHARACTERS, "prompt")
    settings = _settings(length, temperature, top_k, seed)
    generator = MODELS.get(model)
    tokens: list[GeneratedToken] = []
    text = ""
    for token in generator.stream(prompt, **settings):
        tokens.append(token)
        text += token.text
        yield text, gr.update()
    yield text, tokens_html(prompt, tokens)


@user_errors("/fill_blank", USER_ERROR)
def fill(text: str, candidates: str = "", model: str = DEFAULT_MODEL) -> list[list]:
    """The best fills for the blank, with their probability among the fills ranked."""
    if not text or not text.strip():
        raise ValueError("Type a sentence with a blank (___), such as “What ___ is it?”.")
    check_length(text, MAX_CHARACTERS)
    options = [c.strip() for c in (candidates or "").split(",") if c.strip()] or None
    fills = MODELS.get(model).fill_blank(text, options, k=10)
    return [[f.text, f"{f.probability:.1%}", round(f.bits, 1)] for f in fills]


@user_errors("/score", USER_ERROR)
def score(text: str, model: str = DEFAULT_MODEL) -> tuple[str, str]:
    """How surprising ``text`` is to the model, character by character."""
    if not text:
        raise ValueError("Paste some text to score.")
    check_length(text, MAX_CHARACTERS)
    result = MODELS.get(model).score(text)
    summary = (
        f"**{result.bits_per_char:.2f} bits per character** ({result.bits:.0f} bits for"
        f" {len(text)} characters, {len(result.tokens)} tokens). Red: what surprised the model."
    )
    return summary, surprisal_html(text, result.char_bits.tolist())


def build_tab(model_dir: str | None = None) -> None:
    """Lay out the tab inside the current ``gr.Blocks``; registers ``/generate``,
    ``/fill_blank`` and ``/score``.

    ``model_dir``: a model folder to offer first (default: the shipped models only)."""
    models, default = MODELS.offer(model_dir, DEFAULT_MODEL)
    default = default if models else None
    gr.Markdown(
        "A character-level (or subword) RNN language model writes one token at a time, each drawn"
        " from what it expects next given everything before. A second model reads right to left, so"
        " a blank can be filled from both sides."
    )
    model = gr.Dropdown(models, value=default, label="Model", elem_id="textgen-model")
    with gr.Row():
        with gr.Column():
            prompt = gr.Textbox(label="Prompt (empty: start a new text)", lines=3,
                                max_length=MAX_CHARACTERS, elem_id="textgen-prompt")  # fmt: skip
            with gr.Row():
                length = gr.Slider(
                    1,
                    MAX_LENGTH,
                    value=300,
                    step=1,
                    label="Length (tokens)",
                    elem_id="textgen-length",
                )
                temperature = gr.Slider(0, 2, value=0.8, step=0.05, label="Temperature (0: most likely)",
                                        elem_id="textgen-temperature")  # fmt: skip
            with gr.Row():
                top_k = gr.Number(
                    0, label="Top-k (0: off)", precision=0, minimum=0, elem_id="textgen-top-k"
                )
                seed = gr.Number(-1, label="Seed (-1: random)", precision=0, elem_id="textgen-seed")
            button = gr.Button("Write", variant="primary", elem_id="textgen-button")
            gr.Examples(EXAMPLES, inputs=[prompt])
        with gr.Column():
            written = gr.Textbox(
                label="Continuation", lines=10, interactive=False, elem_id="textgen-output"
            )
            coloured = gr.HTML(label="What the model expected", elem_id="textgen-tokens")
    with gr.Accordion("Fill in the blank", open=True):
        with gr.Row():
            blank = gr.Textbox(label="A sentence with one blank (___)", elem_id="textgen-blank")
            candidates = gr.Textbox(label="Candidates, comma-separated (empty: the model proposes)",
                                    elem_id="textgen-candidates")  # fmt: skip
        fill_button = gr.Button("Fill", elem_id="textgen-fill-button")
        fills = gr.Dataframe(headers=["fill", "probability", "bits"], label="Fills, best first",
                             elem_id="textgen-fills")  # fmt: skip
        gr.Examples(BLANK_EXAMPLES, inputs=[blank])
    with gr.Accordion("What surprised the model", open=False):
        pasted = gr.Textbox(
            label="Any text", lines=4, max_length=MAX_CHARACTERS, elem_id="textgen-score-input"
        )
        score_button = gr.Button("Score", elem_id="textgen-score-button")
        summary = gr.Markdown(elem_id="textgen-score-summary")
        surprisal = gr.HTML(elem_id="textgen-surprisal")
    with gr.Accordion("Model card", open=False):
        card = gr.Markdown(
            MODELS.card(default) if default else "No text model is installed.",
            elem_id="textgen-card",
        )
    model.change(MODELS.card, [model], [card], api_visibility="private")
    button.click(generate, [prompt, model, length, temperature, top_k, seed], [written, coloured],
                 api_name="generate", concurrency_id="generate")  # fmt: skip
    fill_button.click(
        fill, [blank, candidates, model], [fills], api_name="fill_blank", concurrency_id="generate"
    )
    score_button.click(
        score, [pasted, model], [summary, surprisal], api_name="score", concurrency_id="generate"
    )
