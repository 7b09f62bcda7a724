"""Cross-lingual parity: how a tokenizer's cost for one language compares with another's."""

from __future__ import annotations

import numpy as np

from ..counts import CountCell
from . import MetricContext, metric

_PETROV = "Petrov et al. (2023), Language Model Tokenizers Introduce Unfairness Between Languages, NeurIPS"
_DAGAN = "Dagan et al. (2024), Getting the most out of your tokenizer for pre-training and domain adaptation, ICML"
_ARNETT = "Arnett et al. (2024), A Bit of a Problem: Measurement Disparities in Dataset Sizes Across Languages"


@metric("nsl", unit="ratio", higher_is_better=False, source=_DAGAN)
def normalized_sequence_length(context: MetricContext, cell: CountCell) -> float | None:
    """Normalized sequence length against the baseline tokenizer on the same corpus.

    NSL = tokens(tokenizer, corpus) / tokens(baseline, corpus); below 1 means shorter sequences
    than the baseline. The baseline is named in the report's configuration.
    """
    if context.baseline is None:
        return None
    reference = context.cell(context.baseline, cell.corpus_name)
    if reference is None or reference.n_tokens == 0:
        return None
    return cell.n_tokens / reference.n_tokens


def _pivot_cell(context: MetricContext, cell: CountCell) -> CountCell | None:
    if context.pivot is None:
        return None
    pivot = context.cell(cell.tokenizer_name, context.pivot)
    return pivot if pivot is not None and pivot.n_tokens else None


@metric("token_premium", unit="ratio", higher_is_better=False, source=_PETROV)
def token_premium(context: MetricContext, cell: CountCell) -> float | None:
    """Corpus-level token premium against the pivot language on parallel text.

    premium(L) = tokens(L) / tokens(pivot), both encoded by the same tokenizer; 1 for the pivot.
    Only meaningful when the corpora translate each other (NTREX, FLORES, UDHR).
    """
    pivot = _pivot_cell(context, cell)
    return cell.n_tokens / pivot.n_tokens if pivot is not None else None


@metric("token_premium_per_sentence", unit="ratio", higher_is_better=False, source=_PETROV)
def token_premium_per_sentence(context: MetricContext, cell: CountCell) -> float | None:
    """Mean over aligned sentences of tokens(L, i) / tokens(pivot, i).

    Needs corpora declared line-aligned (``line_aligned``; by default, when every corpus has the
    same number of documents); sentence pairs where the
    pivot sentence has no tokens are left out. Petrov et al. report this per-sentence mean;
    tokscope reports the corpus-level ratio, so both are given.
    """
    pivot = _pivot_cell(context, cell)
    if not context.line_aligned or pivot is None or pivot.n_documents != cell.n_documents:
        return None
    usable = pivot.tokens_per_document > 0
    if not usable.any():
        return None
    return float(np.mean(cell.tokens_per_document[usable] / pivot.tokens_per_document[usable]))


@metric("byte_premium", unit="ratio", higher_is_better=False, source=_ARNETT)
def byte_premium(context: MetricContext, cell: CountCell) -> float | None:
    """UTF-8 bytes of the corpus / UTF-8 bytes of the pivot corpus: the tokenizer-free floor.

    A byte-level tokenizer with no merges has exactly this premium; a token premium below it
    means the tokenizer compresses the language better than the pivot.
    """
    pivot = _pivot_cell(context, cell)
    return cell.n_bytes / pivot.n_bytes if pivot is not None and pivot.n_bytes else None


def _premiums(context: MetricContext, tokenizer_name: str) -> np.ndarray:
    values = [token_premium(context, cell) for (name, _), cell in context.cells.items() if name == tokenizer_name]
    return np.array([value for value in values if value is not None], dtype=np.float64)


@metric("premium_max_min_ratio", unit="ratio", higher_is_better=False, source=_PETROV, level="tokenizer")
def premium_max_min_ratio(context: MetricContext, tokenizer_name: str) -> float | None:
    """Disparity: the largest token premium across languages divided by the smallest."""
    premiums = _premiums(context, tokenizer_name)
    return float(premiums.max() / premiums.min()) if premiums.size >= 2 and premiums.min() > 0 else None


@metric("premium_gini", unit="index", higher_is_better=False, source=_PETROV, level="tokenizer")
def premium_gini(context: MetricContext, tokenizer_name: str) -> float | None:
    """Disparity: Gini coefficient of the token premiums across languages.

    G = sum_i sum_j |x_i - x_j| / (2 n^2 mean(x)); 0 when every language costs the same.
    """
    premiums = _premiums(context, tokenizer_name)
    if premiums.size < 2 or premiums.mean() == 0:
        return None
    differences = np.abs(premiums[:, None] - premiums[None, :]).sum()
    return float(differences / (2 * premiums.size**2 * premiums.mean()))
