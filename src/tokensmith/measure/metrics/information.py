"""Information-theoretic metrics on the unigram distribution of tokens."""

from __future__ import annotations

import numpy as np

from ..counts import CountCell
from . import MetricContext, metric

_ZOUHAR = "Zouhar et al. (2023), Tokenization and the Noiseless Channel, ACL"


def _renyi_entropy_bits(probabilities: np.ndarray, alpha: float) -> float:
    if alpha == 1.0:
        return float(-(probabilities * np.log2(probabilities)).sum())
    return float(np.log2(np.power(probabilities, alpha).sum()) / (1.0 - alpha))


def _efficiency(cell: CountCell, alpha: float, vocab_size: int) -> float | None:
    if cell.n_tokens == 0 or vocab_size < 2:
        return None
    return _renyi_entropy_bits(cell.token_probabilities, alpha) / np.log2(vocab_size)


@metric("renyi_efficiency", unit="fraction", higher_is_better=True, source=_ZOUHAR)
def renyi_efficiency(context: MetricContext, cell: CountCell) -> float | None:
    """Rényi efficiency with |V| the full vocabulary (special tokens excluded).

    H_a(p) / log |V| with H_a(p) = log(sum_t p(t)^a) / (1 - a) over the unigram token
    distribution; a = the report's ``renyi_alpha`` (default 2.5, the paper's choice;
    tokenization-scorer defaults to 3).
    """
    return _efficiency(cell, context.renyi_alpha, cell.ordinary_vocab_size)


@metric("renyi_efficiency_observed", unit="fraction", higher_is_better=True, source=_ZOUHAR)
def renyi_efficiency_observed(context: MetricContext, cell: CountCell) -> float | None:
    """Rényi efficiency with |V| the number of token types observed in this corpus.

    Same formula as ``renyi_efficiency``; tokenization-scorer's default |V|.
    """
    return _efficiency(cell, context.renyi_alpha, int(cell.token_types.size))


@metric("shannon_efficiency", unit="fraction", higher_is_better=True, source=_ZOUHAR)
def shannon_efficiency(context: MetricContext, cell: CountCell) -> float | None:
    """Shannon efficiency with |V| the full vocabulary: H(p) / log |V|, H(p) = -sum p log p."""
    return _efficiency(cell, 1.0, cell.ordinary_vocab_size)


@metric("shannon_efficiency_observed", unit="fraction", higher_is_better=True, source=_ZOUHAR)
def shannon_efficiency_observed(context: MetricContext, cell: CountCell) -> float | None:
    """Shannon efficiency with |V| the number of token types observed in this corpus."""
    return _efficiency(cell, 1.0, int(cell.token_types.size))


@metric("vocabulary_utilisation", unit="fraction", higher_is_better=True, source="-")
def vocabulary_utilisation(context: MetricContext, cell: CountCell) -> float | None:
    """Share of the vocabulary used by this corpus: observed token types / ordinary tokens."""
    if not cell.ordinary_vocab_size:
        return None
    return cell.token_types.size / cell.ordinary_vocab_size
