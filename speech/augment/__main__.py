"""Write examples of every augmentation to listen to.

Examples:
    python -m speech.augment --demo runs/augment-demo
    python -m speech.augment --demo runs/augment-demo --input my.wav --chains 10 --seed 3

Writes ``00-original.wav``, one file per augmentation alone, and ``chain-N.wav`` files that
draw the whole training pipeline (:class:`speech.augment.Augmenter`) with seeds 0, 1, ...
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

from shared.cli import run_script, script_parser
from speech.audio import SAMPLE_RATE, load_audio
from speech.augment import Augmenter, channel, noise, room, voice

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "example-1.wav"


def single_effects(rng: np.random.Generator) -> dict[str, object]:
    """Each augmentation alone, at a clearly audible setting."""
    return {
        "speed-1.1": lambda x: voice.change_speed(x, 1.1),
        "tempo-0.85": lambda x: voice.change_tempo(x, 0.85),
        "rhythm-0.7-1.3": lambda x: voice.vary_rhythm(x, np.array([0.7, 1.3, 0.8, 1.2, 0.7])),
        "pitch-up-3": lambda x: voice.shift_pitch(x, 3),
        "pitch-down-3": lambda x: voice.shift_pitch(x, -3),
        "vocal-tract-0.85": lambda x: voice.warp_vocal_tract(x, 0.85),
        "vocal-tract-1.15": lambda x: voice.warp_vocal_tract(x, 1.15),
        "room-far": lambda x: room.reverberate(x, room.room_impulse_response(0.8, -3, rng)),
        "room-near": lambda x: room.reverberate(x, room.room_impulse_response(0.3, 10, rng)),
        "microphone": lambda x: room.colour_microphone(x, rng),
        "telephone-mu-law": channel.telephone,
        "band-300-3400": channel.band_limit,
        **{
            f"codec-{name}": (lambda n: lambda x: channel.encode_decode(x, n))(name)
            for name in channel.CODECS
        },
        "clipping-0.4": lambda x: channel.clip(x / (np.abs(x).max() + 1e-6), 0.4),
        "pink-noise-5db": lambda x: noise.mix_at_snr(x, noise.coloured_noise(len(x), 1.0, rng), 5),
        "babble-10db": lambda x: noise.mix_at_snr(
            x, noise.babble([np.roll(x, 4000), np.roll(x[::-1], 9000)], len(x), rng), 10
        ),
    }


def main(argv: list[str] | None = None) -> Path:
    parser = script_parser("speech.augment", __doc__)
    parser.add_argument("--demo", required=True, metavar="OUT", help="folder for the examples")
    parser.add_argument(
        "--input", default=str(EXAMPLE), help="an utterance (default: a shipped example)"
    )
    parser.add_argument(
        "--chains", type=int, default=6, help="whole-pipeline examples (default: 6)"
    )
    parser.add_argument("--seed", type=int, default=0, help="first seed (default: 0)")
    args = parser.parse_args(argv)
    out = Path(args.demo)
    out.mkdir(parents=True, exist_ok=True)
    speech = load_audio(args.input)
    sf.write(out / "00-original.wav", speech, SAMPLE_RATE)
    for name, effect in single_effects(np.random.default_rng(args.seed)).items():
        sf.write(out / f"{name}.wav", np.clip(effect(speech), -1, 1), SAMPLE_RATE)
    augmenter = Augmenter(
        other_utterances=lambda rng: np.roll(speech, int(rng.integers(len(speech))))
    )
    for k in range(args.chains):
        sample = augmenter(speech, np.random.default_rng(args.seed + k))
        sf.write(out / f"chain-{k}.wav", sample, SAMPLE_RATE)
    print(f"wrote {len(list(out.glob('*.wav')))} examples to {out}")
    return out


if __name__ == "__main__":
    run_script(main)
