"""Measure a translation model on held-out data: sacreBLEU BLEU and chrF with signatures.

By default the test catalogs recorded in the model's ``training.json`` are read again from
this machine (the same split the training script made); ``--data`` scores any catalogs,
``.tsv`` pair files or ``SRC,TGT`` line-aligned files instead (with ``--unseen``, only
pairs whose source the model never trained on), and ``--sample`` the test sample shipped
with the model (up to 300 pairs of each kind of text). ``--by-kind`` scores software
messages and description sentences apart. ``--typed`` scores the pairs as people may type
them (in capitals, with an emoji), ``--in-capitals`` only the catalogs' own in capitals.

Examples:
    python -m translation.evaluate --model en-fr
    python -m translation.evaluate --model en-zh --sample --beam-size 1
    python -m translation.evaluate --model runs/en-fr/model --sample --by-kind --threads 2
    python -m translation.evaluate --model en-zh --data data/translation/catalogs/zh_CN data/translation/apt-lists --kind prose
    python -m translation.evaluate --model runs/en-fr/model --data my-catalogs/ --split all
    python -m translation.evaluate --model en-fr --data new-package.mo --split all --unseen
    python -m translation.evaluate --model en-fr --data new.mo --split all --record "new.mo"
    python -m translation.evaluate --model en-fr --split valid --kind messages --typed capitals
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import torch

from shared.cli import command_line, script_parser
from shared.metrics import bleu, chrf
from shared.pretrained import resolve_model_dir
from translation.card import record_evaluation
from translation.data import KINDS, Pair, load_pairs, of_kind, read_tsv
from translation.inference import PRETRAINED_DIR, Translator
from translation.split import Splits, recorded_held_out, split_by_kind
from translation.text import mask_source, mask_target, placeholders, shout, shouted, unmask


def bleu_tokenizer(lang: str) -> str:
    """sacreBLEU's tokenizer for a target language."""
    return {"zh": "zh", "ja": "ja-mecab", "ko": "ko-mecab"}.get(lang.split("_")[0], "13a")


def in_capitals(pair: Pair) -> Pair:
    """``pair`` as if typed in capitals, both sides; its placeholders as they are."""
    masked, found = mask_source(pair.source)
    target = mask_target(pair.target, found)
    return Pair(unmask(shout(masked), found), unmask(shout(target), found), pair.origin)


# Ways people type that catalogs rarely do: --typed NAME scores the pairs so.
TYPED = {
    "capitals": in_capitals,
    "emoji": lambda pair: Pair(f"{pair.source} 😀", f"{pair.target} 😀", pair.origin),
}


def score(
    translator: Translator,
    pairs: list[Pair],
    beam_size: int,
    length_penalty: float | None = None,
) -> dict[str, object]:
    """BLEU and chrF of the translations of ``pairs``, with sacreBLEU's signatures
    (``length_penalty``: the model's own unless given); also how many outputs carry other
    placeholders (``%s``, ``{0}``, a URL or path) than their source (some missing or added),
    beside how many sources have any."""
    results = translator.translate_batch(
        [p.source for p in pairs], beam_size=beam_size, length_penalty=length_penalty
    )
    hyps = [r.text for r in results]
    refs = [[p.target] for p in pairs]
    b = bleu(hyps, refs, tokenize=bleu_tokenizer(translator.config.tgt_lang))
    c = chrf(hyps, refs)
    return {
        "bleu": b.score,
        "chrf": c.score,
        "bleu_signature": b.signature,
        "chrf_signature": c.signature,
        "with_placeholders": sum(bool(placeholders(p.source)) for p in pairs),
        "placeholder_mismatches": sum(
            bool(r.missing_placeholders or r.extra_placeholders) for r in results
        ),
        "hypotheses": hyps,
    }


def figures(result: dict | None, beam_size: int) -> dict:
    """A :func:`score` result as ``training.json`` keeps it: without the hypotheses, with
    the number of pairs and the beam size ({} for no result)."""
    if not result:
        return {}
    kept = {k: v for k, v in result.items() if k != "hypotheses"}
    return kept | {"pairs": len(result["hypotheses"]), "beam_size": beam_size}


def recorded_splits(model_dir: Path, src: str, tgt: str, data: list[str] | None = None) -> Splits:
    """The splits ``translation.train`` made for this model, rebuilt from the data and split
    options its ``training.json`` records (``data`` replaces the recorded data). The catalogs
    it held out stay held out even where a later fetch of the archive would shuffle them
    differently."""
    info_path = model_dir / "training.json"
    info = json.loads(info_path.read_text()) if info_path.is_file() else {}
    options = info.get("split", {})
    return split_by_kind(
        load_pairs(src, tgt, data or options.get("data")),
        options.get("valid_share", 0.03),
        options.get("test_share", 0.05),
        options.get("split_seed", 0),
        recorded_held_out(info),
    )


def data_missing(model_dir: Path, error: ValueError) -> SystemExit:
    """The error for a model whose recorded data is not on this machine, saying how to get
    it (the harvested corpus) or what to score instead (the shipped sample)."""
    return SystemExit(
        f"the data {model_dir} trained on is not here ({error}); fetch it with `python -m"
        " translation.corpus` (catalogs, and --descriptions), or score the model's shipped"
        " test sample with --sample"
    )


def training_sources(
    model_dir: Path, src: str, tgt: str, recorded: Splits | None = None
) -> set[str]:
    """Every source sentence the model trained on: its training split, rebuilt, or taken from
    ``recorded`` (its splits, where the caller has rebuilt them already: rebuilding a harvested
    corpus takes minutes)."""
    if recorded is not None:
        return {p.source for p in recorded.train}
    if not (model_dir / "training.json").is_file():
        raise SystemExit(f"{model_dir} has no training.json: its training data is unknown")
    try:
        return {p.source for p in recorded_splits(model_dir, src, tgt).train}
    except ValueError as error:
        raise data_missing(model_dir, error) from error


def main(argv: list[str] | None = None) -> dict:
    parser = script_parser("translation.evaluate", __doc__)
    parser.add_argument(
        "--model", default="en-fr", help="shipped model name or model folder (default: en-fr)"
    )
    parser.add_argument(
        "--split",
        choices=("test", "valid", "all"),
        default="test",
        help="which held-out split (default: test)",
    )
    parser.add_argument("--data", nargs="*", help="score these catalogs / pair files instead")
    parser.add_argument(
        "--sample", action="store_true", help="score the model's shipped test_sample.tsv"
    )
    parser.add_argument(
        "--limit", type=int, default=0, help="score at most N pairs, sampled with a fixed seed"
    )
    parser.add_argument(
        "--unseen",
        action="store_true",
        help="drop pairs whose source sentence the model trained on (say, catalogs of"
        " packages installed after training, which share common messages with older ones)",
    )
    parser.add_argument(
        "--kind",
        choices=KINDS,
        help="score only this kind of text: software messages or package-description sentences",
    )
    parser.add_argument(
        "--by-kind",
        action="store_true",
        help="score software messages and package descriptions apart, each also on the"
        " pairs whose source the model never trained on",
    )
    parser.add_argument(
        "--typed",
        choices=TYPED,
        help="score the pairs as people may type them: in capitals (source and reference, the"
        " placeholders as they are) or with an emoji at the end of both",
    )
    parser.add_argument(
        "--in-capitals",
        action="store_true",
        help="score only the pairs whose source is written in capitals throughout",
    )
    parser.add_argument("--beam-size", type=int, default=5)
    parser.add_argument(
        "--length-penalty",
        type=float,
        help="the search's length penalty alpha (default: the model's, from its config.json)",
    )
    parser.add_argument("--examples", type=int, default=5, help="examples to print (default: 5)")
    parser.add_argument("--threads", type=int, default=0, help="CPU threads (default: torch's)")
    parser.add_argument(
        "--record",
        metavar="WHAT",
        help="keep the figures in the model's training.json and card, WHAT saying in words"
        ' what was scored (say, "catalogs of packages installed after training")',
    )
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)

    model_dir = resolve_model_dir(args.model, PRETRAINED_DIR)
    translator = Translator.from_pretrained(model_dir)
    src, tgt = translator.config.src_lang, translator.config.tgt_lang
    recorded = None  # the model's own splits, when rebuilt from the data it records
    if args.sample:
        pairs = read_tsv(model_dir / "test_sample.tsv", origin_column=2)
    else:
        try:
            if args.data and args.split == "all":
                pairs = load_pairs(src, tgt, args.data)
            else:
                splits = recorded_splits(model_dir, src, tgt, args.data)
                pairs = getattr(splits, args.split)
                recorded = None if args.data else splits
        except ValueError as error:
            if args.data:  # the user's own files, not the model's recorded data
                raise SystemExit(f"--data: {error}") from error
            raise data_missing(model_dir, error) from error
    seen = None
    if args.unseen or args.by_kind:
        try:
            seen = training_sources(model_dir, src, tgt, recorded)
        except SystemExit as missing:
            if args.unseen:
                raise
            print(f"{missing}; scoring all pairs only, not the unseen-sources subsets")
    dropped = 0
    if args.unseen:
        kept = [p for p in pairs if p.source not in seen]
        dropped = len(pairs) - len(kept)
        print(f"{dropped} of {len(pairs)} pairs dropped: their source was trained on")
        pairs = kept
    if args.kind:
        pairs = of_kind(pairs, args.kind)
    if args.in_capitals:
        pairs = [p for p in pairs if shouted(mask_source(p.source)[0])]
    if args.limit and len(pairs) > args.limit:
        pairs = random.Random(0).sample(pairs, args.limit)
    if not pairs:
        raise SystemExit("no pairs to score")
    if args.typed:
        pairs = [TYPED[args.typed](p) for p in pairs]
    alpha = (
        translator.generation.length_penalty if args.length_penalty is None else args.length_penalty
    )
    # What a recorded figure says of how it was measured, whichever way it was scored.
    how = {"command": command_line("translation.evaluate", argv), "length_penalty": alpha}
    if args.by_kind:
        return by_kind(translator, model_dir, pairs, args, how, seen)
    started = time.perf_counter()
    result = score(translator, pairs, args.beam_size, args.length_penalty)
    seconds = time.perf_counter() - started
    print(
        f"{translator.name}  {len(pairs)} pairs  beam {args.beam_size}  length penalty {alpha:g}  ({seconds:.1f} s, {1000 * seconds / len(pairs):.1f} ms/sentence)"
    )
    print(f"BLEU {result['bleu']:.2f}  {result['bleu_signature']}")
    print(f"chrF {result['chrf']:.2f}  {result['chrf_signature']}")
    print(
        f"outputs whose placeholders are not the source's: {result['placeholder_mismatches']}"
        f" ({result['with_placeholders']} sources have placeholders)"
    )
    for pair, hyp in list(zip(pairs, result["hypotheses"], strict=True))[: args.examples]:
        print(f"\n  source:    {pair.source}\n  model:     {hyp}\n  reference: {pair.target}")
    measured = figures(result, args.beam_size)
    if args.record:
        # The kind of text, where one was chosen, lets the web app quote the figure.
        kind = {"kind": args.kind, "unseen_only": args.unseen} if args.kind else {}
        entry = {"data": args.record} | kind | how | {"dropped": dropped} | measured
        record_evaluation(model_dir, entry)
        print(f"recorded in {model_dir / 'training.json'} and its card")
    return measured


def by_kind(
    translator: Translator,
    model_dir: Path,
    pairs: list[Pair],
    args,
    how: dict,
    seen: set[str] | None,
) -> dict:
    """Figures per kind of text (software messages, package descriptions), each on all its
    pairs and on those whose source sentence the model never trained on (``seen``: the
    sources it trained on, None where its training data is not on this machine to tell);
    ``how``: the command and length penalty to record."""
    table = {}
    for kind in KINDS:
        mine = of_kind(pairs, kind)
        if not mine:
            continue
        result = score(translator, mine, args.beam_size, args.length_penalty)
        table[f"{kind}/all"] = figures(result, args.beam_size)
        unseen = [p for p in mine if p.source not in seen] if seen is not None else []
        if len(unseen) == len(mine):  # nothing was trained on: the same figures
            table[f"{kind}/unseen"] = table[f"{kind}/all"]
        elif unseen:
            result = score(translator, unseen, args.beam_size, args.length_penalty)
            table[f"{kind}/unseen"] = figures(result, args.beam_size)
    print(f"{translator.name}  beam {args.beam_size}  ({args.split} split)")
    print(
        f"  {'text':<18} {'pairs':>6} {'BLEU':>6} {'chrF':>6}  placeholders wrong / sources with some"
    )
    for name, row in table.items():
        print(
            f"  {name:<18} {row['pairs']:>6} {row['bleu']:>6.1f} {row['chrf']:>6.1f}"
            f"  {row['placeholder_mismatches']} / {row['with_placeholders']}"
        )
    if args.record:
        for name, row in table.items():
            kind, subset = name.split("/")
            what = {"messages": "software messages", "prose": "package descriptions"}[kind]
            unseen_only = ", unseen sources only" if subset == "unseen" else ""
            labels = {"data": f"{args.record}: {what}{unseen_only}", "kind": kind}
            entry = labels | {"unseen_only": subset == "unseen"} | how | {"dropped": 0} | row
            record_evaluation(model_dir, entry)
        print(f"recorded in {model_dir / 'training.json'} and its card")
    return table


if __name__ == "__main__":
    main()
