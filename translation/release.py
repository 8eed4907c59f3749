"""What ends a translation training run: choosing the model to ship, and recording it.

Also what ``--init`` needs before a run starts: the recorded facts of the model it
continues, and a check that its held-out catalogs stay held out.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import torch

from shared.cards import read_info, write_info
from shared.pretrained import load_weights, save_pretrained
from shared.training import FitResult
from translation.card import EXAMPLES, write_card
from translation.data import KINDS, Pair, of_kind
from translation.evaluate import figures
from translation.inference import Translator
from translation.model import FORMAT_VERSION, MODEL_TYPE, Seq2Seq
from translation.split import Splits, recorded_held_out
from translation.tokenizer import SubwordTokenizer
from translation.tune import describe_sweep, sweep_length_penalty


def choose_final_model(
    model: Seq2Seq,
    tokenizers: tuple[SubwordTokenizer, SubwordTokenizer],
    result: FitResult,
    export: Path,
    out: Path,
    valid: list[Pair],
    *,
    beam_size: int,
    fp16_weights: bool,
    device: torch.device,
) -> tuple[Translator, dict[float, float], dict[int | None, float]]:
    """The exported model (best on the greedy validation sample during training) or the
    last one, whichever scores higher on the whole validation split at its best length
    penalty: the sample is small, and the last weights often have the lower loss.

    The last weights are compared as they would be shipped (saved and loaded again, so
    rounded to float16 where the export is); if they win, they replace the export.

    Returns:
        the chosen :class:`Translator`, its length-penalty sweep, and each compared step's
        best validation BLEU.
    """
    config = model.config

    def sweep_of(folder: Path):
        translator = Translator(load_weights(Seq2Seq(config), folder), *tokenizers, device=device)
        return translator, sweep_length_penalty(translator, valid, beam_size)

    chosen, sweep = sweep_of(export)
    compared = {result.best_step: max(sweep.values())}
    if result.best_step is None or result.best_step == result.step:
        return chosen, sweep, compared
    last = out / "last-model"
    save_pretrained(
        model,
        last,
        config,
        model_type=MODEL_TYPE,
        format_version=FORMAT_VERSION,
        dtype=torch.float16 if fp16_weights else None,
    )
    last_translator, last_sweep = sweep_of(last)
    compared[result.step] = max(last_sweep.values())
    print(
        f"validation BLEU (all {len(valid)} pairs, beam {beam_size}, best length"
        f" penalty): step {result.best_step} {compared[result.best_step]:.2f},"
        f" last step {result.step} {compared[result.step]:.2f}"
    )
    if compared[result.step] > compared[result.best_step]:
        shutil.copy(last / "model.safetensors", export / "model.safetensors")
        return last_translator, last_sweep, compared
    return chosen, sweep, compared


def training_info(model_dir: str) -> dict:
    """A model folder's ``training.json``: its split and the runs behind it.

    Raises:
        SystemExit: there is none, so the split the model held out is unknown.
    """
    if not (Path(model_dir) / "training.json").is_file():
        raise SystemExit(f"{model_dir} has no training.json, so its split cannot be checked")
    return read_info(model_dir)


def check_same_split(init: str, info: dict, options: dict) -> None:
    """Refuse to continue a model on a different split: its old held-out catalogs could now
    be training data, and its new ones could be what it learned from. (The split is made with
    the held-out catalogs ``info`` records, so those still in the data stay held out.)

    Raises:
        SystemExit: split options (shares, seed) other than the model's, or a model that
            records no held-out catalogs.
    """
    recorded = info.get("split", {})
    for name in ("valid_share", "test_share", "split_seed"):
        if name in recorded and recorded[name] != options[name]:
            raise SystemExit(
                f"{init} held out its catalogs with {name} {recorded[name]}, not"
                f" {options[name]}: give the same --data and split flags as its recipe"
            )
    if recorded_held_out(info) is None:
        raise SystemExit(
            f"{init} does not record the catalogs it held out: continuing it could train on"
            " its test set"
        )


def init_history(init: str, info: dict) -> list[dict]:
    """The training runs behind the model ``--init`` starts from, oldest first; a card
    written before ``training.json`` kept them gives its recipe command alone."""
    if "history" in info:
        return info["history"]
    card = (Path(init) / "README.md").read_text(encoding="utf-8")
    recipe = card.split("## Recipe", 1)[-1].split("```")
    return [{"command": recipe[1].strip() if len(recipe) > 2 else f"unknown (model {init})"}]


SAMPLE_PER_KIND = 300


def write_test_sample(export: Path, test: list[Pair]) -> list[Pair]:
    """Write ``test_sample.tsv``: up to 300 test pairs of each kind of text (software
    messages, then description sentences), drawn with a fixed seed, so the shipped-model
    tests keep a floor on each kind; the origin column tells them apart."""
    rng = random.Random(1)
    sample = []
    for kind in KINDS:
        mine = of_kind(test, kind)
        sample += rng.sample(mine, min(SAMPLE_PER_KIND, len(mine)))
    with open(export / "test_sample.tsv", "w", encoding="utf-8") as f:
        for p in sample:
            f.write(f"{p.source}\t{p.target}\t{p.origin}\n")
    return sample


def record_run(
    export: Path,
    split_options: dict,
    splits: Splits,
    result: FitResult,
    test: dict | None,
    valid: dict,
    history: list[dict],
    sweep: dict[float, float],
    data_source: str | None,
    beam_size: int,
    measured: tuple[list[Pair], int],
) -> None:
    """Record the run in ``training.json`` (split, history, length-penalty sweep, held-out
    figures, a few test examples), write ``test_sample.tsv`` and the card from them.
    ``measured``: the test pairs ``test`` translated (all, or a sample when the time budget
    was short) and how many validation pairs the sweep translated."""
    write_test_sample(export, splits.test)
    info = {
        "split": split_options,
        "valid_catalogs": splits.origins("valid"),
        "test_catalogs": splits.origins("test"),
        "pairs": {"train": len(splits.train), "valid": len(splits.valid), "test": len(splits.test)},
        "pairs_by_kind": {
            kind: {
                split: len(of_kind(getattr(splits, split), kind))
                for split in ("train", "valid", "test")
            }
            for kind in KINDS
        },
        "best_step": history[-1]["best_step"],
        "steps": result.step,
        "history": history,
        "length_penalty": describe_sweep(sweep, beam_size, measured[1]),
        "test": figures(test, beam_size),
        "valid": figures(valid, beam_size),
        "examples": [
            {"source": p.source, "model": h, "reference": p.target}
            for p, h in list(zip(measured[0], test["hypotheses"], strict=True))[:EXAMPLES]
        ]
        if test
        else [],
    }
    if data_source:
        info["data_source"] = data_source
    write_info(export, info)
    write_card(export)
