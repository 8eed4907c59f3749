"""The offline speech synthesizers a corpus can mix, each behind one small class.

Every engine lists its voices, says which it keeps out of training (for the unseen-voice
test), draws a speaking rate and pitch for an utterance, and speaks a line as float32 samples.

* ``espeak``: espeak-ng (Debian ``espeak-ng``): accents x voice variants, formant synthesis.
* ``flite``: CMU Flite (Debian ``flite``): its built-in voices kal, kal16, awb, rms, slt.
* ``festival``: Festival (Debian ``festival``) with the festvox voices installed
  (``festvox-kallpc16k``, ``festvox-kdlpc16k``, ``festvox-us-slt-hts``...): diphone and HTS.
"""

from __future__ import annotations

import io
import random
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf
import torch
import torchaudio.functional as AF

from speech.audio import SAMPLE_RATE


class Engine:
    """A synthesizer: ``name``, the program it runs, and how to get it."""

    name = ""
    program = ""
    install = ""

    def available(self) -> bool:
        return shutil.which(self.program) is not None

    def require(self) -> str:
        """The program's path, or a ``RuntimeError`` that says how to install it."""
        path = shutil.which(self.program)
        if path is None:
            raise RuntimeError(
                f"{self.program} is not installed: `sudo apt-get install {self.install}`"
            )
        return path

    def voices(self) -> list[str]:
        raise NotImplementedError

    def unseen(self, voice: str) -> bool:
        """Whether ``voice`` is kept out of training (heard only in ``test-unseen``)."""
        raise NotImplementedError

    def prosody(self, rng: random.Random) -> tuple[int, int]:
        """A speaking rate and a pitch for one utterance, in this engine's own units."""
        return rng.randint(80, 125), rng.randint(80, 125)  # percent of the voice's own

    def speak(self, text: str, voice: str, speed: int, pitch: int) -> np.ndarray:
        """float32 samples at :data:`SAMPLE_RATE`."""
        raise NotImplementedError


def _to_rate(wav: bytes) -> np.ndarray:
    samples, rate = sf.read(io.BytesIO(wav), dtype="float32")
    if samples.ndim == 2:
        samples = samples.mean(axis=1)
    return AF.resample(torch.from_numpy(np.ascontiguousarray(samples)), rate, SAMPLE_RATE).numpy()


class Espeak(Engine):
    name, program, install = "espeak", "espeak-ng", "espeak-ng"
    ACCENTS = (
        "en-us",
        "en-gb",
        "en-gb-scotland",
        "en-gb-x-rp",
        "en-gb-x-gbclan",
        "en-029",
        "en-us-nyc",
        "en-gb-x-gbcwmd",
    )
    UNSEEN_ACCENTS = ("en-gb-x-gbcwmd",)
    # Voice variants (espeak-ng-data/voices/!v) kept out of training.
    UNSEEN_VARIANTS = (
        "f4",
        "m6",
        "Annie",
        "klatt4",
        "edward2",
        "robosoft3",
        "steph2",
        "iven3",
        "grandma",
        "travis",
        "Gene2",
        "norbert",
    )
    # Unvoiced speech carries too little of the signal the features see to be a fair test.
    SKIPPED_VARIANTS = ("whisper", "whisperf")

    def variants(self) -> list[str]:
        """The voice variants espeak-ng has on this machine (``m1``, ``f3``, ``klatt``...)."""
        out = subprocess.run([self.require(), "--version"], capture_output=True, text=True).stdout
        match = re.search(r"Data at:\s*(\S+)", out)
        folder = Path(match.group(1)) / "voices" / "!v" if match else None
        if folder is None or not folder.is_dir():
            raise RuntimeError(f"cannot find espeak-ng's voice variants (it printed {out!r})")
        names = sorted(p.name for p in folder.iterdir() if p.is_file())
        return [n for n in names if " " not in n and n not in self.SKIPPED_VARIANTS]

    def voices(self) -> list[str]:
        return [f"{a}+{v}" for a in self.ACCENTS for v in self.variants()]

    def unseen(self, voice: str) -> bool:
        accent, _, variant = voice.partition("+")
        return accent in self.UNSEEN_ACCENTS or variant in self.UNSEEN_VARIANTS

    def prosody(self, rng: random.Random) -> tuple[int, int]:
        return rng.randint(120, 220), rng.randint(20, 80)  # words a minute, 0-99

    def speak(self, text: str, voice: str, speed: int, pitch: int) -> np.ndarray:
        command = [self.require(), "-v", voice, "-s", str(speed), "-p", str(pitch), "--stdout"]
        return _to_rate(subprocess.run([*command, text], capture_output=True, check=True).stdout)


class Flite(Engine):
    name, program, install = "flite", "flite", "flite"
    VOICES = ("kal", "kal16", "awb", "rms", "slt")  # awb_time speaks only times of day
    UNSEEN = ("rms",)
    MEAN_F0 = {"slt": 170}  # Hz; the male voices sit near 105

    def voices(self) -> list[str]:
        listed = subprocess.run([self.require(), "-lv"], capture_output=True, text=True).stdout
        return [v for v in self.VOICES if v in listed.split()]

    def unseen(self, voice: str) -> bool:
        return voice in self.UNSEEN

    def speak(self, text: str, voice: str, speed: int, pitch: int) -> np.ndarray:
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "speech.wav"
            subprocess.run(
                [self.require(), "-voice", voice, "-t", text, "-o", str(out)]
                + ["--setf", f"duration_stretch={100 / speed:.3f}"]
                + ["--setf", f"int_f0_target_mean={self.MEAN_F0.get(voice, 105) * pitch // 100}"],
                capture_output=True,
                check=True,
            )
            return _to_rate(out.read_bytes())


class Festival(Engine):
    name, program, install = "festival", "text2wave", "festival festvox-kallpc16k"
    VOICE_ROOT = Path("/usr/share/festival/voices")
    UNSEEN = ("ked_diphone",)

    def voices(self) -> list[str]:
        self.require()
        return sorted(p.name for p in self.VOICE_ROOT.glob("*/*") if p.is_dir())

    def unseen(self, voice: str) -> bool:
        return voice in self.UNSEEN

    def speak(self, text: str, voice: str, speed: int, pitch: int) -> np.ndarray:
        # Festival reads text from stdin; its voice and duration are Scheme expressions.
        setup = f"(begin (voice_{voice}) (Parameter.set 'Duration_Stretch {100 / speed:.3f}))"
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "speech.wav"
            subprocess.run(
                [self.require(), "-o", str(out), "-eval", setup],
                input=text.encode(),
                capture_output=True,
                check=True,
            )
            return _to_rate(out.read_bytes())


ENGINES: dict[str, Engine] = {e.name: e for e in (Espeak(), Flite(), Festival())}
