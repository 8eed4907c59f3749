"""The model and the VideoTagger API on a tiny untrained model (the shipped model has its
own tests)."""

import numpy as np
import pytest
import torch

from tests.video.conftest import TINY
from video import VideoTagger
from video.clips import render_clip
from video.data import ClipDataset, clip_vocabulary, collate
from video.model import PlaceEncoder, VideoConfig, VideoModel
from video.train import loss_fn


def test_shapes_of_both_temporal_models():
    frames = torch.rand(2, 16, 3, 32, 32) - 0.5
    tokens = torch.randint(4, 20, (2, 7))
    for temporal, steps in (("rnn", 16), ("mean", 1)):
        model = VideoModel(VideoConfig(vocab_size=30, temporal=temporal, **TINY))
        logits, attention = model(frames, tokens)
        assert logits.shape == (2, 7, 30) and attention.shape == (2, 7, steps)
        assert torch.allclose(attention.sum(-1), torch.ones(2, 7), atol=1e-5)
    places = VideoModel(VideoConfig(vocab_size=30, places=True, **TINY))
    logits, attention = places(frames, tokens)
    assert attention.shape == (2, 7, 16 + 2 * 2)  # 16 frames, then a 2x2 grid of places
    assert torch.allclose(attention.sum(-1), torch.ones(2, 7), atol=1e-5)
    with pytest.raises(ValueError, match="temporal"):
        VideoModel(VideoConfig(temporal="max"))
    with pytest.raises(ValueError, match="multiple of 16"):
        VideoModel(VideoConfig(frame_size=40))


def test_the_rnn_sees_order_and_the_mean_does_not():
    frames = torch.rand(1, 16, 3, 32, 32) - 0.5
    backwards = frames.flip(1)
    torch.manual_seed(0)
    for temporal in ("rnn", "mean"):
        model = VideoModel(
            VideoConfig(vocab_size=30, temporal=temporal, dropout=0.0, **TINY)
        ).eval()
        with torch.no_grad():
            a, b = model.encode(frames), model.encode(backwards)
        if temporal == "mean":
            assert torch.allclose(a, b, atol=1e-5)
        else:
            assert not torch.allclose(a, b.flip(1), atol=1e-4)


def test_motion_input_lets_each_frame_feature_see_the_frame_before():
    frames = torch.rand(1, 4, 3, 32, 32) - 0.5
    earlier_changed = frames.clone()
    earlier_changed[:, 1] += 0.3
    torch.manual_seed(0)
    for motion in (False, True):
        model = VideoModel(VideoConfig(vocab_size=30, motion_input=motion, dropout=0.0, **TINY))
        with torch.no_grad():
            a, b = model.eval().frames(frames), model.frames(earlier_changed)
        assert torch.allclose(a[:, 0], b[:, 0]) and not torch.allclose(a[:, 1], b[:, 1])
        assert torch.allclose(a[:, 2], b[:, 2]) != motion  # frame 2 sees frame 1 only with motion
        assert torch.allclose(a[:, 3], b[:, 3])


def test_each_place_reads_its_own_cell_in_every_frame_in_order():
    torch.manual_seed(0)
    places = PlaceEncoder(frames=4, channels=3, side=2, dim=8, dropout=0.0)
    grids = torch.rand(1, 4, 3, 2, 2)
    corner_changed = grids.clone()
    corner_changed[:, 2, :, 0, 0] += 1.0  # the top-left cell, in frame 2 only
    a, b = places(grids), places(corner_changed)
    assert a.shape == (1, 4, 8)
    assert not torch.allclose(a[:, 0], b[:, 0]) and torch.allclose(a[:, 1:], b[:, 1:])
    swapped = grids[:, [1, 0, 2, 3]]  # the same frames in another order
    assert not torch.allclose(places(swapped), a)


def test_describe_splits_attention_into_time_and_places():
    vocab = clip_vocabulary()
    for temporal in ("rnn", "mean"):
        torch.manual_seed(0)
        config = VideoConfig(vocab_size=len(vocab), temporal=temporal, places=True, **TINY)
        tagger = VideoTagger(VideoModel(config), vocab)
        result = tagger.describe(render_clip(3).frames, beam_size=2)
        assert result.attention.shape == (len(result.tokens), 16)
        assert result.places.shape == (len(result.tokens), 2, 2)
        together = result.attention.sum(1) + result.places.sum((1, 2))
        assert np.allclose(together, 1.0, atol=1e-4)


def test_describe_gives_words_attention_and_times(tiny_video_dir):
    tagger = VideoTagger.from_pretrained(tiny_video_dir)
    clip = render_clip(5)
    result = tagger.describe(clip.frames, beam_size=2)
    assert result.attention.shape == (len(result.tokens), 16) and result.places is None
    if result.tokens:
        assert np.allclose(result.attention.sum(1), 1.0, atol=1e-4)
    assert result.frame_times == pytest.approx([t / 8 for t in range(16)])
    assert result.frames.shape == (16, 96, 96, 3)


def test_describe_batch_equals_one_by_one(tiny_video_dir):
    tagger = VideoTagger.from_pretrained(tiny_video_dir)
    videos = [render_clip(s).frames for s in range(5)]
    videos[2] = videos[2][:9]  # a shorter video is sampled to 16 frames too
    batched = tagger.describe_batch(videos, beam_size=3, batch_size=2)
    for video, together in zip(videos, batched, strict=True):
        alone = tagger.describe(video, beam_size=3)
        assert alone.tokens == together.tokens
        assert np.allclose(alone.attention, together.attention, atol=1e-5)


def test_bad_input_gets_a_clear_error(tiny_video_dir):
    tagger = VideoTagger.from_pretrained(tiny_video_dir)
    with pytest.raises(ValueError, match="no frames"):
        tagger.describe([])
    with pytest.raises(ValueError, match="beam_size"):
        tagger.describe(render_clip(1).frames, beam_size=0)
    with pytest.raises(ValueError, match="not a video-rnn|is not a directory|model"):
        VideoTagger.from_pretrained("no-such-model")


def test_loss_goes_down_on_a_few_clips():
    torch.manual_seed(0)
    vocab = clip_vocabulary()
    model = VideoModel(VideoConfig(vocab_size=len(vocab), dropout=0.0, **TINY))
    batch = collate([ClipDataset("train", 4, vocab, 32)[i] for i in range(4)])
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    first = None
    for _ in range(80):
        loss, _ = loss_fn(model, batch)
        first = first if first is not None else loss.item()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.3 * first
