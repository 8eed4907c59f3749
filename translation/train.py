"""Train a translation model: bidirectional RNN encoder + attention decoder.

By default it learns from the human translations in this machine's gettext catalogs
(``/usr/share/locale/<tgt>/LC_MESSAGES``), holding out whole catalogs for validation and
test; ``--data`` takes other catalogs, tab-separated pair files (Tatoeba's ``eng-fra.txt``)
or line-aligned files (``train.en,train.fr``).

Examples:
    python -m translation.train --src en --tgt fr --max-steps 2            # smoke run
    python -m translation.train --src en --tgt fr --out runs/en-fr --export translation/pretrained/en-fr
    torchrun --nproc_per_node 4 -m translation.train --tgt zh --batch-size 128

The run folder holds checkpoints (run the same command again to resume) and
``metrics.jsonl``; the best model by validation BLEU is exported as a model folder with
its model card.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

import sentencepiece as spm
import torch
from torch import nn
from torch.utils.data import Dataset

from shared.batching import bucketed_batches
from shared.cards import read_info, write_info
from shared.cli import (
    add_dataclass_args,
    add_run_args,
    command_line,
    dataclass_from_args,
    script_parser,
)
from shared.distributed import hardware_description, is_main_process
from shared.pretrained import load_weights, save_config, save_pretrained
from shared.training import TrainConfig, fit
from translation.card import EXAMPLES, write_card
from translation.data import Pair, Splits, corpus_stats, load_pairs, split_by_origin
from translation.evaluate import figures, score
from translation.inference import SOURCE_TOKENIZER, TARGET_TOKENIZER, Translator
from translation.model import FORMAT_VERSION, MODEL_TYPE, Seq2Seq, TranslationConfig
from translation.text import mask_source, mask_target
from translation.tokenizer import BOS_ID, EOS_ID, SubwordTokenizer
from translation.tune import best_length_penalty, describe_sweep, sweep_length_penalty

TRAIN_DEFAULTS = dict(
    max_steps=20000,
    batch_size=64,
    lr=2e-3,
    warmup_steps=500,
    eval_every=1000,
    checkpoint_every=500,
    log_every=50,
)


def build_parser() -> argparse.ArgumentParser:
    parser = script_parser("translation.train", __doc__)
    data = parser.add_argument_group("data")
    data.add_argument("--src", default="en", help="source language (default: en)")
    data.add_argument(
        "--tgt",
        default="fr",
        help="target language or locale folder: fr, zh, zh_TW... (default: fr)",
    )
    data.add_argument(
        "--data",
        nargs="*",
        help="catalogs or folders, .tsv pair files, or SRC_FILE,TGT_FILE (default: this machine's catalogs)",
    )
    data.add_argument(
        "--valid-share",
        type=float,
        default=0.03,
        help="share of pairs held out for validation (default: 0.03)",
    )
    data.add_argument(
        "--test-share",
        type=float,
        default=0.05,
        help="share of pairs held out for test (default: 0.05)",
    )
    data.add_argument(
        "--split-seed", type=int, default=0, help="which catalogs are held out (default: 0)"
    )
    data.add_argument(
        "--vocab-size", type=int, default=4000, help="subwords per side (default: 4000)"
    )
    data.add_argument(
        "--subword-alpha",
        type=float,
        default=0.0,
        help="subword regularisation: each time a training sentence is read, draw its"
        " segmentation from the sentencepiece model with this smoothing (0.1 is usual;"
        " 0: always the best segmentation) (default: 0)",
    )
    data.add_argument(
        "--max-tokens",
        type=int,
        default=80,
        help="drop training pairs longer than this in subwords (default: 80)",
    )
    run = add_run_args(parser, None, "runs/<src>-<tgt>")
    run.add_argument(
        "--init",
        help="continue training this model folder: its weights and its subword tokenizers"
        " (the model flags must match its config.json)",
    )
    run.add_argument(
        "--eval-sentences",
        type=int,
        default=400,
        help="validation sentences translated for BLEU at each evaluation (default: 400)",
    )
    run.add_argument(
        "--beam-size", type=int, default=5, help="beam for the final test evaluation (default: 5)"
    )
    run.add_argument(
        "--fp16-weights",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="store weights in float16 (half the size; default: on)",
    )
    add_dataclass_args(
        parser,
        TranslationConfig,
        title="model",
        skip=("src_lang", "tgt_lang", "src_vocab_size", "tgt_vocab_size", "length_penalty"),
    )
    add_dataclass_args(parser, TrainConfig, title="training", defaults=TRAIN_DEFAULTS)
    return parser


def masked_texts(pairs: list[Pair]) -> list[tuple[str, str]]:
    """Each pair's source and target with placeholders masked alike on both sides."""
    out = []
    for pair in pairs:
        masked, found = mask_source(pair.source)
        out.append((masked, mask_target(pair.target, found)))
    return out


def encode_pairs(
    pairs: list[Pair], src_tok: SubwordTokenizer, tgt_tok: SubwordTokenizer
) -> list[tuple[list[int], list[int]]]:
    return [(src_tok.encode(s), tgt_tok.encode(t)) for s, t in masked_texts(pairs)]


class TrainingPairs(Dataset):
    """Training pairs as (source ids, target ids).

    With ``sample_alpha`` > 0 a pair is segmented afresh each time it is read, so every
    epoch sees other subword splits of the same sentences (subword regularisation); the
    best segmentation decides which pairs are kept and orders the batches (``best``).

    Args:
        texts: masked (source, target) strings.
        src_tok, tgt_tok: the two sides' tokenizers.
        sample_alpha: sentencepiece sampling smoothing; 0 keeps the best segmentation.
        max_tokens: keep only pairs of 1 to ``max_tokens`` subwords on each side.
    """

    def __init__(
        self,
        texts: list[tuple[str, str]],
        src_tok: SubwordTokenizer,
        tgt_tok: SubwordTokenizer,
        sample_alpha: float = 0.0,
        max_tokens: int | None = None,
    ) -> None:
        self.texts, self.best = [], []
        for source, target in texts:
            ids = src_tok.encode(source), tgt_tok.encode(target)
            if max_tokens is None or (0 < len(ids[0]) <= max_tokens and len(ids[1]) <= max_tokens):
                self.texts.append((source, target))
                self.best.append(ids)
        self.src_tok, self.tgt_tok = src_tok, tgt_tok
        self.sample_alpha = sample_alpha

    def __len__(self) -> int:
        return len(self.texts)

    def __getitem__(self, i: int) -> tuple[list[int], list[int]]:
        if not self.sample_alpha:
            return self.best[i]
        source, target = self.texts[i]
        return (
            self.src_tok.encode(source, self.sample_alpha),
            self.tgt_tok.encode(target, self.sample_alpha),
        )


def collate(examples: list[tuple[list[int], list[int]]]) -> dict[str, torch.Tensor]:
    """Pad a batch: source ids, decoder input (<bos> + target), output (target + <eos>)."""
    batch = len(examples)
    src_len = max(len(s) for s, _ in examples)
    tgt_len = max(len(t) for _, t in examples) + 1
    src = torch.zeros(batch, src_len, dtype=torch.long)
    tgt_in = torch.zeros(batch, tgt_len, dtype=torch.long)
    tgt_out = torch.zeros(batch, tgt_len, dtype=torch.long)
    for i, (s, t) in enumerate(examples):
        src[i, : len(s)] = torch.tensor(s)
        tgt_in[i, : len(t) + 1] = torch.tensor([BOS_ID, *t])
        tgt_out[i, : len(t) + 1] = torch.tensor([*t, EOS_ID])
    return {
        "src": src,
        "src_lengths": torch.tensor([len(s) for s, _ in examples]),
        "tgt_in": tgt_in,
        "tgt_out": tgt_out,
    }


def make_loss_fn(label_smoothing: float = 0.1):
    def loss_fn(model: nn.Module, batch: dict[str, torch.Tensor]):
        logits, _ = model(batch["src"], batch["src_lengths"], batch["tgt_in"])
        loss = nn.functional.cross_entropy(
            logits.reshape(-1, logits.size(-1)).float(),
            batch["tgt_out"].reshape(-1),
            ignore_index=0,
            label_smoothing=label_smoothing,
        )
        return loss, {}

    return loss_fn


def main(argv: list[str] | None = None) -> Path:
    args = build_parser().parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    out = Path(args.out or f"runs/{args.src}-{args.tgt}")
    export = Path(args.export) if args.export else out / "model"

    pairs = load_pairs(args.src, args.tgt, args.data)
    splits = split_by_origin(pairs, args.valid_share, args.test_share, args.split_seed)
    if is_main_process():
        print(corpus_stats(splits), flush=True)
    if not splits.train or not splits.valid:
        raise SystemExit("not enough data for training and validation splits; give more --data")

    history, data_source = [], None
    if args.init:
        init_info = training_info(args.init)
        check_same_split(args.init, init_info, splits)
        history = init_history(args.init, init_info)
        data_source = init_info.get("data_source")
    tokenizer_dir = out / "tokenizer"
    if is_main_process() and args.init and not (tokenizer_dir / TARGET_TOKENIZER).is_file():
        # The weights index the init model's subwords, so its tokenizers come along.
        tokenizer_dir.mkdir(parents=True, exist_ok=True)
        for name in (SOURCE_TOKENIZER, TARGET_TOKENIZER):
            shutil.copy(Path(args.init) / name, tokenizer_dir / name)
    elif is_main_process() and not (tokenizer_dir / TARGET_TOKENIZER).is_file():
        coverage = 0.9995 if args.tgt.startswith(("zh", "ja", "ko")) else 1.0
        SubwordTokenizer.train(
            (mask_source(p.source)[0] for p in splits.train),
            tokenizer_dir / SOURCE_TOKENIZER,
            args.vocab_size,
        )
        SubwordTokenizer.train(
            (mask_target(p.target, mask_source(p.source)[1]) for p in splits.train),
            tokenizer_dir / TARGET_TOKENIZER,
            args.vocab_size,
            coverage,
        )
    if torch.distributed.is_initialized():
        torch.distributed.barrier()
    src_tok = SubwordTokenizer(tokenizer_dir / SOURCE_TOKENIZER)
    tgt_tok = SubwordTokenizer(tokenizer_dir / TARGET_TOKENIZER)

    if args.subword_alpha:
        spm.set_random_generator_seed(args.seed)
    train = TrainingPairs(
        masked_texts(splits.train), src_tok, tgt_tok, args.subword_alpha, args.max_tokens
    )
    lengths = [len(s) + len(t) for s, t in train.best]
    config = dataclass_from_args(TranslationConfig, args)
    config.src_lang, config.tgt_lang = args.src, args.tgt
    config.src_vocab_size, config.tgt_vocab_size = len(src_tok), len(tgt_tok)
    train_config = dataclass_from_args(TrainConfig, args)
    torch.manual_seed(train_config.seed)
    model = Seq2Seq(config)
    if args.init:
        load_weights(model, args.init)
    n_params = sum(p.numel() for p in model.parameters())
    if is_main_process():
        print(f"model: {n_params / 1e6:.2f} M parameters; {len(train)} training pairs", flush=True)

    rng = random.Random(0)
    valid_sample = rng.sample(splits.valid, min(args.eval_sentences, len(splits.valid)))
    valid_batch = collate(encode_pairs(valid_sample, src_tok, tgt_tok))
    loss_fn = make_loss_fn(0.0)

    def evaluate(m: nn.Module) -> dict[str, float]:
        loss, _ = loss_fn(m, {k: v.to(next(m.parameters()).device) for k, v in valid_batch.items()})
        translator = Translator(m, src_tok, tgt_tok, device=next(m.parameters()).device)
        result = score(translator, valid_sample, beam_size=1)
        return {"loss": float(loss), "bleu": result["bleu"], "chrf": result["chrf"]}

    def export_model(m: nn.Module, metrics: dict[str, float]) -> None:
        save_pretrained(
            m,
            export,
            config,
            model_type=MODEL_TYPE,
            format_version=FORMAT_VERSION,
            dtype=torch.float16 if args.fp16_weights else None,
        )
        for name in (SOURCE_TOKENIZER, TARGET_TOKENIZER):
            shutil.copy(tokenizer_dir / name, export / name)

    result = fit(
        model,
        train,
        config=train_config,
        out_dir=out,
        loss_fn=make_loss_fn(0.1),
        collate_fn=collate,
        evaluate=evaluate,
        select="bleu",
        mode="max",
        on_best=export_model,
        batch_plan=lambda epoch, g: bucketed_batches(lengths, train_config.batch_size, g),
    )
    if not is_main_process():
        return export

    # The search's length penalty is chosen on the whole validation split, then the final
    # figures: the chosen model, on the held-out test catalogs, with beam search.
    device = next(model.parameters()).device
    best, sweep, compared = choose_final_model(
        model, (src_tok, tgt_tok), result, export, out, args, splits, device
    )
    config.length_penalty = best_length_penalty(sweep)
    save_config(export, config, model_type=MODEL_TYPE, format_version=FORMAT_VERSION)
    test = score(best, splits.test, args.beam_size) if splits.test else None
    valid = score(best, valid_sample, args.beam_size)
    history.append(
        {
            "command": command_line("translation.train", argv),
            "steps": result.step,
            "best_step": max(compared, key=lambda step: compared[step]),
            "minutes": round(result.seconds / 60, 1),
            "hardware": hardware_description(),
        }
        | (
            {"compared": {f"{k}": round(v, 2) for k, v in compared.items()}}
            if len(compared) > 1
            else {}
        )
    )
    record_run(export, args, splits, result, test, valid, history, sweep, data_source)
    print(f"exported {export}")
    return export


def choose_final_model(model, tokenizers, result, export, out, args, splits, device):
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
        return translator, sweep_length_penalty(translator, splits.valid, args.beam_size)

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
        dtype=torch.float16 if args.fp16_weights else None,
    )
    last_translator, last_sweep = sweep_of(last)
    compared[result.step] = max(last_sweep.values())
    print(
        f"validation BLEU (all {len(splits.valid)} pairs, beam {args.beam_size}, best length"
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


def check_same_split(init: str, info: dict, splits: Splits) -> None:
    """Refuse to continue a model on a different split: its old held-out catalogs could now
    be training data, and its new ones could be what it learned from.

    Raises:
        SystemExit: the catalogs held out now differ from those in ``info``.
    """
    for split in ("valid", "test"):
        before, now = info.get(f"{split}_catalogs"), splits.origins(split)
        if before != now:
            raise SystemExit(
                f"{init} held out {split} catalogs {before}, this data holds out {now}:"
                " give the same --data and split flags as its recipe"
            )


def init_history(init: str, info: dict) -> list[dict]:
    """The training runs behind the model ``--init`` starts from, oldest first; a card
    written before ``training.json`` kept them gives its recipe command alone."""
    if "history" in info:
        return info["history"]
    card = (Path(init) / "README.md").read_text(encoding="utf-8")
    recipe = card.split("## Recipe", 1)[-1].split("```")
    return [{"command": recipe[1].strip() if len(recipe) > 2 else f"unknown (model {init})"}]


def record_run(
    export, args, splits: Splits, result, test, valid, history, sweep, data_source
) -> None:
    """Record the run in ``training.json`` (split, history, length-penalty sweep, held-out
    figures, a few test examples), write ``test_sample.tsv`` and the card from them."""
    sample = random.Random(1).sample(splits.test, min(300, len(splits.test)))
    with open(export / "test_sample.tsv", "w", encoding="utf-8") as f:
        for p in sample:
            f.write(f"{p.source}\t{p.target}\t{p.origin}\n")
    info = {
        "split": {
            "valid_share": args.valid_share,
            "test_share": args.test_share,
            "split_seed": args.split_seed,
            "data": args.data,
        },
        "valid_catalogs": splits.origins("valid"),
        "test_catalogs": splits.origins("test"),
        "pairs": {"train": len(splits.train), "valid": len(splits.valid), "test": len(splits.test)},
        "best_step": history[-1]["best_step"],
        "steps": result.step,
        "history": history,
        "length_penalty": describe_sweep(sweep, args.beam_size, len(splits.valid)),
        "test": figures(test, args.beam_size),
        "valid": figures(valid, args.beam_size),
        "examples": [
            {"source": p.source, "model": h, "reference": p.target}
            for p, h in list(zip(splits.test, test["hypotheses"], strict=True))[:EXAMPLES]
        ]
        if test
        else [],
    }
    if data_source:
        info["data_source"] = data_source
    write_info(export, info)
    write_card(export)


if __name__ == "__main__":
    main()
