"""The recurrent-network library behind every app of the suite.

Cells by name (:mod:`shared.cells`), masks (:mod:`shared.masks`), attention
(:mod:`shared.attention`), the attention decoder (:mod:`shared.decoder`), search
(:mod:`shared.decoding`), vocabularies, saving and loading, the training loop, metrics,
plots and command-line helpers.
"""

from shared.attention import (
    AdditiveAttention,
    DotAttention,
    GeneralAttention,
    attention_entropy,
    doubly_stochastic_penalty,
    make_attention,
)
from shared.cells import CELL_TYPES, SequenceRNN, make_rnn, make_rnn_cell
from shared.decoder import AttentionRNNDecoder
from shared.decoding import DecodeConfig, Hypothesis, beam_search, greedy_search, search
from shared.masks import lengths_to_pad_mask, masked_mean, pack, unpack
from shared.pretrained import ModelLoadError, load_config, load_weights, save_pretrained
from shared.training import FitResult, TrainConfig, fit
from shared.vocab import Vocabulary

__all__ = [
    "CELL_TYPES",
    "AdditiveAttention",
    "AttentionRNNDecoder",
    "DecodeConfig",
    "DotAttention",
    "FitResult",
    "GeneralAttention",
    "Hypothesis",
    "ModelLoadError",
    "SequenceRNN",
    "TrainConfig",
    "Vocabulary",
    "attention_entropy",
    "beam_search",
    "doubly_stochastic_penalty",
    "fit",
    "greedy_search",
    "lengths_to_pad_mask",
    "load_config",
    "load_weights",
    "make_attention",
    "make_rnn",
    "make_rnn_cell",
    "masked_mean",
    "pack",
    "save_pretrained",
    "search",
    "unpack",
]
