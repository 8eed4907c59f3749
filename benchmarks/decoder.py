"""Benchmark the shared AttentionRNNDecoder.

Measures, in one run and with a stated thread count:

1. a teacher-forced training step (forward + backward) against a straightforward per-step
   implementation of equal size (an ``nn.LSTMCell`` loop that re-projects the memory at
   every step, as common tutorials do) — for additive attention with input feeding and for
   Luong ``general`` attention without input feeding;
2. the achieved FLOP rate of that training step as a fraction of ``torch.mm``'s rate on
   GEMMs of the same shapes;
3. batched beam search (64 inputs, beam 5) against one input at a time.

Example:
    python -m benchmarks.decoder --threads 2 --out benchmarks/results/decoder.json
"""

from __future__ import annotations

import argparse

import torch
from torch import nn

from benchmarks.common import machine_info, print_table, time_call, time_interleaved, write_json
from shared.decoder import AttentionRNNDecoder
from shared.decoding import DecodeConfig
from shared.masks import masked_mean


class TutorialDecoder(nn.Module):
    """The per-step baseline: ``nn.LSTMCell`` in a Python loop, memory keys recomputed at
    every step, vocabulary projection per step. Same parameters as AttentionRNNDecoder."""

    def __init__(self, vocab, embed, hidden, memory_dim, attention, input_feeding):
        super().__init__()
        self.attention_kind = attention
        self.input_feeding = input_feeding
        self.hidden = hidden
        self.embedding = nn.Embedding(vocab, embed, padding_idx=0)
        self.cell = nn.LSTMCell(embed + (hidden if input_feeding else 0), hidden)
        if attention == "additive":
            self.query_proj = nn.Linear(hidden, hidden, bias=False)
            self.key_proj = nn.Linear(memory_dim, hidden)
            self.v = nn.Linear(hidden, 1, bias=False)
        else:
            self.key_proj = nn.Linear(memory_dim, hidden, bias=False)
        self.init_proj = nn.Linear(memory_dim, 2 * hidden)
        self.combine = nn.Linear(hidden + memory_dim + embed, hidden, bias=False)
        self.output = nn.Linear(hidden, vocab)

    def forward(self, tokens, memory, pad_mask):
        h, c = torch.tanh(self.init_proj(masked_mean(memory, pad_mask))).chunk(2, dim=-1)
        feed = memory.new_zeros(memory.size(0), self.hidden)
        logits = []
        for t in range(tokens.size(1)):
            emb = self.embedding(tokens[:, t])
            x = torch.cat([emb, feed], -1) if self.input_feeding else emb
            h, c = self.cell(x, (h, c))
            keys = self.key_proj(memory)  # re-projected at every step
            if self.attention_kind == "additive":
                scores = self.v(torch.tanh(self.query_proj(h).unsqueeze(1) + keys)).squeeze(-1)
            else:
                scores = torch.bmm(keys, h.unsqueeze(-1)).squeeze(-1)
            weights = torch.softmax(scores.masked_fill(pad_mask, float("-inf")), -1)
            context = torch.bmm(weights.unsqueeze(1), memory).squeeze(1)
            feed = torch.tanh(self.combine(torch.cat([h, context, emb], -1)))
            logits.append(self.output(feed))
        return torch.stack(logits, 1)


def training_gemms(args, attention: str, input_feeding: bool) -> list[tuple[int, int, int, int]]:
    """The matrix products one forward pass of AttentionRNNDecoder runs, as they run:
    (calls, batch, M, K, N) — ``batch`` > 1 for the batched products of attention."""
    b, s, t, e, h, d, v = (
        args.batch,
        args.src_len,
        args.tgt_len,
        args.embed,
        args.hidden,
        args.memory_dim,
        args.vocab,
    )
    gemms = [(1, 1, b, d, 2 * h), (1, 1, b * s, d, h)]  # initial state; keys, once
    if input_feeding:
        gemms += [(1, 1, b * t, e, 4 * h)]  # the words' share of the gates, all steps at once
        gemms += [(t, 1, b, h, 4 * h), (t, 1, b, h, 4 * h)]  # fed-back and recurrent shares
        if attention == "additive":
            gemms += [(t, 1, b, h, h), (t, 1, b * s, h, 1)]  # query projection, v . tanh(.)
        else:
            gemms += [(t, b, 1, h, s)]  # q . k
        gemms += [(t, b, 1, s, d), (t, 1, b, h + d + e, h)]  # context, attentional state
    else:
        gemms += [(1, 1, b * t, e, 4 * h), (t, 1, b, h, 4 * h)]  # fused LSTM
        gemms += [(1, b, t, h, s), (1, b, t, s, d)]  # attention for all steps at once
        gemms += [(1, 1, b * t, h + d + e, h)]
    gemms += [(1, 1, b * t, h, v)]  # vocabulary, all steps at once
    return gemms


def gemm_reference_seconds(gemms, repeats: int) -> float:
    """Time forward + the two backward products of every GEMM with torch.mm / torch.bmm."""
    total = 0.0
    for calls, batch, m, k, n in gemms:
        a, w, g = torch.randn(batch, m, k), torch.randn(batch, k, n), torch.randn(batch, m, n)
        if batch == 1:
            a, w, g = a[0], w[0], g[0]
        mul = torch.mm if batch == 1 else torch.bmm
        fwd = time_call(lambda a=a, w=w, mul=mul: mul(a, w), repeats)["median_s"]
        dx = time_call(lambda g=g, w=w, mul=mul: mul(g, w.mT), repeats)["median_s"]
        dw = time_call(lambda a=a, g=g, mul=mul: mul(a.mT, g), repeats)["median_s"]
        total += (fwd + dx + dw) * calls
    return total


def flops(gemms) -> int:
    """Forward + backward FLOPs of the GEMMs: 2*M*K*N each, three products per GEMM."""
    return sum(6 * calls * batch * m * k * n for calls, batch, m, k, n in gemms)


def make_batch(args, generator):
    tokens = torch.randint(4, args.vocab, (args.batch, args.tgt_len), generator=generator)
    memory = torch.randn(args.batch, args.src_len, args.memory_dim, generator=generator)
    lengths = torch.randint(args.src_len // 2, args.src_len + 1, (args.batch,), generator=generator)
    lengths[0] = args.src_len
    pad_mask = torch.arange(args.src_len)[None, :] >= lengths[:, None]
    targets = torch.randint(4, args.vocab, (args.batch, args.tgt_len), generator=generator)
    return tokens, memory, pad_mask, targets


def train_step(model, batch, memory_grad: bool):
    tokens, memory, pad_mask, targets = batch
    memory = memory.detach().requires_grad_(memory_grad)
    out = model(tokens, memory, pad_mask)
    logits = out[0] if isinstance(out, tuple) else out
    loss = nn.functional.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1))
    model.zero_grad(set_to_none=True)
    loss.backward()


def bench_training(args, attention: str, input_feeding: bool) -> dict:
    torch.manual_seed(0)
    common = (args.vocab, args.embed, args.hidden, args.memory_dim)
    ours = AttentionRNNDecoder(
        *common, cell="lstm", attention=attention, input_feeding=input_feeding, dropout=0.0
    )
    baseline = TutorialDecoder(*common, attention=attention, input_feeding=input_feeding)
    n_ours = sum(p.numel() for p in ours.parameters())
    n_base = sum(p.numel() for p in baseline.parameters())
    batch = make_batch(args, torch.Generator().manual_seed(1))
    times = time_interleaved(
        {
            "ours": lambda: train_step(ours, batch, True),
            "baseline": lambda: train_step(baseline, batch, True),
        },
        args.repeats,
    )
    t_ours, t_base = times["ours"], times["baseline"]
    gemms = training_gemms(args, attention, input_feeding)
    work = flops(gemms)
    t_mm = gemm_reference_seconds(gemms, args.repeats)
    return {
        "attention": attention,
        "input_feeding": input_feeding,
        "params": n_ours,
        "baseline_params": n_base,
        "ms_per_step": 1000 * t_ours,
        "baseline_ms_per_step": 1000 * t_base,
        "speedup": t_base / t_ours,
        "gemm_gflop": work / 1e9,
        "achieved_gflops": work / t_ours / 1e9,
        "mm_gflops_same_shapes": work / t_mm / 1e9,
        "fraction_of_mm_rate": t_mm / t_ours,
    }


@torch.no_grad()
def bench_beam(args) -> dict:
    torch.manual_seed(0)
    model = AttentionRNNDecoder(
        args.vocab, args.embed, args.hidden, args.memory_dim, cell="lstm", attention="additive"
    ).eval()
    _, memory, pad_mask, _ = make_batch(args, torch.Generator().manual_seed(2))
    config = DecodeConfig(beam_size=args.beam, max_len=args.tgt_len)

    def batched():
        return model.generate(memory, pad_mask, bos=1, eos=2, config=config)

    def one_by_one():
        return [
            model.generate(memory[i : i + 1], pad_mask[i : i + 1], bos=1, eos=2, config=config)[0]
            for i in range(memory.size(0))
        ]

    same = [h[0].tokens for h in batched()] == [h[0].tokens for h in one_by_one()]
    times = time_interleaved(
        {"batched": batched, "single": one_by_one}, max(1, args.repeats // 3), warmup=1
    )
    t_batched, t_single = times["batched"], times["single"]
    return {
        "inputs": memory.size(0),
        "beam_size": args.beam,
        "max_len": args.tgt_len,
        "batched_ms_per_input": 1000 * t_batched / memory.size(0),
        "one_by_one_ms_per_input": 1000 * t_single / memory.size(0),
        "speedup": t_single / t_batched,
        "same_outputs": same,
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads (default 2)")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--embed", type=int, default=256)
    parser.add_argument(
        "--memory-dim",
        type=int,
        default=512,
        help="encoder output size (a bidirectional encoder of 256: 512)",
    )
    parser.add_argument(
        "--vocab",
        type=int,
        nargs="+",
        default=[2000, 8000],
        help="output vocabulary sizes to run (default: 2000 8000)",
    )
    parser.add_argument("--src-len", type=int, default=30)
    parser.add_argument("--tgt-len", type=int, default=20)
    parser.add_argument("--beam", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--out", default="benchmarks/results/decoder.json")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    vocabs = args.vocab

    runs = []
    for vocab in vocabs:
        args.vocab = vocab
        training = [bench_training(args, "additive", True), bench_training(args, "general", False)]
        runs.append({"vocab": vocab, "training_step": training, "beam_search": bench_beam(args)})
    result = {
        "benchmark": "decoder",
        "machine": machine_info(args.threads),
        "sizes": {
            k: getattr(args, k)
            for k in ("batch", "hidden", "embed", "memory_dim", "src_len", "tgt_len")
        },
        "runs": runs,
    }
    rows = [
        (
            str(run["vocab"]),
            f"{r['attention']}{' + input feeding' if r['input_feeding'] else ''}",
            f"{r['ms_per_step']:.1f}",
            f"{r['baseline_ms_per_step']:.1f}",
            f"{r['speedup']:.2f}x",
            f"{r['achieved_gflops']:.1f}",
            f"{r['fraction_of_mm_rate']:.2f}",
        )
        for run in runs
        for r in run["training_step"]
    ]
    print(f"training step (forward + backward), batch {args.batch}, threads {args.threads}")
    print_table(rows, ("vocab", "variant", "ms", "tutorial ms", "speedup", "GFLOP/s", "of mm"))
    beams = [
        (
            str(run["vocab"]),
            f"{b['batched_ms_per_input']:.2f}",
            f"{b['one_by_one_ms_per_input']:.2f}",
            f"{b['speedup']:.1f}x",
            str(b["same_outputs"]),
        )
        for run in runs
        for b in [run["beam_search"]]
    ]
    print(f"\nbeam search, {args.batch} inputs, beam {args.beam}, {args.tgt_len} steps max")
    print_table(beams, ("vocab", "batched ms/input", "one-by-one ms/input", "speedup", "same"))
    path = write_json(result, args.out)
    print(f"\nwrote {path}")
    return result


if __name__ == "__main__":
    main()
