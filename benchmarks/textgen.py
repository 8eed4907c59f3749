"""Benchmark a text model on the CPU: generated tokens per second for one prompt and for a
batch of prompts, and training tokens per second, each against a naive per-step Python loop
doing the same arithmetic (generation that reads the whole text again for every new token;
training that feeds the recurrent layer one step at a time). Ratios are the figures to read
on a shared machine.

Examples:
    python -m benchmarks.textgen --threads 2
    python -m benchmarks.textgen --model english --tokens 100
"""

from __future__ import annotations

import argparse

import torch

from benchmarks.common import machine_info, print_table, time_interleaved, write_json
from shared.pretrained import resolve_model_dir
from textgen.inference import PRETRAINED_DIR, TextGenerator
from textgen.train import CarriedStateLoss

PROMPTS = [
    "ROMEO.\n",
    "To be, or not to be",
    "KING.\nMy lords,",
    "",
    "The ",
    "What is",
    "O",
    "Enter",
]


@torch.no_grad()
def naive_generate(generator: TextGenerator, prompt: str, tokens: int) -> str:
    """Greedy generation that reads the whole text again for every token (no carried state)."""
    ids = generator.tokenizer.encode(prompt)
    new: list[int] = []
    banned = [generator.tokenizer.doc_id, generator.tokenizer.unk_id]
    for _ in range(tokens):
        log_probs, _ = generator.read(ids + new)
        last = log_probs[-1].clone()
        last[banned] = float("-inf")
        new.append(int(last.argmax()))
    return generator.tokenizer.decode(new)


def training_step(model, batch, step_by_step: bool) -> None:
    """One forward + backward of both directions, fused or one step at a time."""
    model.zero_grad()
    if not step_by_step:
        loss, _ = CarriedStateLoss()(model, batch)
    else:
        loss, states = 0.0, [None, None]
        for t in range(batch["inputs"].size(1)):
            for d, (lm, key) in enumerate(
                ((model.forward_lm, ""), (model.backward_lm, "reversed_"))
            ):
                if lm is None:
                    continue
                logits, states[d] = lm(batch[f"{key}inputs"][:, t : t + 1], states[d])
                loss = loss + torch.nn.functional.cross_entropy(
                    logits[:, 0], batch[f"{key}targets"][:, t]
                )
        loss = loss / batch["inputs"].size(1)
    loss.backward()


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--model", default="shakespeare", help="a shipped model or folder (default: shakespeare)"
    )
    parser.add_argument(
        "--tokens", type=int, default=200, help="tokens generated per prompt (default: 200)"
    )
    parser.add_argument(
        "--batch", type=int, default=8, help="prompts generated together (default: 8)"
    )
    parser.add_argument("--train-batch", type=int, default=32)
    parser.add_argument("--seq-len", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default="benchmarks/results/textgen.json")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    generator = TextGenerator.from_pretrained(args.model)
    prompts = (PROMPTS * (args.batch // len(PROMPTS) + 1))[: args.batch]
    same = naive_generate(generator, prompts[0], args.tokens) == generator.generate(
        prompts[0], args.tokens, temperature=0
    )
    times = time_interleaved(
        {
            "one": lambda: generator.generate(prompts[0], args.tokens, temperature=0.8, seed=0),
            "batch": lambda: generator.generate_batch(
                prompts, args.tokens, temperature=0.8, seed=0
            ),
            "naive": lambda: naive_generate(generator, prompts[0], args.tokens),
        },
        args.repeats,
        warmup=1,
    )
    model = generator.model.train()
    vocab = generator.config.vocab_size
    ids = torch.randint(
        1, vocab, (args.train_batch, args.seq_len + 1), generator=torch.Generator().manual_seed(0)
    )
    batch = {"inputs": ids[:, :-1], "targets": ids[:, 1:], "reversed_inputs": ids.flip(1)[:, :-1],
             "reversed_targets": ids.flip(1)[:, 1:], "chunk": 0}  # fmt: skip
    train_times = time_interleaved(
        {
            "fused": lambda: training_step(model, batch, False),
            "step_by_step": lambda: training_step(model, batch, True),
        },
        args.repeats,
        warmup=1,
    )
    model.eval()
    train_tokens = args.train_batch * args.seq_len
    result = {
        "benchmark": "textgen",
        "model": args.model,
        "machine": machine_info(args.threads),
        "parameters": sum(p.numel() for p in model.parameters()),
        "file_mb": (resolve_model_dir(args.model, PRETRAINED_DIR) / "model.safetensors")
        .stat()
        .st_size
        / 1e6,
        "generate": {
            "tokens_per_prompt": args.tokens,
            "one_prompt_tokens_per_s": args.tokens / times["one"],
            "batch_prompts": len(prompts),
            "batch_tokens_per_s": args.tokens * len(prompts) / times["batch"],
            "naive_tokens_per_s": args.tokens / times["naive"],
            "carried_state_vs_naive": times["naive"] / times["one"],
            "batch_vs_one": (args.tokens * len(prompts) / times["batch"])
            / (args.tokens / times["one"]),
            "naive_same_greedy_text": same,
        },
        "train": {
            "tokens_per_step": train_tokens,
            "fused_tokens_per_s": train_tokens / train_times["fused"],
            "step_by_step_tokens_per_s": train_tokens / train_times["step_by_step"],
            "fused_vs_step_by_step": train_times["step_by_step"] / train_times["fused"],
        },
    }
    g, t = result["generate"], result["train"]
    print(
        f"{args.model}: {result['parameters'] / 1e6:.2f} M parameters, {args.threads} CPU threads"
    )
    print_table(
        [("generate, one prompt", f"{g['one_prompt_tokens_per_s']:.0f}", f"{g['carried_state_vs_naive']:.1f}x vs naive"),
         (f"generate, {len(prompts)} prompts", f"{g['batch_tokens_per_s']:.0f}", f"{g['batch_vs_one']:.1f}x vs one"),
         ("generate, naive (reread all)", f"{g['naive_tokens_per_s']:.0f}", f"same text: {same}"),
         ("train, fused", f"{t['fused_tokens_per_s']:.0f}", f"{t['fused_vs_step_by_step']:.1f}x vs step by step"),
         ("train, step by step", f"{t['step_by_step_tokens_per_s']:.0f}", "")],
        ("what", "tokens/s", "ratio"),
    )  # fmt: skip
    print(f"\nwrote {write_json(result, args.out)}")
    return result


if __name__ == "__main__":
    main()
