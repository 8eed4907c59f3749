"""The tab functions called directly, as the web app calls them (file records in, figures
out), without a server: the quick check of each tab's one call and its messages."""

import gradio as gr
import numpy as np
import pytest
import torch

from captioning.scenes import SPLIT_SEEDS, render_scene
from captioning.tab import caption
from intent.tab import classify
from shared.metrics import cer
from shared.pretrained import save_pretrained
from speech.tab import EXAMPLES_DIR as SPEECH_EXAMPLES
from speech.tab import transcribe
from textgen.tab import fill, generate, score
from translation.tab import translate
from video import VideoTagger
from video import tab as video_tab
from video.data import clip_vocabulary
from video.figures import TILE, TILES_PER_ROW, place_tiles
from video.inference import VOCAB_NAME
from video.model import FORMAT_VERSION, MODEL_TYPE, VideoConfig, VideoModel
from video.tab import EXAMPLES_DIR as VIDEO_EXAMPLES
from video.tab import describe


def test_video_tab_shows_places_only_for_a_model_that_attends_over_them(tmp_path, monkeypatch):
    vocab = clip_vocabulary()
    example = VIDEO_EXAMPLES / "clip-2000900001.mp4"
    for places in (True, False):
        folder = tmp_path / f"places-{places}"
        torch.manual_seed(0)
        config = VideoConfig(vocab_size=len(vocab), places=places, frame_size=32, channels=4)
        save_pretrained(
            VideoModel(config), folder, config, model_type=MODEL_TYPE, format_version=FORMAT_VERSION
        )
        vocab.save(folder / VOCAB_NAME)
        monkeypatch.setattr(video_tab.MODELS, "extra", [str(folder)])
        expected = VideoTagger.from_pretrained(folder).describe(example, beam_size=1)
        assert expected.tokens, "the untrained model should say something to draw"
        text, _, _, figure = describe({"path": str(example)}, str(folder), 1)
        assert text == expected.text and figure["visible"] is places
        if places:
            tiles = place_tiles(
                expected.frames, expected.attention, expected.places, expected.tokens
            )
            assert np.array_equal(figure["value"], tiles)
        else:
            assert figure["value"] is None


def test_caption_tab(tmp_path):
    scene = render_scene(SPLIT_SEEDS["test"] + 900_003)
    scene.image.save(tmp_path / "scene.png")
    text, gallery = caption({"path": str(tmp_path / "scene.png")}, "shapes", 2)
    assert text == scene.caption
    assert [label.split(". ", 1)[1] for _, label in gallery] == text.replace(",", " ,").split()
    with pytest.raises(gr.Error, match="Upload an image"):
        caption(None, "shapes", 2)
    with pytest.raises(gr.Error, match="No captioning model 'nope' is installed"):
        caption({"path": str(tmp_path / "scene.png")}, "nope", 2)


def test_transcribe_tab():
    path = str(SPEECH_EXAMPLES / "example-1.wav")
    text, figure, timings = transcribe({"path": path}, "tts-en", 1, False)
    assert cer(["action on title bar double click"], [text]) < 0.2, text
    assert [w for w, _, _ in timings] == text.split() and figure is not None
    with pytest.raises(gr.Error, match="Record with the microphone"):
        transcribe(None)


def test_translate_tab():
    text, figure = translate("Permission denied", "en-fr", 2)
    assert text.strip() and text != "Permission denied" and figure is not None
    with pytest.warns(UserWarning, match="Type some English text"):  # a toast on the page
        assert translate("  ", "en-fr", 2) == ("", None)
    with pytest.raises(gr.Error, match="limit is 1000"):
        translate("x" * 1001, "en-fr", 2)
    with pytest.raises(gr.Error, match="No translation model 'xx-yy' is installed"):
        translate("Permission denied", "xx-yy", 2)


def test_classify_tab():
    label, slots, per_step, states, influence, compare, padded = classify(
        "wake me up at 7 am tomorrow", "gru", 10
    )
    assert max(label, key=label.get) == "set_alarm"
    assert ("7 am", "time") in slots and ("tomorrow", "date") in slots
    assert "".join(text for text, _ in slots) == "wake me up at 7 am tomorrow"
    assert None not in (per_step, states, influence)
    assert [row[0] for row in compare] == ["RNN", "LSTM", "GRU"]
    assert padded.startswith("wake me up at 7 am tomorrow ") and len(padded.split()) == 7 + 10
    with pytest.warns(UserWarning, match="Type a request"):
        assert classify("  ", "gru", 0)[0] is None
    with pytest.raises(gr.Error, match="limit is 500"):
        classify("x" * 501, "gru", 0)
    with pytest.raises(gr.Error, match="No intent model 'nope' is installed"):
        classify("hello", "nope", 0)
    with pytest.raises(gr.Error, match="the limit is 100"):
        classify("w " * 101, "gru", 0)


def test_textgen_tab():
    steps = list(generate("ROMEO.\n", "shakespeare", 30, 0.8, 0, 1))
    text, coloured = steps[-1]
    assert len(steps) == 31 and len(text) == 30  # one update per character, then the colours
    assert coloured.count('class="tg-token"') == 30 and "weighed:" in coloured
    assert list(generate("ROMEO.\n", "shakespeare", 30, 0.8, 0, 1))[-1][0] == text  # the seed
    ranked = fill("Good ___, sweet prince", "night, dog, table", "shakespeare")
    assert ranked[0][0] == "night" and len(ranked) == 3
    assert len(fill("What ___ is it?", "", "shakespeare")) >= 3  # proposed by the model
    summary, surprisal = score("To be, or not to be", "shakespeare")
    assert "bits per character" in summary and surprisal.count("<span") == len(
        "To be, or not to be"
    )
    with pytest.raises(gr.Error, match="Length must be between 1 and 1000"):
        list(generate("x", "shakespeare", 0, 0.8, 0, 1))
    with pytest.raises(gr.Error, match="exactly one blank"):
        fill("no blank", "", "shakespeare")
    with pytest.raises(gr.Error, match="Paste some text"):
        score("", "shakespeare")
    with pytest.raises(gr.Error, match="No text model 'nope' is installed"):
        list(generate("x", "nope", 5, 0.8, 0, 1))


def test_video_tab(tmp_path):
    example = VIDEO_EXAMPLES / "clip-2000900001.mp4"
    text, strip, heatmap, places = describe({"path": str(example)}, "shapes", 2)
    assert (
        text and text == VideoTagger.from_pretrained("shapes").describe(example, beam_size=2).text
    )
    words = len(text.replace(",", " ,").split())
    assert strip.shape[0] > 64 * (words + 1) and heatmap is not None
    # The shipped model also attends over places: one tile per word, a row of them each six.
    rows = -(-words // TILES_PER_ROW)
    assert places["visible"] is True and rows * TILE < places["value"].shape[0] < rows * 2 * TILE
    with pytest.raises(gr.Error, match="Upload a video"):
        describe(None, "shapes", 2)
    (tmp_path / "notes.mp4").write_text("not a video" * 50)
    with pytest.raises(gr.Error, match="not a readable video"):
        describe({"path": str(tmp_path / "notes.mp4")}, "shapes", 2)
