"""Write, fill a blank or score text with a text model, from the command line.

Examples:
    python -m textgen.generate "ROMEO.\n" --tokens 300 --seed 1     # streams the continuation
    python -m textgen.generate "" --model english --temperature 0.7 --top-p 0.9
    python -m textgen.generate --fill "What ___ is it?"              # the model proposes fills
    python -m textgen.generate --fill "Good ___, sweet prince" --candidates night day
    python -m textgen.generate --score "Now is the winter of our discontent"
"""

from __future__ import annotations

import sys

from shared.cli import run_script, script_parser
from textgen.inference import DEFAULT_MODEL, TextGenerator


def main(argv: list[str] | None = None) -> None:
    parser = script_parser("textgen.generate", __doc__)
    parser.add_argument(
        "prompt", nargs="?", default="", help="text to continue (default: none, a new text)"
    )
    parser.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        help=f"a shipped model or a model folder (default: {DEFAULT_MODEL})",
    )
    parser.add_argument("--tokens", type=int, default=200, help="tokens to write (default: 200)")
    parser.add_argument(
        "--temperature",
        type=float,
        default=0.8,
        help="0: always the most likely token (default: 0.8)",
    )
    parser.add_argument(
        "--top-k", type=int, default=None, help="sample among the k most likely tokens"
    )
    parser.add_argument(
        "--top-p", type=float, default=None, help="sample among the tokens making up probability p"
    )
    parser.add_argument("--seed", type=int, default=None, help="the same seed writes the same text")
    parser.add_argument(
        "--fill", metavar="TEXT", help="rank fills for the blank (___) in TEXT instead"
    )
    parser.add_argument("--candidates", nargs="+", help="with --fill: the fills to rank")
    parser.add_argument("--score", metavar="TEXT", help="print the bits TEXT costs instead")
    args = parser.parse_args(argv)
    generator = TextGenerator.from_pretrained(args.model)
    if args.fill is not None:
        for fill in generator.fill_blank(args.fill, args.candidates, k=10):
            print(f"{fill.probability:6.1%}  {fill.bits:8.1f} bits  {fill.text}")
    elif args.score is not None:
        result = generator.score(args.score)
        print(f"{result.bits:.1f} bits, {result.bits_per_char:.3f} bits per character")
    else:
        settings = dict(
            temperature=args.temperature, top_k=args.top_k, top_p=args.top_p, seed=args.seed
        )
        for token in generator.stream(args.prompt, args.tokens, **settings):
            sys.stdout.write(token.text)
            sys.stdout.flush()
        print()


if __name__ == "__main__":
    run_script(main)
