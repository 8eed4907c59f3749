"""A speech model's card (``README.md``), written from what its folder records.

``training.json`` holds the corpus, the training runs and the held-out figures (greedy and
beam + LM per set); it may also hold text added by hand: ``data_source`` (how the corpus was
made), ``figures_note`` (what the decodings are) and ``measured_by`` (how the figures were
measured). :mod:`shared.cards` renders the
parts every app shares.

Example:
    python -m speech.card speech/pretrained/tts-en     # rewrite its README.md
"""

from __future__ import annotations

from pathlib import Path

from shared import cards
from shared.pretrained import load_config, resolve_model_dir
from speech.inference import LM_WEIGHT, LM_WORD_SCORE, PRETRAINED_DIR, recorded_decoding
from speech.model import FORMAT_VERSION, MODEL_TYPE, SpeechConfig

DECODINGS = ("greedy", "beam + LM")
HUMAN_SET = "human (alsa-utils)"  # benchmarks.speech_peers' name for the people's recordings
ENGINE_NAMES = {
    "espeak": "espeak-ng",
    "piper": "Piper's neural voice",
    "mbrola": "MBROLA's diphone voices",
    "pico": "SVOX Pico",
    "rhvoice": "RHVoice",
}
DECODING_NOTE = """`greedy`: the acoustic model alone (best label per frame). `beam + LM` (the default decoding):
CTC beam search of 32 over the words of `lm.txt.xz` (its 40,000 commonest at most), scored by their
word bigram model (Kneser-Ney, `speech/lm.py`); where no word of them fits letters the acoustic model
heard, the lexicon-free beam search's letters are written instead of nothing. `lm.txt.xz` holds
every training-split sentence of the corpus (no validation or test sentence)."""


def _code_blocks(commands: list[str]) -> str:
    """Each command in a fenced code block of its own, one under the other."""
    return "\n".join(f"```\n{c}\n```" for c in commands)


def _data(data: dict) -> str:
    if data.get("data_source"):
        return data["data_source"]
    # Older records name one command (the first corpus's).
    commands = data.get("corpus_commands") or [data.get("corpus_command")]
    made_by = _code_blocks([c for c in commands if c])
    made_by += "\n" if made_by else ""
    return (
        f"Corpus: {', '.join(f'`{s}`' for s in data.get('sources', []))}.\n{made_by}"
        "Sentences are split by a hash of their text; test sentences are never heard in training.\n"
        "`test-seen` speaks them in training's voices, `test-unseen` in accents and voice variants\n"
        "training never heard."
    )


def _names(voices: list[str]) -> str:
    shown = ", ".join(f"`{v}`" for v in voices[:6])
    return shown if len(voices) <= 6 else f"{len(voices)}: {shown}, ..."


def _voices(voices: dict | None) -> str:
    """Which voices of each engine training heard, and which it never heard (test-unseen)."""
    if not voices:
        return ""
    heard, held_out = voices.get("training", {}), voices.get("held out", {})
    rows = "\n".join(
        f"| {engine or '—'} | {_names(heard.get(engine, []))}"
        f" | {_names(held_out.get(engine, [])) or 'none: too few voices to hold one out'} |"
        for engine in sorted({*heard, *held_out})
    )
    return f"""
| engine | voices in training | voices held out (test-unseen) |
| --- | --- | --- |
{rows}
"""


def _corpora(run: dict) -> str:
    """The commands that made the corpora of this run, where its record keeps them."""
    commands = run.get("corpus_commands") or []
    if not commands:
        return ""
    return f"\n{'Its corpora' if len(commands) > 1 else 'Its corpus'}:\n{_code_blocks(commands)}"


def _frames(config: SpeechConfig) -> str:
    """How many output frames the head writes per RNN step, when more than one."""
    split = config.output_split
    if split == 1:
        return ""
    step = 10 * 2**config.conv_layers
    return f" writing {split} frames per step ({step // split} ms each)"


def _augmentation(run: dict) -> str:
    """The run's augmentations and how often each applied, from its ``augmentation`` record."""
    chances = dict(run.get("augmentation") or {})
    if not chances:
        return ""
    noise_dirs = chances.pop("recorded_noise", None) or []
    no_speech = chances.pop("no_speech_share", 0.0)
    tempo_range = chances.pop("tempo_range", None)  # recorded since it became a setting
    folders = ", ".join(
        f"`{d}`" for d in ([noise_dirs] if isinstance(noise_dirs, str) else noise_dirs)
    )
    listed = ", ".join(f"{k.replace('_', ' ')} {100 * v:g}%" for k, v in chances.items())
    if tempo_range:
        listed = listed.replace("tempo", "tempo ({:g}-{:g}x)".format(*tempo_range), 1)
    background = (
        f"recorded background sound from {folders} 70% of the time, else coloured noise"
        if folders
        else "coloured noise"
    )
    silent = (
        f" Besides, {100 * no_speech:.3g} examples of background sound or noise alone (no"
        " speech, through rooms and lines; transcript empty) per 100 utterances."
        if no_speech
        else ""
    )
    return (
        "\nEvery training utterance augmented afresh each epoch (`speech.augment`; the chance"
        f" of each): {listed}; the noise is {background}; then SpecAugment masks.{silent}"
    )


def _cell(figures: dict, decoding: str, metric: str) -> str:
    value = figures.get(decoding, {}).get(metric)
    return "—" if value is None else f"{value:.2f}"


def _peers(peers: dict | None) -> str:
    """The side-by-side table ``benchmarks.speech_peers --record`` keeps."""
    if not peers:
        return ""
    rows = "\n".join(
        f"| {audio} | {system} | {r['utterances']} | {r['cer']:.1f} | {r['wer']:.1f} | {r['rtf']:.3f} |"
        for audio, by_system in peers["sets"].items()
        for system, r in by_system.items()
    )
    return f"""
## Beside a peer on the same audio
{peers["note"]}

| audio | system | utterances | CER % | WER % | real-time factor |
| --- | --- | --- | --- | --- | --- |
{rows}
"""


def _weights(model_dir: Path) -> str:
    """How the LM decoding is weighted: ``decoding.json`` (``speech.tune_lm``) or the default."""
    tuned = recorded_decoding(model_dir)
    if tuned is None:
        return f"LM weight {LM_WEIGHT}, word bonus {LM_WORD_SCORE} (the defaults)."
    # Models tuned before the per-utterance criterion record only corpus figures.
    criterion = (
        f"CER + WER averaged over utterances ({tuned['utterance_error']:.2f}; corpus "
        if "utterance_error" in tuned
        else "corpus CER + WER ("
    )
    return (
        f"LM weight {tuned['lm_weight']}, word bonus {tuned['word_score']}: the lowest {criterion}"
        f"CER {tuned['cer']:.2f}%, WER {tuned['wer']:.2f}%) of a grid of {len(tuned['grid'])}"
        f" on {tuned['utterances']} validation utterances (`speech.tune_lm`)"
        + (
            ", each heard also through training's rooms, phones and noise (there CER"
            f" {tuned['augmented']['cer']:.2f}%, WER {tuned['augmented']['wer']:.2f}%)."
            if "augmented" in tuned
            else "."
        )
    )


def _added_lm_text(info: dict) -> str:
    """The sentences ``speech.tune_lm --lm-text`` added to the LM text after training."""
    added = info.get("lm_text_added", [])
    return "".join(
        f"\nAfter training, {record['sentences']} more sentences (none that validation or test"
        f" speech says):\n```\n{record['command']}\n```"
        for record in added
    )


def _feature_detail(config: SpeechConfig) -> str:
    """How the features were normalised and smoothed, where not the plain default."""
    detail = "; each band's mean taken away" if config.feature_norm == "band" else ""
    if config.envelope:
        detail += f"; the spectral envelope of {config.envelope} cepstral coefficients"
    return detail


def render_card(model_dir: str | Path) -> str:
    """The card of the speech model in ``model_dir``, as markdown."""
    model_dir = Path(model_dir)
    config = load_config(
        model_dir, SpeechConfig, model_type=MODEL_TYPE, format_version=FORMAT_VERSION
    )
    info = cards.read_info(model_dir)
    data = info.get("data", {})
    direction = "bidirectional " if config.bidirectional else ""
    cell = config.cell.upper()
    header = " | ".join(f"{d} WER % | {d} CER %" for d in DECODINGS)
    rows = "\n".join(
        f"| {f['set']} | {f['utterances']} | "
        + " | ".join(f"{_cell(f, d, 'wer')} | {_cell(f, d, 'cer')}" for d in DECODINGS)
        + " |"
        for f in info.get("figures", [])
    )
    note = (
        info.get("figures_note", DECODING_NOTE) + _added_lm_text(info) + "\n" + _weights(model_dir)
    )
    measured = f"\n{info['measured_by']}\n" if info.get("measured_by") else ""
    peers = _peers(info.get("peers"))
    measure = f"python -m speech.evaluate --model {cards.model_argument(model_dir, PRETRAINED_DIR)}"
    if data.get("sources"):
        measure += f" --data {' '.join(map(str, data['sources']))}"  # scored together
    recipe = cards.render_recipe(
        info.get("history", []),
        lambda run: cards.describe_run(run, "CER") + _augmentation(run) + _corpora(run),
    )
    return f"""# Speech recognition model: {config.conv_layers} convolutions + {config.num_layers} {direction}{cell} layers + CTC

Log-mel features ({config.n_mels} bands, 10 ms{_feature_detail(config)}), {config.conv_layers} stride-2 3x3 convolutions
({config.conv_channels} channels; {10 * 2**config.conv_layers} ms per RNN step), {config.num_layers} {direction}{cell}
layers of {config.hidden_size} per direction, a linear CTC head over {config.vocab_size} symbols
(blank, space, apostrophe, a-z){_frames(config)}.

## Data
{_data(data)}
{_voices(data.get("voices"))}
## Recipe
{recipe}

## Held-out figures (jiwer)
{note}

| set | utterances | {header} |
| --- | --- | --- | --- | --- | --- |
{rows}
{measured}{peers}
## Size
{cards.weights_summary(model_dir)}

Measure it again: `{measure}`.
"""


def honest_summary(name_or_dir: str | Path) -> str:
    """One paragraph for the web app: what the model learned from and how well it hears
    synthetic voices it never heard and people, from what its folder records."""
    info = cards.read_info(resolve_model_dir(name_or_dir, PRETRAINED_DIR))
    voices = info.get("data", {}).get("voices", {}).get("training", {})
    details = [", ".join(ENGINE_NAMES.get(e, e) for e in voices)] if voices else []
    if any(run.get("augmentation") for run in info.get("history", [])):
        details.append("augmented to sound like rooms, phones and noise")
    said = f" ({'; '.join(details)})" if details else ""
    parts = [f"**Honestly:** this model learned from synthetic speech only{said}."]
    unseen = [f for f in info.get("figures", []) if f["set"].split(" ")[0] == "test-unseen"]
    if unseen and "beam + LM" in unseen[0]:
        parts.append(
            f"On sentences and voices it never heard its CER is {unseen[0]['beam + LM']['cer']:.0f}%."
        )
    human = (info.get("peers") or {}).get("sets", {}).get(HUMAN_SET, {})
    ours = [r for system, r in human.items() if "PocketSphinx" not in system]
    peer = [r for system, r in human.items() if "PocketSphinx" in system]
    if ours:
        versus = f" (PocketSphinx: {peer[0]['cer']:.0f}%)" if peer else ""
        parts.append(
            f"People are harder: CER {ours[0]['cer']:.0f}% on the {ours[0]['utterances']} human"
            f" recordings of alsa-utils{versus}; see the model card."
        )
    return " ".join(parts)


def write_card(model_dir: str | Path) -> Path:
    """Write ``README.md`` into ``model_dir`` from what the folder records."""
    return cards.write_card(model_dir, render_card)


def main(argv: list[str] | None = None) -> Path:
    return cards.card_main("speech.card", __doc__, write_card, argv)


if __name__ == "__main__":
    main()
