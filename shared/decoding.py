"""Search over any step function: greedy and batched beam search.

The search never sees a model. It calls

    step_fn(tokens, state, context) -> (log_probs, state, attention)

where ``tokens`` is (N,) int64, ``state`` a dict of batch-first tensors that the search
reorders as hypotheses are pruned, ``context`` a dict of tensors with one row per input (an
encoder memory, its keys and mask), ``log_probs`` is (N, V) and ``attention`` (N, S) or None.
The context is never expanded per hypothesis: with B inputs, N is a multiple of B and the
hypotheses of one input are consecutive rows, so row i belongs to context row ``i // (N // B)``. Inputs that have finished leave tokens, state and context alike,
so N shrinks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

StepFn = Callable[
    [torch.Tensor, dict[str, torch.Tensor], dict[str, torch.Tensor]],
    tuple[torch.Tensor, dict[str, torch.Tensor], "torch.Tensor | None"],
]


@dataclass
class DecodeConfig:
    """Search settings (kept apart from any model's architecture).

    Attributes:
        beam_size: hypotheses kept per input; 1 is greedy search.
        max_len: most tokens generated per hypothesis, end-of-sequence included.
        length_penalty: alpha of GNMT's penalty ((5 + L) / 6) ** alpha that divides the
            summed log-probability; 0 ranks by raw log-probability, larger favours longer output.
        n_best: hypotheses returned per input (at most ``beam_size``).
    """

    beam_size: int = 5
    max_len: int = 100
    length_penalty: float = 0.0
    n_best: int = 1

    def __post_init__(self) -> None:
        if self.beam_size < 1:
            raise ValueError(f"beam_size must be >= 1, got {self.beam_size}")
        if self.max_len < 1:
            raise ValueError(f"max_len must be >= 1, got {self.max_len}")
        if not 1 <= self.n_best <= self.beam_size:
            raise ValueError(
                f"n_best must be in [1, beam_size={self.beam_size}], got {self.n_best}"
            )
        if self.length_penalty < 0:
            raise ValueError(f"length_penalty must be >= 0, got {self.length_penalty}")


@dataclass
class Hypothesis:
    """One decoded sequence.

    Attributes:
        tokens: generated ids, without the start and end symbols.
        score: ``log_prob`` divided by the length penalty; what hypotheses are ranked by.
        log_prob: summed log-probability of the tokens and, if ``finished``, the end symbol.
        attention: (len(tokens), S) attention of each generated token, or None.
        finished: whether the end symbol was produced (False: cut at ``max_len``).
    """

    tokens: list[int]
    score: float
    log_prob: float
    attention: torch.Tensor | None
    finished: bool


def length_penalty(length: int, alpha: float) -> float:
    """GNMT's length penalty ((5 + length) / 6) ** alpha (Wu et al. 2016)."""
    return ((5.0 + length) / 6.0) ** alpha


def _batch_size(state: dict[str, torch.Tensor], context: dict[str, torch.Tensor]) -> int:
    for tensor in (*state.values(), *context.values()):
        return tensor.size(0)
    raise ValueError("state and context are both empty: cannot tell the batch size")


def _expand(tensors: dict[str, torch.Tensor], k: int) -> dict[str, torch.Tensor]:
    return {name: t.repeat_interleave(k, dim=0) for name, t in tensors.items()}


@torch.no_grad()
def greedy_search(
    step_fn: StepFn,
    state: dict[str, torch.Tensor],
    *,
    bos: int,
    eos: int,
    config: DecodeConfig,
    context: dict[str, torch.Tensor] | None = None,
    max_lens: list[int] | None = None,
) -> list[list[Hypothesis]]:
    """Pick the most probable token at every step, for a whole batch at once.

    Args:
        step_fn: see the module docstring.
        state: initial state, each tensor (B, ...).
        bos, eos: start and end symbol ids.
        config: uses ``max_len`` and ``length_penalty`` (for the reported score).
        context: per-input constants, each tensor (B, ...).
        max_lens: a cap per input (at most ``config.max_len``).

    Returns:
        B lists holding one :class:`Hypothesis` each.
    """
    context = context or {}
    batch = _batch_size(state, context)
    if batch == 0:
        raise ValueError("empty batch")
    caps = _caps(max_lens, batch, config)
    device = _device(state, context)
    tokens = torch.full((batch,), bos, dtype=torch.long, device=device)
    live = list(range(batch))  # inputs still decoding; finished ones leave the batch
    sequences: list[list[int]] = [[] for _ in range(batch)]
    rows: list[list[torch.Tensor]] = [[] for _ in range(batch)]
    log_prob = [0.0] * batch
    ended = [False] * batch
    width = None  # attention columns, once a step has returned attention
    for t in range(config.max_len):
        log_probs, state, attention = step_fn(tokens, state, context)
        best_lp, tokens = log_probs.max(dim=-1)
        if attention is not None:
            attention = attention.detach().cpu()
            width = attention.size(-1)
        keep = []
        for b, (g, token, lp) in enumerate(
            zip(live, tokens.tolist(), best_lp.tolist(), strict=True)
        ):
            log_prob[g] += lp
            if token == eos:
                ended[g] = True  # the end symbol's attention row is not kept: it emits no word
                continue
            sequences[g].append(token)
            if attention is not None:
                rows[g].append(attention[b])
            if t + 1 < caps[g]:
                keep.append(b)
        if not keep:
            break
        if len(keep) < len(live):
            index = torch.tensor(keep, device=device)
            state = {name: tensor.index_select(0, index) for name, tensor in state.items()}
            context = {name: tensor.index_select(0, index) for name, tensor in context.items()}
            tokens = tokens.index_select(0, index)
            live = [live[b] for b in keep]
    hyps = []
    for g in range(batch):
        length = len(sequences[g]) + (1 if ended[g] else 0)
        attn = None
        if width is not None:
            attn = torch.stack(rows[g]) if rows[g] else torch.zeros(0, width)
        score = log_prob[g] / length_penalty(length, config.length_penalty)
        hyps.append([Hypothesis(sequences[g], score, log_prob[g], attn, ended[g])])
    return hyps


def _caps(max_lens: list[int] | None, batch: int, config: DecodeConfig) -> list[int]:
    if max_lens is None:
        return [config.max_len] * batch
    if len(max_lens) != batch:
        raise ValueError(f"{len(max_lens)} max_lens for a batch of {batch}")
    return [max(1, min(int(n), config.max_len)) for n in max_lens]


def _device(state: dict[str, torch.Tensor], context: dict[str, torch.Tensor]) -> torch.device:
    for tensor in (*state.values(), *context.values()):
        return tensor.device
    return torch.device("cpu")


@torch.no_grad()
def beam_search(
    step_fn: StepFn,
    state: dict[str, torch.Tensor],
    *,
    bos: int,
    eos: int,
    config: DecodeConfig,
    context: dict[str, torch.Tensor] | None = None,
    max_lens: list[int] | None = None,
) -> list[list[Hypothesis]]:
    """Batched beam search: all inputs and all their beams advance in one ``step_fn`` call.

    Each step scores every (beam, token) extension and keeps the best ``beam_size``: those
    that end (the end symbol) enter the input's pool of finished hypotheses (the best
    ``beam_size`` are kept), the others stay alive. So beam size 1 is exactly greedy search.
    An input is done when no hypothesis is alive, or when its pool is full and its best live
    hypothesis cannot beat the worst in the pool however it continues: log-probabilities
    only fall, so the best it can reach is its log-probability now divided by the largest
    length penalty it could still get, the one at the input's length cap (with
    ``length_penalty == 0``, the one now). Inputs still open at their cap add their live
    beams to the pool, unfinished.

    Args:
        step_fn: see the module docstring.
        state: initial state, each tensor (B, ...); expanded to (B * beam_size, ...).
        bos, eos: start and end symbol ids.
        config: beam size, maximum length, length penalty, n-best.
        context: per-input constants, each tensor (B, ...); shared by the input's beams,
            never expanded or reordered (only narrowed as inputs finish).
        max_lens: a cap per input (at most ``config.max_len``), so that an input's result
            does not depend on what it is batched with.

    Returns:
        B lists of ``n_best`` :class:`Hypothesis`, best first.
    """
    context = context or {}
    batch = _batch_size(state, context)
    if batch == 0:
        raise ValueError("empty batch")
    caps = _caps(max_lens, batch, config)
    k = config.beam_size
    alpha = config.length_penalty
    device = _device(state, context)
    state = _expand(state, k)

    scores = torch.full((batch, k), float("-inf"), device=device)
    scores[:, 0] = 0.0  # all beams start identical: expand only the first at step 0
    tokens = torch.full((batch * k,), bos, dtype=torch.long, device=device)
    # Inputs still searching, in row order; a done input leaves the batch, so a long search
    # for one input does not drag the finished ones along.
    live = list(range(batch))
    # Per step, full-size (B, K[, S]) records for the backtrace; rows of done inputs stay 0.
    parents, chosen, attentions = [], [], []
    pools = [_Pool(k) for _ in range(batch)]

    for t in range(config.max_len):
        n = len(live)
        log_probs, state, attention = step_fn(tokens, state, context)
        vocab = log_probs.size(-1)
        # In place: the step's output is ours, and a fresh (N, K*V) buffer costs page faults.
        candidates = log_probs.reshape(n, k, vocab).add_(scores.unsqueeze(-1)).view(n, -1)
        top_scores, top_index = candidates.topk(min(k, candidates.size(1)), dim=1)
        top_parent = torch.div(top_index, vocab, rounding_mode="floor")
        top_token = top_index % vocab
        is_eos = top_token == eos

        ending = (is_eos & torch.isfinite(top_scores)).nonzero().tolist()
        if ending:
            ending_scores = top_scores.tolist()
            ending_parents = top_parent.tolist()
            for b, rank in ending:
                lp = ending_scores[b][rank]
                # The end symbol's own attention row is not kept: it emits no word.
                payload = (t - 1, ending_parents[b][rank], lp, True)
                pools[live[b]].add(lp / length_penalty(t + 1, alpha), payload)

        # An ended extension leaves its slot empty (-inf) for this step; the next step's top
        # k over the remaining beams' extensions fills the beam again.
        scores = top_scores.masked_fill(is_eos, float("-inf"))
        parent, new_tokens = top_parent, top_token
        if scores.size(1) < k:  # a vocabulary smaller than the beam
            pad = (0, k - scores.size(1))
            scores = torch.nn.functional.pad(scores, pad, value=float("-inf"))
            parent = torch.nn.functional.pad(parent, pad)
            new_tokens = torch.nn.functional.pad(new_tokens, pad, value=eos)
        live_index = torch.tensor(live, device=device)
        parents.append(parent.new_zeros(batch, k).index_copy_(0, live_index, parent))
        chosen.append(new_tokens.new_zeros(batch, k).index_copy_(0, live_index, new_tokens))
        if attention is not None:
            step_attention = attention.view(n, k, -1)
            index = parent.unsqueeze(-1).expand(-1, -1, step_attention.size(-1))
            gathered = step_attention.gather(1, index)
            attentions.append(
                gathered.new_zeros(batch, k, gathered.size(-1)).index_copy_(0, live_index, gathered)
            )

        best_alive = scores.max(dim=1).values.tolist()
        keep = []
        for b, g in enumerate(live):
            done = best_alive[b] == float("-inf") or (
                pools[g].full()
                and pools[g].worst() >= best_alive[b] / length_penalty(caps[g], alpha)
            )
            if not done and t + 1 >= caps[g]:  # cut: the live beams compete, unfinished
                for beam, lp in enumerate(scores[b].tolist()):
                    if lp != float("-inf"):
                        pools[g].add(lp / length_penalty(t + 1, alpha), (t, beam, lp, False))
                done = True
            if not done:
                keep.append(b)
        if not keep:
            break
        flat = (torch.arange(n, device=device).unsqueeze(1) * k + parent).view(n, k)
        if len(keep) < n:
            kept = torch.tensor(keep, device=device)
            context = {name: tensor.index_select(0, kept) for name, tensor in context.items()}
            flat, scores, new_tokens = flat[kept], scores[kept], new_tokens[kept]
            live = [live[b] for b in keep]
        tokens = new_tokens.reshape(-1)
        state = {name: tensor.index_select(0, flat.reshape(-1)) for name, tensor in state.items()}

    parents_list = torch.stack(parents).tolist()  # [t][b][beam], one transfer for the backtrace
    chosen_list = torch.stack(chosen).tolist()
    attention_all = torch.stack(attentions).cpu() if attentions else None
    results = []
    for b in range(batch):
        hyps = []
        for score, (last, beam, lp, ended) in pools[b].best(config.n_best):
            seq, path = _backtrace(b, last, beam, parents_list, chosen_list)
            attn = None
            if attention_all is not None:
                attn = attention_all[
                    torch.arange(len(seq)), b, torch.tensor(path, dtype=torch.long)
                ]
            hyps.append(Hypothesis(seq, score, lp, attn, ended))
        results.append(hyps)
    return results


class _Pool:
    """The best ``size`` ended hypotheses of one input, as (score, payload)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: list[tuple[float, tuple]] = []

    def full(self) -> bool:
        return len(self.items) >= self.size

    def worst(self) -> float:
        return min(score for score, _ in self.items)

    def add(self, score: float, payload: tuple) -> None:
        if not self.full():
            self.items.append((score, payload))
        elif score > self.worst():
            worst_index = min(range(len(self.items)), key=lambda i: self.items[i][0])
            self.items[worst_index] = (score, payload)

    def best(self, n: int) -> list[tuple[float, tuple]]:
        return sorted(self.items, key=lambda item: item[0], reverse=True)[:n]


def _backtrace(
    b: int, last: int, beam: int, parents: list, chosen: list
) -> tuple[list[int], list[int]]:
    """Follow back-pointers from ``beam`` at step ``last`` to the start.

    Returns the tokens and, for each step, which beam slot held the hypothesis.
    """
    seq, path = [], []
    for t in range(last, -1, -1):
        seq.append(chosen[t][b][beam])
        path.append(beam)
        beam = parents[t][b][beam]
    seq.reverse()
    path.reverse()
    return seq, path


def search(
    step_fn: StepFn,
    state: dict[str, torch.Tensor],
    *,
    bos: int,
    eos: int,
    config: DecodeConfig,
    context: dict[str, torch.Tensor] | None = None,
    max_lens: list[int] | None = None,
) -> list[list[Hypothesis]]:
    """Greedy search when ``config.beam_size == 1``, else :func:`beam_search`."""
    fn = greedy_search if config.beam_size == 1 else beam_search
    return fn(step_fn, state, bos=bos, eos=eos, config=config, context=context, max_lens=max_lens)
