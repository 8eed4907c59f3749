"""The attention RNN decoder every app shares (captions, translations).

At output step t (Luong et al. 2015's "attentional hidden state" form):

    x_t  = [E y_{t-1}; h~_{t-1}]          (input feeding)   or   E y_{t-1}
    s_t  = RNN(x_t, s_{t-1})              (any cell type, any number of layers)
    c_t, a_t = Attention(s_t, memory)     (additive, dot or general scoring)
    h~_t = tanh(W_c [s_t; c_t; E y_{t-1}])  (deep output: the previous word enters too)
    p(y_t) = softmax(W_o dropout(h~_t))

Training (``forward``) is teacher-forced and as batched as the variant allows: the memory
keys are projected once; without input feeding the RNN runs over the whole target in one
fused call and attention is computed for all steps at once; the vocabulary projection is
always one product over all steps. ``step`` is the same computation for one step, a pure
function of its inputs, for search.
"""

from __future__ import annotations

import torch
from torch import nn

from shared.attention import make_attention
from shared.cells import input_gates, make_fused_rnn, recurrent_step
from shared.decoding import DecodeConfig, Hypothesis, search
from shared.masks import masked_mean


class AttentionRNNDecoder(nn.Module):
    """Embedding + RNN of any cell type + attention over an encoder memory.

    Args:
        vocab_size: output vocabulary V.
        embed_dim: word embedding size E.
        hidden_size: RNN state size H (also the attentional state size).
        memory_dim: encoder output size D.
        cell: ``"rnn"``, ``"lstm"`` or ``"gru"``.
        num_layers: stacked RNN layers.
        attention: ``"additive"`` (Bahdanau), ``"dot"`` or ``"general"`` (Luong).
        attn_dim: hidden size of additive attention (default H).
        input_feeding: feed h~_{t-1} into the RNN at step t (sequential in training).
        deep_output: let the previous word's embedding enter the output layer.
        dropout: on embeddings, between RNN layers and before the output layer.
        padding_idx: the padding token id (its embedding stays zero).
    """

    def __init__(
        self,
        vocab_size: int,
        embed_dim: int,
        hidden_size: int,
        memory_dim: int,
        *,
        cell: str = "lstm",
        num_layers: int = 1,
        attention: str = "additive",
        attn_dim: int | None = None,
        input_feeding: bool = True,
        deep_output: bool = True,
        dropout: float = 0.0,
        padding_idx: int = 0,
    ) -> None:
        super().__init__()
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.input_feeding = input_feeding
        self.deep_output = deep_output
        self.padding_idx = padding_idx
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=padding_idx)
        rnn_input = embed_dim + (hidden_size if input_feeding else 0)
        self.rnn = make_fused_rnn(cell, rnn_input, hidden_size, num_layers, dropout=dropout)
        self.is_lstm = isinstance(self.rnn, nn.LSTM)
        self.attention = make_attention(attention, hidden_size, memory_dim, attn_dim or hidden_size)
        states = 2 if self.is_lstm else 1
        self.init_proj = nn.Linear(memory_dim, states * num_layers * hidden_size)
        combine_in = hidden_size + memory_dim + (embed_dim if deep_output else 0)
        self.combine = nn.Linear(combine_in, hidden_size, bias=False)
        self.output = nn.Linear(hidden_size, vocab_size)
        self.dropout = nn.Dropout(dropout)

    # -- state ------------------------------------------------------------------------------

    def init_state(
        self, memory: torch.Tensor, pad_mask: torch.Tensor | None = None
    ) -> dict[str, torch.Tensor]:
        """Initial decoder state from the encoder summary (the masked mean of the memory).

        Args:
            memory: (B, S, D).
            pad_mask: (B, S) bool, True = padding.

        Returns:
            dict of batch-first tensors: ``h`` (and ``c`` for LSTM) (B, L, H), and
            ``feed`` (B, H) when input feeding is on.
        """
        summary = memory.mean(dim=1) if pad_mask is None else masked_mean(memory, pad_mask)
        batch = memory.size(0)
        init = torch.tanh(self.init_proj(summary)).view(
            batch, -1, self.num_layers, self.hidden_size
        )
        state = {"h": init[:, 0]}
        if self.is_lstm:
            state["c"] = init[:, 1]
        if self.input_feeding:
            state["feed"] = memory.new_zeros(batch, self.hidden_size)
        return state

    def prepare_context(
        self, memory: torch.Tensor, pad_mask: torch.Tensor | None = None
    ) -> dict[str, torch.Tensor]:
        """Per-source constants for :meth:`step`: the memory, its projected keys and its mask."""
        context = {"memory": memory, "keys": self.attention.project_keys(memory)}
        if pad_mask is not None:
            context["pad_mask"] = pad_mask
        return context

    def _rnn_state(self, state: dict[str, torch.Tensor]):
        h = state["h"].transpose(0, 1).contiguous()  # (L, B, H) as the fused RNN wants it
        if self.is_lstm:
            return h, state["c"].transpose(0, 1).contiguous()
        return h

    def _attentional(
        self, rnn_out: torch.Tensor, context: torch.Tensor, embedded: torch.Tensor
    ) -> torch.Tensor:
        parts = [rnn_out, context, embedded] if self.deep_output else [rnn_out, context]
        return torch.tanh(self.combine(torch.cat(parts, dim=-1)))

    # -- training ---------------------------------------------------------------------------

    def forward(
        self,
        tokens: torch.Tensor,
        memory: torch.Tensor,
        pad_mask: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Teacher-forced decoding of whole target prefixes.

        Args:
            tokens: (B, T) decoder inputs (the start symbol, then the target shifted right).
            memory: (B, S, D) encoder outputs.
            pad_mask: (B, S) bool, True = padded memory position.

        Returns:
            logits: (B, T, V).
            attention: (B, T, S), rows sum to 1, zero at padded memory positions.
        """
        if tokens.dim() != 2 or tokens.size(0) == 0 or tokens.size(1) == 0:
            raise ValueError(f"expected non-empty (B, T) tokens, got shape {tuple(tokens.shape)}")
        if memory.size(0) != tokens.size(0):
            raise ValueError(f"batch of {tokens.size(0)} targets but {memory.size(0)} memories")
        state = self.init_state(memory, pad_mask)
        keys = self.attention.project_keys(memory)
        embedded = self.dropout(self.embedding(tokens))
        rnn_state = self._rnn_state(state)
        if not self.input_feeding:
            rnn_out, _ = self.rnn(embedded, rnn_state)  # one fused call over all T steps
            context, weights = self.attention(rnn_out, keys, memory, pad_mask)
            attentional = self._attentional(rnn_out, context, embedded)
        else:
            attentional, weights = self._input_fed_loop(embedded, state, keys, memory, pad_mask)
        logits = self.output(self.dropout(attentional))  # one product over all steps
        return logits, weights

    def _layers_step(self, gates_x: torch.Tensor, states: list) -> tuple[torch.Tensor, list]:
        """Advance every layer one step; layer 0's input gates are given."""
        new_states = []
        for layer in range(self.num_layers):
            if layer > 0:
                below = new_states[-1][0] if self.is_lstm else new_states[-1]
                below = nn.functional.dropout(below, self.rnn.dropout, self.training)
                gates_x = input_gates(self.rnn, layer, below)
            new_states.append(recurrent_step(self.rnn, layer, gates_x, states[layer]))
        top = new_states[-1]
        return (top[0] if self.is_lstm else top), new_states

    def _split_layers(self, state: dict[str, torch.Tensor]) -> list:
        if self.is_lstm:
            return list(zip(state["h"].unbind(1), state["c"].unbind(1), strict=True))
        return list(state["h"].unbind(1))

    def _join_layers(self, states: list) -> dict[str, torch.Tensor]:
        if self.is_lstm:
            return {
                "h": torch.stack([h for h, _ in states], 1),
                "c": torch.stack([c for _, c in states], 1),
            }
        return {"h": torch.stack(states, 1)}

    def _input_fed_loop(self, embedded, state, keys, memory, pad_mask):
        """Teacher-forced steps with input feeding: sequential by nature, so the work that
        does not depend on the previous step (the embedding's share of the first layer's
        gates) is done for all steps in one product before the loop."""
        embed_dim = embedded.size(-1)
        gates_from_words = input_gates(self.rnn, 0, embedded, slice(0, embed_dim)).unbind(1)
        feed_columns = slice(embed_dim, None)
        states = self._split_layers(state)
        feed = state["feed"]
        outputs, all_weights = [], []
        for gates_word, word in zip(gates_from_words, embedded.unbind(1), strict=True):
            gates_x = gates_word + input_gates(self.rnn, 0, feed, feed_columns)
            top, states = self._layers_step(gates_x, states)
            context, weights = self.attention(top, keys, memory, pad_mask)
            feed = self._attentional(top, context, word)
            outputs.append(feed)
            all_weights.append(weights)
        return torch.stack(outputs, dim=1), torch.stack(all_weights, dim=1)

    # -- search -----------------------------------------------------------------------------

    def step(
        self,
        tokens: torch.Tensor,
        state: dict[str, torch.Tensor],
        context: dict[str, torch.Tensor],
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor], torch.Tensor]:
        """One decoding step; pure (inputs are not modified).

        Args:
            tokens: (N,) previous tokens.
            state: from :meth:`init_state` or a previous step, tensors (N, ...).
            context: from :meth:`prepare_context`, tensors (B, ...) with N a multiple of B
                (consecutive rows share a context row: the beams of one input).

        Returns:
            log_probs: (N, V).
            state: the next state.
            attention: (N, S).
        """
        embedded = self.dropout(self.embedding(tokens))
        step_in = torch.cat([embedded, state["feed"]], -1) if self.input_feeding else embedded
        top, states = self._layers_step(
            input_gates(self.rnn, 0, step_in), self._split_layers(state)
        )
        ctx, weights = self.attention(
            top, context["keys"], context["memory"], context.get("pad_mask")
        )
        attentional = self._attentional(top, ctx, embedded)
        log_probs = torch.log_softmax(self.output(self.dropout(attentional)), dim=-1)
        new_state = self._join_layers(states)
        if self.input_feeding:
            new_state["feed"] = attentional
        return log_probs, new_state, weights

    @torch.no_grad()
    def generate(
        self,
        memory: torch.Tensor,
        pad_mask: torch.Tensor | None,
        *,
        bos: int,
        eos: int,
        config: DecodeConfig,
        max_lens: list[int] | None = None,
    ) -> list[list[Hypothesis]]:
        """Decode a batch of memories with greedy or beam search (``config.beam_size``).

        Args:
            memory: (B, S, D).
            pad_mask: (B, S) bool, True = padding, or None.
            bos, eos: start and end symbol ids.
            config: search settings.
            max_lens: a length cap per input (batching then never changes a result).

        Returns:
            B lists of ``config.n_best`` hypotheses, best first.
        """
        banned = torch.tensor([self.padding_idx, bos], device=memory.device)

        def step_fn(tokens, state, context):
            # Padding and the start symbol are never outputs.
            log_probs, state, weights = self.step(tokens, state, context)
            return log_probs.index_fill_(1, banned, float("-inf")), state, weights

        return search(
            step_fn,
            self.init_state(memory, pad_mask),
            bos=bos,
            eos=eos,
            config=config,
            context=self.prepare_context(memory, pad_mask),
            max_lens=max_lens,
        )
