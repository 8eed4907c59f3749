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

``--max-minutes`` is the whole run's budget, choosing the final model included. A budget of
at most an hour (a first run on a laptop) trains a smaller model without input feeding by
default (``--vocab-size 2000 --embed-dim 128 --hidden-size 128 --decoder-hidden-size 192
--encoder-layers 1 --dropout 0.1 --lr 1e-3``), which was measured to learn more in that
time; flags given on the command line (``--input-feeding``, ``--hidden-size 256``...) still
win.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import shutil
import time
from pathlib import Path

import sentencepiece as spm
import torch
from torch import nn

from shared.batching import bucketed_batches
from shared.cards import run_record
from shared.cli import (
    add_fp16_weights_flag,
    command_line,
    dataclass_from_args,
    run_folders,
    run_script,
    train_script,
)
from shared.distributed import is_main_process
from shared.pretrained import load_weights, save_generation_config, save_pretrained
from shared.training import TrainConfig, fit
from translation.budget import SHORT_BUDGET_DEFAULTS, SHORT_BUDGET_MINUTES, RunBudget
from translation.data import (
    TrainingPairs,
    collate,
    encode_pairs,
    load_pairs,
    masked_texts,
    weigh_prose,
)
from translation.evaluate import score
from translation.inference import SOURCE_TOKENIZER, TARGET_TOKENIZER, Translator
from translation.model import (
    FORMAT_VERSION,
    MODEL_TYPE,
    GenerationConfig,
    Seq2Seq,
    TranslationConfig,
)
from translation.release import (
    check_same_split,
    choose_final_model,
    init_history,
    record_run,
    training_info,
)
from translation.split import corpus_stats, recorded_held_out, split_by_kind
from translation.text import mask_source, mask_target
from translation.tokenizer import SubwordTokenizer
from translation.tune import LENGTH_PENALTIES, best_length_penalty

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
    script = train_script(
        "translation.train",
        __doc__,
        model_config=TranslationConfig,
        train_config=TrainConfig,
        train_defaults=TRAIN_DEFAULTS,
        out=None,
        out_help="runs/<src>-<tgt>",
        skip=("src_lang", "tgt_lang", "src_vocab_size", "tgt_vocab_size"),
    )
    data, run = script.data, script.run
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
        "--prose-repeat",
        type=int,
        default=1,
        help="read each package-description training pair this many times an epoch, so"
        " descriptive English weighs more against software messages (default: 1)",
    )
    data.add_argument(
        "--max-tokens",
        type=int,
        default=80,
        help="drop training pairs longer than this in subwords (default: 80)",
    )
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
        "--max-source-tokens",
        type=int,
        default=GenerationConfig.max_source_tokens,
        help="longest sentence the shipped model accepts, in subwords (default:"
        f" {GenerationConfig.max_source_tokens})",
    )
    add_fp16_weights_flag(run)
    return script.parser


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


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line, with :data:`SHORT_BUDGET_DEFAULTS` as the defaults when
    ``--max-minutes`` is short."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if 0 < args.max_minutes <= SHORT_BUDGET_MINUTES:
        parser.set_defaults(**SHORT_BUDGET_DEFAULTS)
        args = parser.parse_args(argv)
    if args.prose_repeat < 1:
        parser.error(f"--prose-repeat must be at least 1, not {args.prose_repeat}")
    return args


def main(argv: list[str] | None = None) -> Path:
    args = parse_args(argv)
    budget = RunBudget(args.max_minutes)  # the whole run's, choosing the final model included
    out, export = run_folders(args, f"runs/{args.src}-{args.tgt}")

    pairs = load_pairs(args.src, args.tgt, args.data)
    # A continued model keeps the held-out catalogs it never trained on (see split_by_origin).
    init_info = training_info(args.init) if args.init else {}
    held_out = recorded_held_out(init_info)
    splits = split_by_kind(pairs, args.valid_share, args.test_share, args.split_seed, held_out)
    if is_main_process():
        print(corpus_stats(splits), flush=True)
    if not splits.train or not splits.valid:
        raise SystemExit("not enough data for training and validation splits; give more --data")

    history, data_source = [], None
    split_options = {
        "valid_share": args.valid_share,
        "test_share": args.test_share,
        "split_seed": args.split_seed,
        "data": args.data,
    }
    if args.init:
        check_same_split(args.init, init_info, split_options)
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
        masked_texts(weigh_prose(splits.train, args.prose_repeat)),
        src_tok,
        tgt_tok,
        args.subword_alpha,
        args.max_tokens,
    )
    lengths = [len(s) + len(t) for s, t in train.best]
    config = dataclass_from_args(TranslationConfig, args)
    config.src_lang, config.tgt_lang = args.src, args.tgt
    config.src_vocab_size, config.tgt_vocab_size = len(src_tok), len(tgt_tok)
    train_config = dataclass_from_args(TrainConfig, args)
    if budget.minutes:
        train_config = dataclasses.replace(train_config, max_minutes=budget.training_minutes())
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

    fit_started = time.monotonic()
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
    # A resumed run's earlier training counts against the whole run's budget too.
    budget.charge(result.seconds - (time.monotonic() - fit_started))
    if not is_main_process():
        return export

    # The search's length penalty is chosen on the validation split (a sample of it when the
    # time budget is short), then the final figures: the chosen model, on the held-out test
    # catalogs, with beam search.
    device = next(model.parameters()).device
    # The sweep translates validation once per length penalty (twice over when the last step
    # is compared with the best), then test once and the validation sample once more.
    translator = Translator(model, src_tok, tgt_tok, device=device)
    sweeps = 1 if result.best_step in (None, result.step) else 2
    end_valid, end_test = budget.end_of_run_samples(
        lambda pairs: translator.translate_batch([p.source for p in pairs], args.beam_size),
        splits.valid,
        splits.test,
        passes=sweeps * len(LENGTH_PENALTIES) + 2,
    )
    if len(end_valid) < len(splits.valid):
        print(
            f"time budget: choosing on {len(end_valid)} validation pairs, testing on {len(end_test)}"
        )
    best, sweep, compared = choose_final_model(
        model,
        (src_tok, tgt_tok),
        result,
        export,
        out,
        end_valid,
        beam_size=args.beam_size,
        fp16_weights=args.fp16_weights,
        device=device,
    )
    # The search settings the model ships with: the length penalty that won on validation.
    best.generation = GenerationConfig(best_length_penalty(sweep), args.max_source_tokens)
    save_generation_config(export, best.generation)
    test = score(best, end_test, args.beam_size) if end_test else None
    valid = score(best, valid_sample, args.beam_size)
    compared_record = {str(k): round(v, 2) for k, v in compared.items()}
    history.append(
        run_record(
            command_line("translation.train", argv),
            result.step,
            max(compared, key=lambda step: compared[step]),
            result.seconds,
            **({"compared": compared_record} if len(compared) > 1 else {}),
            **({"compared_on": len(end_valid)} if len(end_valid) < len(splits.valid) else {}),
            **({"whole_run_minutes": round(budget.elapsed_minutes(), 1)} if budget.minutes else {}),
        )
    )
    record_run(
        export,
        split_options,
        splits,
        result,
        test,
        valid,
        history,
        sweep,
        data_source,
        args.beam_size,
        (end_test, len(end_valid)),
    )
    print(f"exported {export}")
    return export


if __name__ == "__main__":
    run_script(main)
