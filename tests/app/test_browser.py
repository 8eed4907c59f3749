"""The web app in a real headless Chromium, driven by Playwright: every tab used as a person
would, a screenshot of each kept in ``test-artifacts/``, and not one request leaving 127.0.0.1."""

import os
import shutil
from urllib.parse import urlparse

import pytest

from captioning.scenes import SPLIT_SEEDS, render_scene
from speech.tab import EXAMPLES_DIR as SPEECH_EXAMPLES
from tests.app.conftest import ROOT
from tests.missing import missing
from video import VideoTagger
from video.tab import EXAMPLES_DIR as VIDEO_EXAMPLES

pytestmark = pytest.mark.slow

ARTIFACTS = ROOT / "test-artifacts"
# Set RNN_SUITE_SCREENSHOTS=docs to refresh the README's screenshots as well.
SCREENSHOT_DIRS = [ARTIFACTS] + (
    [ROOT / os.environ["RNN_SUITE_SCREENSHOTS"]] if os.environ.get("RNN_SUITE_SCREENSHOTS") else []
)
TIMEOUT_MS = 120_000


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        missing("Chromium is not installed: sudo apt-get install chromium")
    return path


def playwright_api():
    try:
        import playwright.sync_api
    except ImportError:
        missing("Playwright is not installed: pip install -e '.[test]'")
    return playwright.sync_api


@pytest.fixture(scope="module")
def page(app_url, tmp_path_factory):
    playwright = playwright_api()
    executable = chromium()
    outside: list[str] = []
    with playwright.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium")),
            executable_path=executable,
            headless=True,
            viewport={"width": 1280, "height": 900},
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = context.new_page()
        page.on(
            "request",
            lambda r: (
                None
                if urlparse(r.url).hostname in ("127.0.0.1", None)
                or r.url.startswith(("data:", "blob:"))
                else outside.append(r.url)
            ),
        )
        page.goto(app_url, wait_until="networkidle")
        yield page
        context.close()
    assert not outside, f"the page fetched from outside 127.0.0.1: {outside}"


def screenshot(page, name: str) -> None:
    for folder in SCREENSHOT_DIRS:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        path.unlink(missing_ok=True)  # a file left by an earlier run proves nothing
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10_000, f"{path} is nearly empty"


def output_text(page, elem_id: str) -> str:
    box = page.locator(f"#{elem_id} textarea")
    page.wait_for_function(
        f"() => document.querySelector('#{elem_id} textarea').value.trim().length > 0",
        timeout=TIMEOUT_MS,
    )
    return box.input_value()


def wait_for_heatmap(page, elem_id: str) -> None:
    """Wait until plotly has drawn a heatmap inside the plot (its cells are one <image>)."""
    page.locator(f"#{elem_id} .js-plotly-plot g.hm image").first.wait_for(timeout=TIMEOUT_MS)


def test_captioning_tab(page, tmp_path):
    page.get_by_role("tab", name="Image captioning").click()
    scene = render_scene(SPLIT_SEEDS["test"] + 900_002)
    scene.image.save(tmp_path / "scene.png")
    page.locator("#caption-image input[type=file]").set_input_files(str(tmp_path / "scene.png"))
    page.locator("#caption-button").click()
    assert output_text(page, "caption-output") == scene.caption
    page.locator("#caption-attention img").first.wait_for(timeout=TIMEOUT_MS)
    assert page.locator("#caption-attention img").count() >= 3
    screenshot(page, "captioning")


def test_speech_tab(page):
    page.get_by_role("tab", name="Speech recognition").click()
    page.locator('#speech-audio button[aria-label="Upload file"]').click()
    page.locator("#speech-audio input[type=file]").set_input_files(
        str(SPEECH_EXAMPLES / "example-1.wav")
    )
    page.locator("#speech-button").click()
    text = output_text(page, "speech-output")
    assert "title bar" in text, text
    wait_for_heatmap(page, "speech-plot")
    assert page.locator("#speech-words").get_by_text("action").count() >= 1
    screenshot(page, "speech")


def test_translation_tab(page):
    page.get_by_role("tab", name="Translation").click()
    # What the model learned from, and its figures, are on the page, not only on its card.
    page.locator("#translation-summary").get_by_text("human translations").wait_for(
        timeout=TIMEOUT_MS
    )
    page.locator("#translation-input textarea").fill("The file could not be opened.")
    page.locator("#translation-button").click()
    text = output_text(page, "translation-output")
    assert text and text != "The file could not be opened."
    wait_for_heatmap(page, "translation-attention")
    screenshot(page, "translation")


def test_intent_tab(page):
    page.get_by_role("tab", name="Intent").click()
    page.locator("#intent-input textarea").fill("remind me to call mom at 5pm")
    page.locator("#intent-button").click()
    page.locator("#intent-label").get_by_text("set_reminder").first.wait_for(timeout=TIMEOUT_MS)
    page.locator("#intent-slots").get_by_text("5pm").first.wait_for(timeout=TIMEOUT_MS)
    wait_for_heatmap(page, "intent-states")
    page.locator("#intent-compare").get_by_text("GRU").first.wait_for(timeout=TIMEOUT_MS)
    screenshot(page, "intent")


def test_textgen_tab(page):
    page.get_by_role("tab", name="Text generation").click()
    page.locator("#textgen-prompt textarea").fill("KING.\nMy lords,")
    page.locator("#textgen-seed input").fill("3")
    page.locator("#textgen-button").click()
    page.locator("#textgen-tokens .tg-token").first.wait_for(timeout=TIMEOUT_MS)
    assert page.locator("#textgen-tokens .tg-token").count() == 300
    assert output_text(page, "textgen-output")
    page.locator("#textgen-blank textarea").fill("Good ___, sweet prince")
    page.locator("#textgen-fill-button").click()
    page.wait_for_function(  # a probability shows in a visible cell of the fills table
        "() => document.querySelector('#textgen-fills').innerText.includes('%')",
        timeout=TIMEOUT_MS,
    )
    screenshot(page, "textgen")


def test_video_tab(page):
    page.get_by_role("tab", name="Video tagging").click()
    example = VIDEO_EXAMPLES / "clip-2000900014.mp4"
    page.locator("#video-input input[type=file]").set_input_files(str(example))
    page.locator("#video-button").click()
    expected = VideoTagger.from_pretrained("shapes").describe(example, beam_size=3).text
    assert output_text(page, "video-output") == expected
    page.locator("#video-strip img").first.wait_for(timeout=TIMEOUT_MS)
    wait_for_heatmap(page, "video-heatmap")
    screenshot(page, "video")


def test_how_it_works_tab(page):
    page.get_by_role("tab", name="How it works").click()
    page.get_by_text("The short-term memory problem").wait_for(timeout=TIMEOUT_MS)
    page.locator("#howto-memory img").first.wait_for(timeout=TIMEOUT_MS)  # the measured curves
    page.get_by_text("held-out requests (9 trained models").wait_for(timeout=TIMEOUT_MS)
    screenshot(page, "how-it-works")


def test_errors_reach_the_page_as_messages(page, app_url):
    page.goto(app_url, wait_until="networkidle")  # a fresh page: no inputs yet
    page.get_by_role("tab", name="Speech recognition").click()
    page.locator("#speech-button").click()
    page.get_by_text("Record with the microphone").first.wait_for(timeout=TIMEOUT_MS)
    page.get_by_role("tab", name="Image captioning").click()
    page.locator("#caption-button").click()
    page.get_by_text("Upload an image").first.wait_for(timeout=TIMEOUT_MS)
    screenshot(page, "error-message")
