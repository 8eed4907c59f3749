"""The Intent tab of the web app: type a request, see the intent, the slots, what the RNN
thought after each word, its hidden state and each word's influence; a filler slider shows
whether RNN, LSTM and GRU still know the intent when the request rambles on."""

from __future__ import annotations

import functools
import random

import gradio as gr

from intent.figures import influence_figure, per_step_figure, states_figure
from intent.inference import DEFAULT_MODEL, MAX_WORDS, PRETRAINED_DIR, IntentClassifier
from intent.memory import load_memory, memory_figure, with_fillers
from shared.pretrained import ModelChoices, list_pretrained
from shared.tabs import check_length, user_errors

EXAMPLES = [
    "what time is it?",
    "wake me up at 6:30 tomorrow",
    "what's the weather like in Lisbon this weekend",
    "remind me to call mom at 5pm",
    "set a timer for ten minutes",
    "play some jazz",
    "how do I bake bread",
]
CELLS = ("rnn", "lstm", "gru")
MAX_CHARACTERS = 500

USER_ERROR = functools.partial(gr.Error, print_exception=False)
MODELS = ModelChoices(PRETRAINED_DIR, IntentClassifier.from_pretrained, "intent")


def _compare(text: str, padded: str) -> list[list]:
    """Each shipped cell on ``text`` and on ``padded`` (it with filler words): does it keep
    its answer?"""
    rows = []
    for cell in (c for c in CELLS if c in list_pretrained(PRETRAINED_DIR)):
        clf = MODELS.get(cell)
        before = clf.classify(text)
        after = clf.classify(padded) if padded != text else before
        kept = "yes" if after.intent == before.intent else f"no (was {before.intent})"
        rows.append([cell.upper(), after.intent, f"{after.confidence:.0%}", kept])
    return rows


@user_errors("/classify", USER_ERROR)
def classify(text: str, model: str = DEFAULT_MODEL, fillers: float = 0):
    """Classify, tag and draw; errors reach the page as messages."""
    check_length(text, MAX_CHARACTERS)
    if not text or not text.strip():
        gr.Warning("Type a request, such as “what time is it?”.")
        return None, None, None, None, None, [], ""
    clf = MODELS.get(model)
    result = clf.classify(text)
    highlighted = [(text, None)]
    if result.slots:
        highlighted, cursor = [], 0
        for slot, _, start, end in result.slots:
            highlighted += [(text[cursor:start], None), (text[start:end], slot)]
            cursor = end
        highlighted.append((text[cursor:], None))
    influence = clf.word_influence(text)
    fillers = int(fillers or 0)
    padded = with_fillers(text, fillers, random.Random(fillers))
    return (
        {name: round(p, 4) for name, p in result.probs.items()},
        highlighted,
        per_step_figure(result.tokens, result.per_step, clf.intents),
        states_figure(result.tokens, result.states),
        influence_figure(result.tokens, influence, result.intent),
        _compare(text, padded),
        padded,
    )


def build_tab(model_dir: str | None = None) -> None:
    """Lay out the tab inside the current ``gr.Blocks``; registers the ``/classify`` endpoint.

    ``model_dir``: a model folder to offer first (default: the shipped models only)."""
    models, default = MODELS.offer(model_dir, DEFAULT_MODEL)
    default = default if models else None
    gr.Markdown(
        "The explainer's example, live: an RNN reads your request one word at a time. Its state after the"
        " last word decides the intent; its output at every word tags the slots (time, date, location,"
        " duration). Pick the cell (plain RNN, LSTM, GRU) and see what it thought after each word."
    )
    with gr.Row():
        with gr.Column():
            text = gr.Textbox(
                label="Request", lines=2, max_length=MAX_CHARACTERS, elem_id="intent-input"
            )
            with gr.Row():
                model = gr.Dropdown(
                    models, value=default, label="Model (cell)", elem_id="intent-model"
                )
                fillers = gr.Slider(
                    0,
                    60,
                    value=0,
                    step=1,
                    label="Filler words added at the end",
                    elem_id="intent-fillers",
                )
            button = gr.Button("Classify", variant="primary", elem_id="intent-button")
            label = gr.Label(label="Intent", num_top_classes=4, elem_id="intent-label")
            slots = gr.HighlightedText(label="Slots", elem_id="intent-slots")
            padded = gr.Textbox(
                label="The request with fillers", interactive=False, elem_id="intent-padded"
            )
            compare = gr.Dataframe(
                headers=["cell", "intent with fillers", "confidence", "kept its answer?"],
                label="RNN, LSTM and GRU on the request with fillers",
                elem_id="intent-compare",
            )
            with gr.Accordion("Model card", open=False):
                card = gr.Markdown(
                    MODELS.card(default)
                    if default
                    else f"No intent model is installed (at most {MAX_WORDS} words a request).",
                    elem_id="intent-card",
                )
        with gr.Column():
            per_step = gr.Plot(label="Intent after each word", elem_id="intent-per-step")
            states = gr.Plot(label="Hidden state", elem_id="intent-states")
            influence = gr.Plot(label="Influence of each word", elem_id="intent-influence")
    measured = load_memory()
    if measured:
        with gr.Accordion("Memory, measured on held-out requests", open=False):
            gr.Plot(memory_figure(measured), show_label=False, elem_id="intent-memory")
    gr.Examples(EXAMPLES, inputs=[text])
    model.change(MODELS.card, [model], [card], api_visibility="private")
    common = dict(
        fn=classify,
        inputs=[text, model, fillers],
        outputs=[label, slots, per_step, states, influence, compare, padded],
        concurrency_limit="default",
        concurrency_id="classify",
    )  # fmt: skip
    button.click(api_name="classify", **common)
    text.submit(api_visibility="private", **common)
    fillers.release(api_visibility="private", **common)
