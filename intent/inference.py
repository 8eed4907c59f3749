"""Classify requests with a trained model: ``IntentClassifier``.

from intent import IntentClassifier
clf = IntentClassifier.from_pretrained("gru")
r = clf.classify("what time is it?")
r.intent, r.confidence, r.probs, r.tokens, r.per_step, r.states, r.slots
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from intent.bio import allowed_transitions, best_bio_path, spans_from_tags
from intent.data import OUT_OF_SCOPE, Encoded, Encoder, collate
from intent.model import FORMAT_VERSION, MODEL_TYPE, IntentConfig, JointIntentModel
from intent.text import normalize, tokenize
from shared.pretrained import list_pretrained as _list_pretrained
from shared.pretrained import load_pretrained
from shared.vocab import Vocabulary

PRETRAINED_DIR = Path(__file__).parent / "pretrained"
DEFAULT_MODEL = "gru"
VOCAB_NAME = "vocab.json"
LABELS_NAME = "labels.json"
MAX_WORDS = 100  # a request and the memory test's 60 filler words fit


@dataclass
class IntentResult:
    """What the model made of one request.

    Attributes:
        intent: the most likely intent (``out_of_scope`` for an empty request).
        confidence: its probability.
        probs: intent -> probability.
        tokens: the words the model read.
        per_step: (len(tokens), n_intents) the intent distribution after each word (what the
            model would say had the request ended there); columns in :attr:`IntentClassifier.intents` order.
        states: (len(tokens), H) the RNN's output after each word.
        slots: ``(slot, text, start, end)`` for each tagged value; ``text[start:end]`` of
            the request.
    """

    intent: str
    confidence: float
    probs: dict[str, float]
    tokens: list[str]
    per_step: np.ndarray
    states: np.ndarray
    slots: list[tuple[str, str, int, int]]


def list_pretrained() -> list[str]:
    """Names of the shipped intent models."""
    return _list_pretrained(PRETRAINED_DIR)


class IntentClassifier:
    """An intent model with its vocabulary; owns tokenisation and decoding of slots.

    Args:
        model: a :class:`JointIntentModel`.
        encoder: its :class:`intent.data.Encoder` (vocabulary, n-gram buckets, labels).
        device: where to run (default: CPU).
    """

    def __init__(
        self, model: JointIntentModel, encoder: Encoder, device: str | torch.device = "cpu"
    ) -> None:
        self.model = model.to(device).eval()
        self.config: IntentConfig = model.config
        self.encoder = encoder
        self.device = torch.device(device)
        self._allowed = allowed_transitions(encoder.tags)

    @classmethod
    def from_pretrained(
        cls, name_or_dir: str | Path = DEFAULT_MODEL, device: str | torch.device = "cpu"
    ) -> IntentClassifier:
        """Load a shipped model by name (``rnn``, ``lstm``, ``gru``) or a model directory."""
        model, directory = load_pretrained(
            name_or_dir, PRETRAINED_DIR, IntentConfig, JointIntentModel,
            model_type=MODEL_TYPE, format_version=FORMAT_VERSION,
        )  # fmt: skip
        labels = json.loads((directory / LABELS_NAME).read_text(encoding="utf-8"))
        vocab = Vocabulary.load(directory / VOCAB_NAME)
        encoder = Encoder(vocab, model.config.ngram_buckets, labels["intents"], labels["tags"])
        return cls(model, encoder, device)

    @property
    def intents(self) -> list[str]:
        return self.encoder.intents

    def _words(self, text: str) -> list:
        if not isinstance(text, str):
            raise TypeError(f"a request is a str, not {type(text).__name__}")
        tokens = tokenize(text)
        if len(tokens) > MAX_WORDS:
            raise ValueError(f"the request has {len(tokens)} words; the limit is {MAX_WORDS}")
        return tokens

    def _batch(self, token_lists: list[list]) -> dict[str, torch.Tensor]:
        encoded = []
        for tokens in token_lists:
            ids, grams = self.encoder.encode_words([t.text for t in tokens])
            encoded.append(Encoded(ids, grams, tags=[], intent=0))
        batch = collate(encoded)
        return {k: v.to(self.device) for k, v in batch.items()}

    @torch.no_grad()
    def _run(self, token_lists: list[list]) -> tuple[torch.Tensor, ...]:
        """Intent probabilities (B, n), slot tag ids (B, T), RNN outputs (B, T, H) and the
        intent probabilities after each word (B, T, n). The tags are the best valid BIO
        sequence (Viterbi), not each word's best tag: "O I-date" cannot come out."""
        batch = self._batch(token_lists)
        intent, slots, outputs = self.model(batch["words"], batch["ngrams"], batch["lengths"])
        if self.config.bidirectional:
            per_step = self._prefix_probs(token_lists)
        else:
            per_step = self.model.prefix_intent_logits(outputs).softmax(-1).cpu()
        slot_log_probs = slots.log_softmax(-1).cpu().numpy()
        tags = torch.zeros(slots.shape[:2], dtype=torch.long)
        for i, tokens in enumerate(token_lists):
            path = best_bio_path(slot_log_probs[i, : len(tokens)], self._allowed)
            tags[i, : len(path)] = torch.tensor(path, dtype=torch.long)
        return intent.softmax(-1).cpu(), tags, outputs.cpu(), per_step

    def _prefix_probs(self, token_lists: list[list]) -> torch.Tensor:
        # A bidirectional model reads the whole request at every word, so "the intent had it
        # ended here" needs a run on every prefix (all in one batch).
        prefixes = [tokens[:k] for tokens in token_lists for k in range(1, len(tokens) + 1)]
        T = max(1, max(map(len, token_lists)))
        out = torch.zeros(len(token_lists), T, len(self.intents))
        if prefixes:
            batch = self._batch(prefixes)
            probs = (
                self.model(batch["words"], batch["ngrams"], batch["lengths"])[0].softmax(-1).cpu()
            )
            k = 0
            for i, tokens in enumerate(token_lists):
                out[i, : len(tokens)] = probs[k : k + len(tokens)]
                k += len(tokens)
        return out

    def classify(self, text: str) -> IntentResult:
        """Classify one request (see :class:`IntentResult`).

        Raises:
            ValueError: over :data:`MAX_WORDS` words.
        """
        return self.classify_batch([text])[0]

    def classify_batch(self, texts: list[str]) -> list[IntentResult]:
        """Classify many requests in one batch; the same results as one by one."""
        token_lists = [self._words(t) for t in texts]
        if not texts:
            return []
        probs, tags, outputs, per_step = self._run(token_lists)
        return [
            self._result(text, tokens, probs[i], tags[i, : len(tokens)], outputs[i, : len(tokens)], per_step[i, : len(tokens)].numpy())
            for i, (text, tokens) in enumerate(zip(texts, token_lists, strict=True))
        ]  # fmt: skip

    def _result(self, text, tokens, probs, tags, states, per_step) -> IntentResult:
        if not tokens:  # nothing to read: none of the intents
            probs = torch.zeros(len(self.intents))
            probs[self.intents.index(OUT_OF_SCOPE)] = 1.0
        best = int(probs.argmax())
        normalized = normalize(text)
        shown = normalized if len(normalized) != len(text) else text  # offsets index this
        tag_names = [self.encoder.tags[int(t)] for t in tags]
        slots = [
            (slot, shown[tokens[a].start : tokens[b - 1].end], tokens[a].start, tokens[b - 1].end)
            for slot, a, b in spans_from_tags(tag_names)
        ]
        return IntentResult(
            intent=self.intents[best],
            confidence=float(probs[best]),
            probs={name: float(p) for name, p in zip(self.intents, probs, strict=True)},
            tokens=[t.text for t in tokens],
            per_step=per_step.reshape(len(tokens), len(self.intents)),
            states=states.numpy(),
            slots=slots,
        )

    def word_influence(self, text: str, intent: str | None = None) -> np.ndarray:
        """(len(tokens),) each word's influence on the decision: the norm of the gradient of
        the intent's logit (default: the chosen one) with respect to the word's input vector
        (its embedding plus n-gram embedding), divided by the largest."""
        tokens = self._words(text)
        if not tokens:
            return np.zeros(0)
        batch = self._batch([tokens])
        embedded = self.model.embed(batch["words"], batch["ngrams"]).detach().requires_grad_(True)
        with torch.enable_grad():
            _, pooled = self.model.encode(embedded, batch["lengths"])
            logits = self.model.intent_head(pooled)[0]
            target = self.intents.index(intent) if intent else int(logits.argmax())
            logits[target].backward()
        norms = embedded.grad[0].norm(dim=-1).cpu().numpy()
        return norms / max(float(norms.max()), 1e-12)
