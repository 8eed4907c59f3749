"""Choose a translation model's beam-search length penalty on its validation catalogs.

Beam search ranks finished hypotheses by log-probability / ((5 + length) / 6) ** alpha
(GNMT). At a small alpha the outputs run short and BLEU's brevity penalty bites; at a large
one they run long. The alpha with the best BLEU on the model's validation split becomes its
default (``length_penalty`` in ``generation.json``); the test split plays no part.
``translation.train`` does this at the end of every run.

Examples:
    python -m translation.tune --model runs/en-fr/model            # BLEU at each alpha
    python -m translation.tune --model runs/en-fr/model --write    # and keep the best
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from tqdm import tqdm

from shared.cards import read_info, write_info
from shared.cli import script_parser
from shared.pretrained import resolve_model_dir, save_generation_config
from translation.card import write_card
from translation.data import Pair
from translation.evaluate import recorded_splits, score
from translation.inference import PRETRAINED_DIR, Translator
from translation.model import GenerationConfig

LENGTH_PENALTIES = (0.0, 0.6, 0.8, 1.0, 1.2, 1.5, 2.0, 2.5)


def sweep_length_penalty(
    translator: Translator,
    pairs: list[Pair],
    beam_size: int = 5,
    alphas: tuple[float, ...] = LENGTH_PENALTIES,
) -> dict[float, float]:
    """Corpus BLEU of ``pairs`` translated at each length penalty alpha."""
    return {
        alpha: score(translator, pairs, beam_size, alpha)["bleu"]
        for alpha in tqdm(alphas, desc="length penalty", unit="alpha", leave=False)
    }


def best_length_penalty(table: dict[float, float]) -> float:
    """The alpha with the highest BLEU (the smallest such alpha on a tie)."""
    return max(sorted(table), key=lambda alpha: table[alpha])


def record(
    model_dir: Path,
    generation: GenerationConfig,
    table: dict[float, float],
    beam_size: int,
    pairs: int,
) -> float:
    """Make the best alpha of ``table`` the default of the model in ``model_dir`` (whose
    search settings are ``generation``: its ``generation.json``) and note the sweep in its
    ``training.json`` and card; returns that alpha."""
    alpha = best_length_penalty(table)
    save_generation_config(model_dir, dataclasses.replace(generation, length_penalty=alpha))
    info = read_info(model_dir)
    info["length_penalty"] = describe_sweep(table, beam_size, pairs)
    write_info(model_dir, info)
    if "pairs" in info:  # a folder the training script wrote: its card shows the sweep
        write_card(model_dir)
    return alpha


def describe_sweep(table: dict[float, float], beam_size: int, pairs: int) -> dict:
    """The sweep as ``training.json`` keeps it."""
    return {
        "chosen": best_length_penalty(table),
        "beam_size": beam_size,
        "validation_pairs": pairs,
        "validation_bleu": {f"{alpha:g}": round(b, 2) for alpha, b in table.items()},
    }


def main(argv: list[str] | None = None) -> float:
    parser = script_parser("translation.tune", __doc__)
    parser.add_argument("--model", required=True, help="model name or folder")
    parser.add_argument("--beam-size", type=int, default=5)
    parser.add_argument(
        "--write",
        action="store_true",
        help="make the best alpha the model's default (config.json) and record the sweep",
    )
    args = parser.parse_args(argv)
    model_dir = resolve_model_dir(args.model, PRETRAINED_DIR)
    translator = Translator.from_pretrained(model_dir)
    src, tgt = translator.config.src_lang, translator.config.tgt_lang
    pairs = recorded_splits(model_dir, src, tgt).valid
    if not pairs:
        raise SystemExit(f"{model_dir}'s validation split is empty here: its data is missing")
    table = sweep_length_penalty(translator, pairs, args.beam_size)
    best = best_length_penalty(table)
    print(f"{translator.name}: validation BLEU ({len(pairs)} pairs, beam {args.beam_size})")
    for alpha, value in table.items():
        mark = "  <- best" if alpha == best else ""
        print(f"  alpha {alpha:<4g} {value:6.2f}{mark}")
    if args.write:
        record(model_dir, translator.generation, table, args.beam_size, len(pairs))
        print(
            f"{model_dir}: length penalty {best:g} (was {translator.generation.length_penalty:g})"
        )
    return best


if __name__ == "__main__":
    main()
