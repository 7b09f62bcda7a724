"""Data-mixture inference: which mix of candidate categories a BPE merge list was trained on.

Follows Hayase et al. (2024), "Data Mixture Inference: What do BPE Tokenizers Reveal about their
Training Data?". A BPE trainer picks, at every step t, the most frequent pair of the *training*
data after merges 1..t-1. If the training data mixes categories in proportions alpha_i, the pair
frequencies are sum_i alpha_i * f_i(p), where f_i are the (per-byte) pair frequencies of a sample
of category i after replaying the same merges. So for every step t and every competing pair p:

    sum_i alpha_i * (f_i^t(m_t) - f_i^t(p)) + v_t >= 0,   alpha >= 0, sum alpha = 1, v >= 0

and the mixture is the alpha minimising sum_t v_t (the slack absorbs sampling noise). The linear
program is solved with SciPy's HiGHS. As in the paper, only the most frequent competing pairs of
each step are written as constraints (the others are far from binding).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import regex

from .._errors import OptionalDependencyError, TokensmithError
from .._tokenizer import Tokenizer

__all__ = ["MixtureEstimate", "infer_mixture"]


@dataclass(frozen=True)
class MixtureEstimate:
    """Estimated proportions of each category in the tokenizer's training data."""

    proportions: dict[str, float]
    merges_used: int
    constraints: int
    objective: float
    """Total slack: 0 when some mixture explains every merge exactly."""


class _MergeReplay:
    """Pair counts of one sample's pre-tokens while merges are applied in order."""

    def __init__(self, pretoken_counts: Counter[bytes]) -> None:
        self.words: list[list[bytes]] = [[bytes([byte]) for byte in word] for word in pretoken_counts]
        self.counts: list[int] = list(pretoken_counts.values())
        self.pairs: Counter[tuple[bytes, bytes]] = Counter()
        self.where: defaultdict[tuple[bytes, bytes], set[int]] = defaultdict(set)
        for index, symbols in enumerate(self.words):
            for pair in zip(symbols, symbols[1:]):
                self.pairs[pair] += self.counts[index]
                self.where[pair].add(index)

    def apply(self, left: bytes, right: bytes) -> None:
        for index in list(self.where.pop((left, right), ())):
            symbols, count = self.words[index], self.counts[index]
            for pair in zip(symbols, symbols[1:]):
                self.pairs[pair] -= count
            merged: list[bytes] = []
            position = 0
            while position < len(symbols):
                if position + 1 < len(symbols) and symbols[position] == left and symbols[position + 1] == right:
                    merged.append(left + right)
                    position += 2
                else:
                    merged.append(symbols[position])
                    position += 1
            self.words[index] = merged
            for pair in zip(merged, merged[1:]):
                self.pairs[pair] += count
                self.where[pair].add(index)
        self.pairs.pop((left, right), None)


def infer_mixture(
    tokenizer: Tokenizer,
    samples: Mapping[str, Sequence[str]],
    *,
    merges_to_use: int = 300,
    competitors_per_category: int = 30,
) -> MixtureEstimate:
    """Estimate the training mixture of ``tokenizer`` over the categories in ``samples``.

    ``samples`` maps a category name to documents of that category (a few hundred KB each is
    plenty). The tokenizer needs a merge list and its split pattern.
    """
    if not tokenizer.merges or tokenizer.pattern is None:
        raise TokensmithError(f"{tokenizer.name}: mixture inference needs a merge list and a split pattern; this tokenizer has {'no merges' if not tokenizer.merges else 'no pattern'}")
    if len(samples) < 2:
        raise TokensmithError("mixture inference needs samples of at least two categories")
    names = list(samples)
    pattern = regex.compile(tokenizer.pattern)
    replays, sizes = [], []
    for name in names:
        counts: Counter[bytes] = Counter()
        for document in samples[name]:
            counts.update(piece.encode("utf-8") for piece in pattern.findall(document))
        size = sum(len(document.encode("utf-8")) for document in samples[name])
        if size == 0:
            raise TokensmithError(f"sample of category {name!r} is empty; give some text for every category")
        replays.append(_MergeReplay(counts))
        sizes.append(size)
    steps = min(merges_to_use, len(tokenizer.merges))
    rows = _constraint_rows(tokenizer.merges[:steps], replays, np.array(sizes, dtype=np.float64), competitors_per_category)
    proportions, objective = _solve(rows, len(names), steps)
    return MixtureEstimate(dict(zip(names, proportions)), steps, int(rows.shape[0]), objective)


def _constraint_rows(merges: Sequence[tuple[bytes, bytes]], replays: list[_MergeReplay], sizes: np.ndarray, competitors: int) -> np.ndarray:
    """One row per (step, competing pair): ``-(f(chosen) - f(pair)) . alpha - v_step <= 0``."""
    rows: list[np.ndarray] = []
    categories, steps = len(replays), len(merges)
    for step, chosen in enumerate(merges):
        rivals = {pair for replay in replays for pair, _ in replay.pairs.most_common(competitors + 1)} - {chosen}
        for pair in rivals:
            row = np.zeros(categories + steps)
            row[:categories] = -np.array([replay.pairs.get(chosen, 0) - replay.pairs.get(pair, 0) for replay in replays]) / sizes
            row[categories + step] = -1.0
            rows.append(row)
        for replay in replays:
            replay.apply(*chosen)
    # Frequencies are per byte, so slacks are tiny numbers; scale them up for the solver.
    return np.vstack(rows) * 1e4 if rows else np.zeros((0, categories + steps))


def _solve(rows: np.ndarray, categories: int, steps: int) -> tuple[list[float], float]:
    """Minimise total slack; then report the middle of each proportion's near-optimal range.

    Many mixtures are usually (almost) as good as the optimum, and the optimum is a vertex of
    that set, which would bias the estimate towards an edge.
    """
    try:
        from scipy.optimize import linprog
    except ImportError:
        raise OptionalDependencyError("mixture inference", "scipy", "measure") from None
    objective = np.concatenate([np.zeros(categories), np.ones(steps)])
    equality = np.concatenate([np.ones(categories), np.zeros(steps)])[None, :]
    bounds = [(0, None)] * (categories + steps)
    result = linprog(objective, A_ub=rows, b_ub=np.zeros(rows.shape[0]), A_eq=equality, b_eq=[1.0], bounds=bounds, method="highs")
    if not result.success:
        raise TokensmithError(f"mixture linear program failed: {result.message}")
    near_optimal = np.vstack([rows, objective[None, :]])
    limits = np.concatenate([np.zeros(rows.shape[0]), [result.fun * 1.05 + 1e-9]])
    middles = []
    for index in range(categories):
        direction = np.zeros(categories + steps)
        direction[index] = 1.0
        ends = [linprog(sign * direction, A_ub=near_optimal, b_ub=limits, A_eq=equality, b_eq=[1.0], bounds=bounds, method="highs") for sign in (1.0, -1.0)]
        middles.append((ends[0].x[index] + ends[1].x[index]) / 2 if all(end.success for end in ends) else float(result.x[index]))
    total = sum(middles)
    return [float(value / total) for value in middles], float(result.fun)
