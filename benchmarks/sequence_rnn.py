"""Benchmark shared.cells.SequenceRNN's padded run against the packed-sequence run it
replaced: forward + backward of a bidirectional stack on a batch of uneven lengths (the
speech model's shape by default), and forward alone, timed in turns on the CPU.

Example:
    python -m benchmarks.sequence_rnn --threads 1
"""

from __future__ import annotations

import argparse

import torch

from benchmarks.common import machine_info, print_table, time_interleaved, write_json
from shared.cells import CELL_TYPES, make_rnn
from shared.masks import pack, unpack


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cells", nargs="+", default=["gru", "lstm"], choices=CELL_TYPES)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=75, help="the longest sequence")
    parser.add_argument("--shortest", type=int, default=50, help="the shortest sequence")
    parser.add_argument("--input-size", type=int, default=512)
    parser.add_argument("--hidden-size", type=int, default=256)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", default="benchmarks/results/sequence_rnn.json")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    x = torch.randn(args.batch, args.steps, args.input_size, requires_grad=True)
    lengths = torch.randint(args.shortest, args.steps + 1, (args.batch,))
    lengths[0] = args.steps
    rows, results = [], []
    for cell in args.cells:
        rnn = make_rnn(cell, args.input_size, args.hidden_size, args.layers, True, 0.1).train()

        def padded(rnn=rnn):
            return rnn(x, lengths)[0]

        def packed(rnn=rnn):
            return unpack(rnn.rnn(pack(x, lengths))[0], total_length=args.steps)[0]

        def backward(run):
            return lambda: run().sum().backward()

        for mode, fns in (
            ("forward + backward", {"padded": backward(padded), "packed": backward(packed)}),
            ("forward", {"padded": padded, "packed": packed}),
        ):
            with torch.set_grad_enabled(mode != "forward"):
                times = time_interleaved(fns, args.repeats)
            ratio = times["packed"] / times["padded"]
            results.append({"cell": cell, "mode": mode, **times, "speedup": round(ratio, 2)})
            rows.append((cell, mode, f"{times['padded']:.3f}", f"{times['packed']:.3f}",
                         f"{ratio:.2f}x"))  # fmt: skip
    print_table(rows, ("cell", "mode", "padded s", "packed s", "padded speedup"))
    result = {"machine": machine_info(args.threads), "config": vars(args), "results": results}
    write_json(result, args.out)
    return result


if __name__ == "__main__":
    main()
