"""The RNN Suite web app: one Gradio page with a tab per application.

    python app.py [--host 127.0.0.1] [--port 7860]

Serves on 127.0.0.1 unless told otherwise, with analytics off and no share link; stops
cleanly (exit code 0) on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import os
import signal
import threading

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402  (analytics must be off before gradio is imported)

import captioning  # noqa: E402
from captioning import tab as captioning_tab  # noqa: E402
from translation import tab as translation_tab  # noqa: E402

TITLE = "RNN Suite"
PLANNED = {
    "Image captioning": "a CNN encoder and an LSTM decoder with soft attention describe an image"
    " and show, for every word, where they looked.",
    "Speech recognition": "a convolutional front end and a bidirectional GRU trained with CTC"
    " turn speech into text and show which audio frames produced which letters.",
}


def build_app() -> gr.Blocks:
    """The page. Tabs whose application is not built yet say so."""
    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        gr.Markdown(f"# {TITLE}\nRecurrent networks (RNN, LSTM, GRU) doing real work.")
        with gr.Tab("Image captioning"):
            if captioning.list_pretrained():
                captioning_tab.build_tab()
            else:
                gr.Markdown(
                    f"**No captioning model is installed yet.** With one, {PLANNED['Image captioning']}"
                )
        with gr.Tab("Speech recognition"):
            gr.Markdown(f"**Not built yet.** When it is, {PLANNED['Speech recognition']}")
        with gr.Tab("Translation"):
            translation_tab.build_tab()
    return demo


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the RNN Suite web app.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7860, help="port (default: 7860)")
    args = parser.parse_args(argv)

    demo = build_app()
    demo.queue(max_size=64, default_concurrency_limit=2)
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
        max_file_size="10mb",
    )
    print(f"serving on http://{args.host}:{args.port} (Ctrl-C to stop)", flush=True)
    stop.wait()
    demo.close()


if __name__ == "__main__":
    main()
