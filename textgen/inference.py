"""``TextGenerator``: write, fill in the blank, and say how surprising a text is.

from textgen import TextGenerator
g = TextGenerator.from_pretrained("shakespeare")
g.generate("ROMEO.\\n", max_new_tokens=200, temperature=0.8, seed=1)
for token in g.stream("To be, or not to be"): print(token.text, end="")
g.fill_blank("What ___ is it?")            # top fills, scored from both sides
g.score("Now is the winter of our discontent").bits_per_char
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from shared.pretrained import list_pretrained as _list_pretrained
from shared.pretrained import load_pretrained
from textgen.blanks import Fill, fill_blank
from textgen.model import (
    FORMAT_VERSION,
    MODEL_TYPE,
    RNNLanguageModel,
    TextModel,
    TextModelConfig,
    stack_states,
)
from textgen.sampling import choose
from textgen.tokenizer import REPLACEMENT, Tokenizer, load_tokenizer

PRETRAINED_DIR = Path(__file__).parent / "pretrained"
DEFAULT_MODEL = "shakespeare"
MAX_PROMPT_CHARS = 20_000  # a prompt is read once, step by step: longer ones are refused
MAX_NEW_TOKENS = 5_000
TOP_ALTERNATIVES = 5


def list_pretrained() -> list[str]:
    """Names of the shipped text models."""
    return _list_pretrained(PRETRAINED_DIR)


@dataclass
class GeneratedToken:
    """One generated token: its text, the probability the model gave it, and the most likely
    tokens it could have been instead ([(text, probability)], best first, itself included)."""

    id: int
    text: str
    probability: float
    alternatives: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class ScoreResult:
    """How many bits ``text`` costs the model, read from the start-of-text state.

    Attributes:
        bits: total, = -sum(log_probs) / ln 2.
        bits_per_char: ``bits / len(text)``.
        tokens: the tokens' texts.
        log_probs: (len(tokens),) natural-log probability of each token given those before.
        char_bits: (len(text),) each character's share of the bits (a token's bits spread
            evenly over its characters), for surprisal plots.
    """

    bits: float
    bits_per_char: float
    tokens: list[str]
    log_probs: np.ndarray
    char_bits: np.ndarray


def _check_text(text: str, what: str, limit: int) -> str:
    if not isinstance(text, str):
        raise ValueError(f"{what} must be a string, got {type(text).__name__}")
    if len(text) > limit:
        raise ValueError(f"{what} is {len(text)} characters long; the limit is {limit}")
    return text


class IncrementalText:
    """The text that each new token adds, for streaming. A subword model can write one
    character as several byte tokens: until the last byte comes, the text so far ends in
    U+FFFD, so the pending end is held back and written out whole once complete (or, if it
    never completes, with the last token), and the streamed pieces always join up to
    ``decode(all tokens)``."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        self.tokenizer = tokenizer
        self.pending: list[int] = []  # tokens since the text was last complete
        self.shown = 0  # characters of decode(pending) already given out

    def add(self, token_id: int, last: bool = False) -> str:
        self.pending.append(token_id)
        text = self.tokenizer.decode(self.pending)
        stable = text if last else text.rstrip(REPLACEMENT)
        added = stable[self.shown :]
        if stable == text:
            self.pending, self.shown = [], 0
        else:
            self.shown = len(stable)
        return added


class TextGenerator:
    """A language model with its tokenizer.

    Args:
        model: a :class:`TextModel`.
        tokenizer: the tokenizer it was trained with.
        device: where to run (default: CPU).
    """

    def __init__(
        self, model: TextModel, tokenizer: Tokenizer, device: str | torch.device = "cpu"
    ) -> None:
        self.model = model.to(device).eval()
        self.config: TextModelConfig = model.config
        self.tokenizer = tokenizer
        self.device = torch.device(device)

    @classmethod
    def from_pretrained(
        cls, name_or_dir: str | Path = DEFAULT_MODEL, device: str | torch.device = "cpu"
    ) -> TextGenerator:
        """Load a shipped model by name (``shakespeare``, ``english``) or a model directory."""
        model, directory = load_pretrained(
            name_or_dir, PRETRAINED_DIR, TextModelConfig, TextModel,
            model_type=MODEL_TYPE, format_version=FORMAT_VERSION,
        )  # fmt: skip
        return cls(model, load_tokenizer(directory), device)

    @property
    def has_backward(self) -> bool:
        return self.model.backward_lm is not None

    # -- reading ---------------------------------------------------------------------------

    @torch.no_grad()
    def read(
        self, ids: list[int], lm: RNNLanguageModel | None = None
    ) -> tuple[torch.Tensor, object]:
        """Read ``<doc>`` + ``ids``; the log-probs after each (1 + len(ids), V) and the state."""
        lm = lm or self.model.forward_lm
        x = torch.tensor([[self.tokenizer.doc_id, *ids]], device=self.device)
        logits, state = lm(x)
        return logits[0].float().log_softmax(-1), state

    def score(self, text: str) -> ScoreResult:
        """The bits ``text`` costs, token by token, read as the start of a document.

        Raises:
            ValueError: not a string, empty, or over the prompt limit.
        """
        text = _check_text(text, "text", MAX_PROMPT_CHARS)
        if not text:
            raise ValueError("text is empty: there is nothing to score")
        ids = self.tokenizer.encode(text)
        log_probs, _ = self.read(ids)
        chosen = (
            log_probs[torch.arange(len(ids)), torch.tensor(ids)].cpu().numpy().astype(np.float64)
        )
        pieces = [self.tokenizer.token_text(i) for i in ids]
        char_bits = np.concatenate(
            [
                np.full(max(len(p), 1), -lp / math.log(2) / max(len(p), 1))
                for p, lp in zip(pieces, chosen, strict=False)
            ]
        )[: len(text)]
        bits = float(-chosen.sum() / math.log(2))
        return ScoreResult(bits, bits / len(text), pieces, chosen, char_bits)

    # -- writing ---------------------------------------------------------------------------

    def stream(
        self,
        prompt: str = "",
        max_new_tokens: int = 200,
        temperature: float = 0.8,
        top_k: int | None = None,
        top_p: float | None = None,
        seed: int | None = None,
    ) -> Iterator[GeneratedToken]:
        """Yield the continuation of ``prompt`` one token at a time (see :meth:`generate`),
        each with its probability and the alternatives the model weighed."""
        text = IncrementalText(self.tokenizer)
        steps = self._sample([prompt], max_new_tokens, temperature, top_k, top_p, seed)
        for step, (ids, log_probs) in enumerate(steps):
            added = text.add(int(ids[0]), last=step + 1 == max_new_tokens)
            yield self._token(int(ids[0]), log_probs[0].exp(), added)

    def generate(
        self,
        prompt: str = "",
        max_new_tokens: int = 200,
        temperature: float = 0.8,
        top_k: int | None = None,
        top_p: float | None = None,
        seed: int | None = None,
    ) -> str:
        """The continuation of ``prompt`` (the prompt itself not included).

        Args:
            prompt: any text; empty starts from the start-of-text state.
            max_new_tokens: tokens to write (characters for a character model).
            temperature: 0 always takes the most likely token; higher is more adventurous.
            top_k, top_p: sample only from the k most likely tokens / the smallest set
                reaching probability p.
            seed: the same seed writes the same text.

        Raises:
            ValueError: a prompt over the limit, or settings out of range.
        """
        return self.generate_batch([prompt], max_new_tokens, temperature, top_k, top_p, seed)[0]

    def generate_batch(
        self,
        prompts: list[str],
        max_new_tokens: int = 200,
        temperature: float = 0.8,
        top_k: int | None = None,
        top_p: float | None = None,
        seed: int | None = None,
    ) -> list[str]:
        """:meth:`generate` for many prompts at once, one batched step per token."""
        steps = [
            ids for ids, _ in self._sample(prompts, max_new_tokens, temperature, top_k, top_p, seed)
        ]
        if not steps:
            return ["" for _ in prompts]
        rows = torch.stack(steps, dim=1).tolist()
        return [self.tokenizer.decode(ids) for ids in rows]

    @torch.no_grad()
    def _sample(self, prompts, max_new_tokens, temperature, top_k, top_p, seed):
        """Sample every prompt's continuation in one batch; yields, per step, the chosen ids
        (B,) and the log-probs (B, V) they were drawn from."""
        if not 0 <= max_new_tokens <= MAX_NEW_TOKENS:
            raise ValueError(
                f"max_new_tokens must be between 0 and {MAX_NEW_TOKENS}, got {max_new_tokens}"
            )
        if temperature < 0:
            raise ValueError(f"temperature must be >= 0, got {temperature}")
        prompts = [_check_text(p, "prompt", MAX_PROMPT_CHARS) for p in prompts]
        if not prompts or max_new_tokens == 0:
            return
        generator = torch.Generator(device=self.device)
        generator.manual_seed(seed if seed is not None else int(torch.randint(0, 2**31 - 1, ())))
        lm = self.model.forward_lm
        last, states = [], []
        for prompt in prompts:  # prompts differ in length: each is read on its own, once
            log_probs, state = self.read(self.tokenizer.encode(prompt))
            last.append(log_probs[-1])
            states.append(state)
        log_probs = torch.stack(last)
        state = stack_states(states)
        # Never write <doc> (a new document) or <unk> (a character the model cannot spell).
        banned = torch.tensor([self.tokenizer.doc_id, self.tokenizer.unk_id], device=self.device)
        for step in range(max_new_tokens):
            log_probs = log_probs.index_fill(-1, banned, float("-inf")).log_softmax(-1)
            ids = choose(log_probs, temperature, top_k, top_p, generator)
            yield ids, log_probs
            if step + 1 < max_new_tokens:
                out, state = lm(ids[:, None], state)
                log_probs = out[:, -1].float().log_softmax(-1)

    def _token(self, token_id: int, probs: torch.Tensor, text: str) -> GeneratedToken:
        top = torch.topk(probs, min(TOP_ALTERNATIVES, probs.numel()))
        alternatives = [
            (self.tokenizer.token_text(int(i)), float(p))
            for p, i in zip(top.values, top.indices, strict=True)
        ]
        return GeneratedToken(token_id, text, float(probs[token_id]), alternatives)

    # -- fill in the blank -----------------------------------------------------------------

    def fill_blank(self, text: str, candidates: list[str] | None = None, k: int = 5) -> list[Fill]:
        """Rank fills for the one blank (``___``, three or more underscores) in ``text``.

        Each candidate sentence is scored by the left-to-right model and, where the model has
        one, the right-to-left model (the mean of the two log-probabilities): what comes
        after the blank counts as much as what comes before. Without ``candidates``, the
        left-to-right model proposes words, and both directions rank them.

        Returns:
            the ``k`` best :class:`Fill` (``text``, ``bits`` of the whole sentence,
            ``probability`` among the fills ranked), best first.

        Raises:
            ValueError: no blank or several, over-long text, an empty candidate list.
        """
        return fill_blank(self, _check_text(text, "text", MAX_PROMPT_CHARS), candidates, k)
