import pytest
import torch
import torchaudio.functional as AF

from shared.pretrained import save_pretrained
from speech.decoding import greedy_decode
from speech.features import LogMel, SpecAugment
from speech.model import (
    FORMAT_VERSION,
    MODEL_TYPE,
    ConvFrontEnd,
    CTCModel,
    SpeechConfig,
    start_from,
)
from speech.text import CharVocabulary
from speech.train import ctc_loss
from tests.speech.conftest import TINY


def test_front_end_lengths_match_the_ctc_input_lengths():
    model = CTCModel(TINY).eval()
    samples = torch.tensor([16000, 12345, 4000, 401])
    waves = torch.randn(4, 16000) * (torch.arange(16000)[None] < samples[:, None])
    log_probs, frames = model(waves, samples)
    expected = ConvFrontEnd.output_lengths(LogMel().frames(samples), TINY.conv_layers)
    assert frames.tolist() == expected.tolist()
    assert log_probs.shape == (4, int(expected.max()), TINY.vocab_size)
    assert torch.allclose(log_probs.exp().sum(-1), torch.ones(()))


def test_a_split_head_writes_more_frames_and_starts_as_the_model_it_was_split_from(tmp_path):
    torch.manual_seed(0)
    one = CTCModel(TINY).eval()
    save_pretrained(one, tmp_path, TINY, model_type=MODEL_TYPE, format_version=FORMAT_VERSION)
    two = start_from(CTCModel(SpeechConfig(**{**TINY.__dict__, "output_split": 2})), tmp_path)
    two.eval()
    assert two.step_samples == one.step_samples and two.frame_seconds == one.frame_seconds / 2
    waves, samples = torch.randn(2, 16000), torch.tensor([16000, 9000])
    with torch.no_grad():
        lp1, n1 = one(waves, samples)
        lp2, n2 = two(waves, samples)
    assert n2.tolist() == (2 * n1).tolist() and lp2.shape == (2, 2 * lp1.shape[1], TINY.vocab_size)
    # Each step's two frames start as copies of its one frame: CTC reads the same letters.
    assert torch.allclose(lp2[:, 0::2], lp1, atol=1e-5)
    assert torch.allclose(lp2[:, 1::2], lp1, atol=1e-5)
    vocab = CharVocabulary()
    for b in range(2):
        assert (
            greedy_decode(lp2[b, : n2[b]], vocab).text == greedy_decode(lp1[b, : n1[b]], vocab).text
        )
    # Eight letters in a quarter second: more than one frame per step can hold (CTC's loss
    # is infinite, counted as nothing), two can.
    batch = {
        "waveforms": torch.randn(1, 4000),
        "lengths": torch.tensor([4000]),
        "targets": torch.tensor([[3, 4, 5, 6, 7, 8, 9, 10]]),
        "target_lengths": torch.tensor([8]),
    }
    assert ctc_loss(one, batch)[0].item() == 0.0
    assert ctc_loss(two, batch)[0].item() > 0.0


@pytest.mark.parametrize(
    "features", [{}, {"feature_norm": "band"}, {"feature_norm": "band", "envelope": 12}]
)
def test_padding_does_not_change_any_real_frame(features):
    model = CTCModel(SpeechConfig(**{**TINY.__dict__, **features})).eval()
    short = torch.randn(1, 5000)
    padded = torch.zeros(2, 16000)
    padded[0, :5000] = short
    padded[1] = torch.randn(16000)
    alone, n = model(short, torch.tensor([5000]))
    batched, m = model(padded, torch.tensor([5000, 16000]))
    assert n[0] == m[0]
    assert torch.allclose(alone[0], batched[0, : n[0]], atol=1e-5)


def test_features_are_normalised_per_utterance():
    torch.manual_seed(0)
    wave = torch.randn(8000)
    feats, frames = LogMel(n_mels=16)(torch.stack([wave, 100 * wave]), torch.tensor([8000, 8000]))
    assert feats.shape == (2, int(frames[0]), 16)
    assert torch.allclose(feats.mean((1, 2)), torch.zeros(2), atol=1e-4)
    assert torch.allclose(feats.std((1, 2), unbiased=False), torch.ones(2), atol=1e-3)
    # A louder copy of the same sound gives the same features: the gain is normalised away.
    assert torch.allclose(feats[0], feats[1], atol=1e-2)


def test_band_norm_takes_a_fixed_colouring_away():
    torch.manual_seed(0)
    wave = torch.randn(16000)
    # A fixed microphone colouring: a first-order high-pass tilts the spectrum by 25 dB.
    coloured = wave - 0.9 * torch.cat([torch.zeros(1), wave[:-1]])
    both, lengths = torch.stack([wave, coloured]), torch.tensor([16000, 16000])
    by_utterance, _ = LogMel(n_mels=40)(both, lengths)
    by_band, _ = LogMel(n_mels=40, norm="band")(both, lengths)
    assert (by_band[0] - by_band[1]).abs().mean() < 0.1
    assert (by_utterance[0] - by_utterance[1]).abs().mean() > 0.5


def test_envelope_keeps_only_the_first_cepstral_coefficients():
    torch.manual_seed(0)
    t = torch.arange(16000) / 16000
    voiced = sum(torch.sin(2 * torch.pi * 120 * k * t) / k for k in range(1, 40))  # 120 Hz
    waves, lengths = torch.stack([voiced, torch.randn(16000)]), torch.tensor([16000, 9000])
    feats, frames = LogMel(n_mels=40, norm="band", envelope=12)(waves, lengths)
    cepstra = feats @ AF.create_dct(40, 40, norm="ortho")  # (B, T, 40)
    assert cepstra[..., :12].abs().max() > 1.0
    assert cepstra[..., 12:].abs().max() < 1e-4
    assert feats[1, frames[1] :].abs().max() == 0  # padding stays zero
    raw, _ = LogMel(n_mels=40, norm="band")(waves, lengths)
    raw_cepstra = raw @ AF.create_dct(40, 40, norm="ortho")
    assert raw_cepstra[0, :, 12:].abs().mean() > 0.05  # the harmonics' ripple, now gone


def test_feature_options_are_checked():
    with pytest.raises(ValueError, match="norm"):
        LogMel(norm="frame")
    with pytest.raises(ValueError, match="envelope"):
        LogMel(n_mels=40, envelope=41)


def test_spec_augment_masks_only_while_training():
    augment = SpecAugment(freq_width=4, time_width=10, max_time_share=0.5)
    feats = torch.ones(3, 50, 16)
    frames = torch.tensor([50, 30, 10])
    assert torch.equal(augment.eval()(feats, frames), feats)
    masked = augment.train()(feats, frames)
    assert (masked == 0).any() and (masked == 1).any()


def test_unidirectional_option_and_cells():
    for cell in ("gru", "lstm", "rnn"):
        config = SpeechConfig(**{**TINY.__dict__, "cell": cell, "bidirectional": False})
        model = CTCModel(config).eval()
        log_probs, _ = model(torch.randn(1, 4000), torch.tensor([4000]))
        assert log_probs.shape[-1] == config.vocab_size


def test_a_few_steps_on_one_batch_lower_the_ctc_loss():
    torch.manual_seed(0)
    model = CTCModel(TINY)
    model.spec_augment = SpecAugment(freq_masks=0, time_masks=0)
    batch = {
        "waveforms": torch.randn(2, 8000),
        "lengths": torch.tensor([8000, 6000]),
        "targets": torch.tensor([3, 4, 5, 3, 6]),
        "target_lengths": torch.tensor([3, 2]),
    }
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(30):
        loss, _ = ctc_loss(model, batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


def test_ctc_loss_is_ctcs_mean_for_speech_and_weighs_silence_per_frame_like_speech():
    torch.manual_seed(0)
    log_probs = torch.randn(3, 40, TINY.vocab_size).log_softmax(-1)

    class Fixed(torch.nn.Module):
        def forward(self, waveforms, lengths):
            return log_probs, torch.tensor([40, 20, 30])

    def loss(targets, target_lengths):
        batch = {"waveforms": None, "lengths": None, "targets": targets}
        return ctc_loss(Fixed(), batch | {"target_lengths": torch.tensor(target_lengths)})[0]

    spoken = torch.tensor([3, 4, 5, 3, 6, 7, 3, 4, 5])
    builtin = torch.nn.functional.ctc_loss(
        log_probs.transpose(0, 1), spoken, torch.tensor([40, 20, 30]), torch.tensor([4, 2, 3])
    )
    assert torch.allclose(loss(spoken, [4, 2, 3]), builtin)

    # The third clip says nothing: its all-blank loss is divided by the characters its 30
    # frames would hold at the batch's rate (6 characters in 60 frames: 3), not by 1.
    each = torch.nn.functional.ctc_loss(
        log_probs.transpose(0, 1),
        spoken[:6],
        torch.tensor([40, 20, 30]),
        torch.tensor([4, 2, 0]),
        reduction="none",
    )
    expected = (each[0] / 4 + each[1] / 2 + each[2] / 3) / 3
    assert torch.allclose(loss(spoken[:6], [4, 2, 0]), expected)
