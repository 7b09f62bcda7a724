"""What every byte-level model offers, written once on top of ``next_byte_distribution``.

A byte-level model gives a probability for each of the 256 possible next bytes after any prefix.
From that follow the log-probability of a text (chain rule), bits per byte, and generation with
greedy, temperature or nucleus (top-p, Holtzman et al. 2020) sampling. The exact model, token
healing, the naive token-level baseline and ensembles all share this interface, so they can be
compared and mixed freely.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from .._errors import TokensmithError

__all__ = ["ByteModel", "SamplingOptions", "choose_index"]


@dataclass(frozen=True)
class SamplingOptions:
    """How to pick the next symbol from a distribution.

    ``greedy`` takes the most probable symbol (ties: the lowest). Otherwise probabilities are
    raised to ``1 / temperature``, cut to the smallest set whose mass reaches ``top_p``, and sampled
    with a generator seeded by ``seed`` (None: fresh entropy).
    """

    temperature: float = 1.0
    top_p: float = 1.0
    greedy: bool = False
    seed: int | None = None

    def __post_init__(self) -> None:
        if not self.greedy and not self.temperature > 0:
            raise TokensmithError(f"temperature={self.temperature}: must be > 0 (use greedy=True for argmax)")
        if not 0 < self.top_p <= 1:
            raise TokensmithError(f"top_p={self.top_p}: must be in (0, 1]")


def choose_index(probabilities: np.ndarray, options: SamplingOptions, rng: np.random.Generator) -> int:
    """Pick an index of ``probabilities`` (non-negative, any total) according to ``options``."""
    if options.greedy:
        return int(np.argmax(probabilities))
    weights = np.asarray(probabilities, dtype=np.float64)
    if options.temperature != 1.0:
        with np.errstate(divide="ignore"):
            logits = np.log(weights) / options.temperature
        weights = np.exp(logits - logits.max())
    weights = weights / weights.sum()
    if options.top_p < 1.0:
        order = np.argsort(-weights, kind="stable")
        cumulative = np.cumsum(weights[order])
        keep = order[: int(np.searchsorted(cumulative, options.top_p)) + 1]
        trimmed = np.zeros_like(weights)
        trimmed[keep] = weights[keep]
        weights = trimmed / trimmed.sum()
    return int(rng.choice(len(weights), p=weights))


class ByteModel(ABC):
    """A distribution over the next byte given any byte prefix (valid UTF-8 or not)."""

    @abstractmethod
    def next_byte_distribution(self, prefix: bytes) -> np.ndarray:
        """Probabilities of the 256 possible next bytes after ``prefix`` (float64, sums to 1)."""

    def logprob(self, text: bytes, *, prefix: bytes = b"") -> float:
        """Natural-log probability of ``text`` following ``prefix``: sum of next-byte log-probabilities."""
        total = 0.0
        for position in range(len(text)):
            probability = float(self.next_byte_distribution(prefix + text[:position])[text[position]])
            if probability <= 0.0:
                return -math.inf
            total += math.log(probability)
        return total

    def bits_per_byte(self, text: bytes, *, prefix: bytes = b"") -> float:
        """``-log2 P(text | prefix) / len(text)``."""
        if not text:
            raise TokensmithError("bits per byte of an empty text is undefined; pass at least one byte")
        return -self.logprob(text, prefix=prefix) / math.log(2.0) / len(text)

    def generate(
        self,
        prompt: bytes,
        max_bytes: int,
        *,
        temperature: float = 1.0,
        top_p: float = 1.0,
        greedy: bool = False,
        seed: int | None = None,
    ) -> bytes:
        """Continue ``prompt`` byte by byte; returns the ``max_bytes`` new bytes (not the prompt)."""
        options = SamplingOptions(temperature=temperature, top_p=top_p, greedy=greedy, seed=seed)
        rng = np.random.default_rng(seed)
        generated = bytearray()
        for _ in range(max_bytes):
            distribution = self.next_byte_distribution(prompt + bytes(generated))
            generated.append(choose_index(distribution, options, rng))
        return bytes(generated)
