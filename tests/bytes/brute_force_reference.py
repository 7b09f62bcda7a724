"""Brute-force byte probabilities: every segmentation, the tokenizer's own library, no KV cache.

Independent of the code under test on every point that matters: canonicality is decided by
re-encoding with the ``tokenizers`` library (not our BPE replay), covers come from enumerating all
segmentations of every prefix (not from prefix-closure or look-back arguments), and token
probabilities from a fresh full forward pass per sequence (no prefix tree, no cache).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import torch


class BruteForce:
    def __init__(self, model, tokenizer, *, renormalize: bool) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.renormalize = renormalize
        self.bos = tokenizer.special_tokens["<|bos|>"]
        special = set(tokenizer.special_tokens.values())
        self.vocab = {token_id: data for token_id, data in tokenizer.token_bytes_by_id.items() if token_id not in special}
        self.tilde = tokenizer.encode_ordinary("~")[0]
        self.log_probs = lru_cache(maxsize=None)(self._log_probs)
        self.is_canonical = lru_cache(maxsize=None)(self._is_canonical)
        self.log_normalizer = lru_cache(maxsize=None)(self._log_normalizer)

    def _log_probs(self, context: tuple[int, ...]) -> np.ndarray:
        with torch.no_grad():
            logits = self.model(input_ids=torch.tensor([[self.bos, *context]])).logits[0, -1]
        return torch.log_softmax(logits.double(), dim=-1).numpy()

    def _is_canonical(self, ids: tuple[int, ...]) -> bool:
        """Re-encode with the ``tokenizers`` library; compare ids.

        The library takes only text, so a byte that is not part of valid UTF-8 is written as
        ``~``, a symbol that occurs in no merge of the tiny tokenizers. That is the documented
        meaning of such bytes (one non-letter, non-digit, non-space character), applied with an
        engine other than the one under test.
        """
        text = b"".join(self.vocab[token_id] for token_id in ids).decode("utf-8", errors="surrogateescape")
        expected = []
        for token_id in ids:
            token = self.vocab[token_id]
            stray = len(token) == 1 and token[0] >= 0x80 and chr(0xDC00 + token[0]) in text
            expected.append(self.tilde if stray else token_id)
        plain = "".join("~" if 0xDC80 <= ord(char) <= 0xDCFF else char for char in text)
        return tuple(self.tokenizer.encode_ordinary(plain)) == tuple(expected)

    def _log_normalizer(self, context: tuple[int, ...]) -> float:
        valid = [token_id for token_id in self.vocab if self.is_canonical((*context, token_id))]
        return float(np.logaddexp.reduce(self.log_probs(context)[valid]))

    def sequence_log_probability(self, ids: tuple[int, ...]) -> float:
        total = 0.0
        for position, token_id in enumerate(ids):
            context = ids[:position]
            total += self.log_probs(context)[token_id]
            if self.renormalize:
                total -= self.log_normalizer(context)
        return total

    def segmentations(self, data: bytes) -> list[tuple[int, ...]]:
        if not data:
            return [()]
        found = []
        for token_id, token in self.vocab.items():
            if data.startswith(token):
                found.extend((token_id, *rest) for rest in self.segmentations(data[len(token) :]))
        return found

    def covers(self, data: bytes) -> list[tuple[int, ...]]:
        """Canonical sequences whose last token starts inside ``data`` and reaches or passes its end."""
        result = []
        for start in range(len(data)):
            for head in self.segmentations(data[:start]):
                for token_id, token in self.vocab.items():
                    if token.startswith(data[start:]):
                        candidate = (*head, token_id)
                        if self.is_canonical(candidate):
                            result.append(candidate)
        return result

    def prefix_log_probability(self, data: bytes) -> float:
        """``log`` of the summed probability of the canonical covers of ``data``."""
        if not data:
            return 0.0
        terms = [self.sequence_log_probability(cover) for cover in self.covers(data)]
        return float(np.logaddexp.reduce(terms)) if terms else -math.inf

    def next_byte_distribution(self, data: bytes) -> np.ndarray:
        """Mass of the covers of ``data + b`` for every ``b``, normalised over ``b``."""
        masses = np.zeros(256)
        for start in range(len(data) + 1):
            for head in self.segmentations(data[:start]):
                for token_id, token in self.vocab.items():
                    rest = data[start:]
                    if len(token) > len(rest) and token.startswith(rest):
                        candidate = (*head, token_id)
                        if self.is_canonical(candidate):
                            masses[token[len(rest)]] += math.exp(self.sequence_log_probability(candidate))
        return masses / masses.sum()
