"""The RNN Suite web app: one Gradio page with a tab per application and a tab that explains
how recurrent networks work.

    python app.py [--host 127.0.0.1] [--port 7860] [--auth user:password] [--concurrency N]
                  [--threads N] [--caption-model DIR] [--speech-model DIR] [--translation-model DIR]
                  [--intent-model DIR] [--textgen-model DIR] [--video-model DIR]

Serves on 127.0.0.1 unless told otherwise, with analytics off and no share link; models load
on first use; stops cleanly (exit code 0) on Ctrl-C or SIGTERM. A model folder you trained can
also be given through ``RNN_SUITE_CAPTION_MODEL``, ``RNN_SUITE_SPEECH_MODEL`` or
``RNN_SUITE_TRANSLATION_MODEL``, ``RNN_SUITE_INTENT_MODEL``, ``RNN_SUITE_TEXTGEN_MODEL`` or
``RNN_SUITE_VIDEO_MODEL``.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import threading

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402  (analytics must be off before gradio is imported)
import torch  # noqa: E402

from captioning import Captioner  # noqa: E402
from captioning import tab as captioning_tab  # noqa: E402
from intent import IntentClassifier  # noqa: E402
from intent import tab as intent_tab  # noqa: E402
from intent.memory import load_memory  # noqa: E402
from intent.memory import memory_figure as measured_memory_figure  # noqa: E402
from shared.explain import memory_figure, unrolled_figure  # noqa: E402
from shared.pretrained import ModelLoadError  # noqa: E402
from speech import Transcriber  # noqa: E402
from speech import tab as speech_tab  # noqa: E402
from textgen import TextGenerator  # noqa: E402
from textgen import tab as textgen_tab  # noqa: E402
from translation import Translator  # noqa: E402
from translation import tab as translation_tab  # noqa: E402
from video import VideoTagger  # noqa: E402
from video import tab as video_tab  # noqa: E402

TITLE = "RNN Suite"
MAX_UPLOAD = "10mb"
QUEUE_SIZE = 64


TABS = 4  # tabs that run requests side by side


def default_concurrency() -> int:
    """Requests each tab runs at once: half the CPU cores (at least one), since the three
    tabs run side by side and every request is CPU-bound; more would only share the cores
    and slow each other down, while the queue keeps order."""
    return max(1, (os.cpu_count() or 2) // 2)


def default_threads(concurrency: int) -> int:
    """Torch threads per request: the cores shared by every request that can run at once
    (each tab's ``concurrency``), at least one; more would oversubscribe the cores."""
    return max(1, (os.cpu_count() or 2) // (concurrency * TABS))


STORY = """
### Why sequences need memory
Some data only makes sense in order: the words of a sentence, the samples of speech, a price over
time. A feed-forward network maps one input to one output. A **recurrent** network (RNN) reads a
sequence one step at a time and carries a hidden state from each step into the next, so every
output can depend on everything before it.

Take the question *"what time is it?"*. The words go in one by one; after each word the hidden
state mixes the new word into what it held; only the last state is used to decide the intent
(ask the time, ask the weather, set an alarm...). The **Intent** tab runs exactly this model,
trained: type a request and watch the intent after each word and the state word by word.
"""

MEMORY = """
### The short-term memory problem
In a plain RNN each step multiplies the old state by the same weights and squashes it, so the
newest inputs dominate and older ones fade. The plot measures it on the trained intent models:
held-out requests get N neutral filler words ("um", "by the way", long unrelated clauses) after
the words that say what the user wants, and the model must still name the intent from its last
state. Left: accuracy against N for RNN, LSTM and GRU; right: how much of the decision's gradient
still reaches the request's own words. Training suffers the same way: the gradient that should
teach the network about early inputs vanishes (and sometimes explodes).
"""

GATES = """
### How gates help
An **LSTM** adds a cell state with gates that decide what to forget, what to write and what to
show; when its forget gate stays open, information travels many steps almost untouched. A **GRU** is a simplified LSTM (two gates, no separate cell) that trains faster on
large data and keeps long-range information too. A **bidirectional** RNN runs one RNN forwards
and one backwards, so each position sees its whole context.

### Where you see it in this app
- **Image captioning**: a CNN looks at the picture, an LSTM writes the caption word by word and,
  before each word, *attends* over the image; the gallery shows where it looked for every word.
- **Speech recognition**: bidirectional GRUs read the spectrogram both ways; CTC lets them emit a
  letter or *blank* every 40 ms; the plot puts each letter where it was emitted.
- **Intent**: one RNN reads a request; its last state decides the intent, its output at every
  word tags the slots (a time, a date, a place, a duration).
- **Translation**: a bidirectional GRU reads the English sentence, an LSTM writes the translation,
  attending over the source at every step; the heatmap is that attention.
- **Text generation**: an LSTM reads text one character at a time and predicts the next; sampling
  from it writes, and a second LSTM reading right to left fills in a blank from both sides.

- **Video tagging**: a CNN reads every frame, a bidirectional GRU reads the frames in order, and a
  decoder says what happened, attending over time; only order tells "moves up, then grows" from
  "grows, then moves up".

RNNs also forecast series: anything that unfolds in order.
"""


def memory_summary(measured: dict) -> str:
    """The measured curves in words, so the page never says more than was measured."""
    ns, cells = measured["ns"], measured["cells"]
    parts = [
        f"{cell.upper()} {curves['accuracy'][0]:.0%} with none, {curves['accuracy'][-1]:.0%} with {ns[-1]}"
        for cell, curves in cells.items()
    ]
    models = sum(len(c["models"]) for c in cells.values())
    return (
        f"Measured on {measured['requests']} held-out requests ({models} trained models,"
        f" {measured['filler_draws']} filler draws each): intent accuracy, {'; '.join(parts)} filler words."
        " `python -m intent.memory` measures it again."
    )


def build_how_it_works() -> None:
    gr.Markdown(STORY)
    gr.Plot(unrolled_figure(), label="An RNN unrolled", elem_id="howto-unrolled")
    gr.Markdown(MEMORY)
    measured = load_memory()
    if measured:
        figure, label = measured_memory_figure(measured), "Memory of trained RNN, LSTM and GRU"
    else:  # no measurement shipped: the same lesson on untrained layers
        figure, label = memory_figure(), "Memory of RNN, LSTM and GRU (untrained layers)"
    gr.Plot(figure, label=label, show_label=False, elem_id="howto-memory")
    if measured:
        gr.Markdown(memory_summary(measured), elem_id="howto-memory-summary")
    gr.Markdown(GATES)


def build_app(
    caption_model: str | None = None,
    speech_model: str | None = None,
    translation_model: str | None = None,
    intent_model: str | None = None,
    textgen_model: str | None = None,
    video_model: str | None = None,
) -> gr.Blocks:
    """The page; each argument puts a model folder first in its tab's selector."""
    # delete_cache: outputs older than a day are removed hourly, so a long-running server stays small.
    with gr.Blocks(title=TITLE, analytics_enabled=False, delete_cache=(3600, 86400)) as demo:
        gr.Markdown(f"# {TITLE}\nRecurrent networks (RNN, LSTM, GRU) doing real work.")
        with gr.Tab("Image captioning"):
            captioning_tab.build_tab(caption_model)
        with gr.Tab("Speech recognition"):
            speech_tab.build_tab(speech_model)
        with gr.Tab("Translation"):
            translation_tab.build_tab(translation_model)
        with gr.Tab("Intent"):
            intent_tab.build_tab(intent_model)
        with gr.Tab("Text generation"):
            textgen_tab.build_tab(textgen_model)
        with gr.Tab("Video tagging"):
            video_tab.build_tab(video_model)
        with gr.Tab("How it works"):
            build_how_it_works()
    return demo


def parse_auth(value: str | None) -> tuple[str, str] | None:
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise argparse.ArgumentTypeError("--auth takes USER:PASSWORD")
    return user, password


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Serve the RNN Suite web app.",
        epilog="Model folders can also come from RNN_SUITE_CAPTION_MODEL, RNN_SUITE_SPEECH_MODEL,"
        " RNN_SUITE_TRANSLATION_MODEL, RNN_SUITE_INTENT_MODEL, RNN_SUITE_TEXTGEN_MODEL and RNN_SUITE_VIDEO_MODEL.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7860, help="port (default: 7860)")
    parser.add_argument("--auth", type=parse_auth, help="require this USER:PASSWORD to log in")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=default_concurrency(),
        metavar="N",
        help="requests each tab runs at once; the rest wait in a queue of"
        f" {QUEUE_SIZE} (default: half the CPU cores, here {default_concurrency()})",
    )
    for app_name, env in (
        ("caption", "RNN_SUITE_CAPTION_MODEL"),
        ("speech", "RNN_SUITE_SPEECH_MODEL"),
        ("translation", "RNN_SUITE_TRANSLATION_MODEL"),
        ("intent", "RNN_SUITE_INTENT_MODEL"),
        ("textgen", "RNN_SUITE_TEXTGEN_MODEL"),
        ("video", "RNN_SUITE_VIDEO_MODEL"),
    ):
        parser.add_argument(
            f"--{app_name}-model",
            default=os.environ.get(env),
            metavar="DIR",
            help=f"a {app_name} model folder you trained, offered first in its tab",
        )
    parser.add_argument(
        "--threads",
        type=int,
        metavar="N",
        help="torch threads per request (default: the CPU cores divided among the requests"
        " that can run at once, at least 1)",
    )
    args = parser.parse_args(argv)
    if args.concurrency < 1:
        parser.error("--concurrency must be at least 1")
    if args.threads is not None and args.threads < 1:
        parser.error("--threads must be at least 1")
    # A broken model folder is found now, with its name, not by the first user of its tab.
    for folder, loader in (
        (args.caption_model, Captioner.from_pretrained),
        (args.speech_model, Transcriber.from_pretrained),
        (args.translation_model, Translator.from_pretrained),
        (args.intent_model, IntentClassifier.from_pretrained),
        (args.textgen_model, TextGenerator.from_pretrained),
        (args.video_model, VideoTagger.from_pretrained),
    ):
        if folder:
            try:
                loader(folder)
            except (ModelLoadError, ValueError, OSError) as err:
                parser.error(f"{folder} is not a usable model folder: {err}")
    torch.set_num_threads(args.threads or default_threads(args.concurrency))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # Gradio's own start-up probes

    demo = build_app(
        args.caption_model,
        args.speech_model,
        args.translation_model,
        args.intent_model,
        args.textgen_model,
        args.video_model,
    )
    demo.queue(max_size=QUEUE_SIZE, default_concurrency_limit=args.concurrency)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    demo.launch(
        server_name=args.host,
        server_port=args.port,
        share=False,
        show_error=False,
        ssr_mode=False,
        prevent_thread_lock=True,
        max_file_size=MAX_UPLOAD,
        auth=args.auth,
    )
    print(f"serving on http://{args.host}:{args.port} (Ctrl-C to stop)", flush=True)
    stop.wait()
    demo.close()


if __name__ == "__main__":
    main()
