"""Byte-level ensembles: models with different vocabularies mixed one byte at a time.

Once each model gives a distribution over the same 256 bytes, their vocabularies no longer need to
agree. Phan et al. (2024, section 5.2) average the members' next-byte distributions; we take the
weighted arithmetic mixture ``sum_i w_i P_i(b | prefix)`` (weights normalised to sum to one).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._errors import TokensmithError
from ._interface import ByteModel

__all__ = ["ByteEnsemble"]


class ByteEnsemble(ByteModel):
    """A weighted mixture of byte-level models' next-byte distributions."""

    def __init__(self, members: Sequence[ByteModel], weights: Sequence[float] | None = None) -> None:
        if not members:
            raise TokensmithError("an ensemble needs at least one member model")
        raw = np.ones(len(members)) if weights is None else np.asarray(weights, dtype=np.float64)
        if raw.shape != (len(members),):
            raise TokensmithError(f"{len(raw)} weights for {len(members)} models; give one weight per model")
        if (raw < 0).any() or not raw.sum() > 0:
            raise TokensmithError(f"weights {list(raw)}: must be non-negative with a positive sum")
        self.members = list(members)
        self.weights = raw / raw.sum()

    def next_byte_distribution(self, prefix: bytes) -> np.ndarray:
        mixture = np.zeros(256)
        for weight, member in zip(self.weights, self.members, strict=True):
            if weight > 0:
                mixture += weight * member.next_byte_distribution(prefix)
        return mixture / mixture.sum()
