"""Data-mixture inference recovers the known mixtures our trainer was given (within 5 points)."""

from __future__ import annotations

import pytest

from tokensmith.measure.mixture import infer_mixture
from tokensmith.train import BpeTrainingOptions, train_bpe


def _lines(shared_data, language):
    path = shared_data / "ntrex-128" / "NTREX-128" / f"newstest2019-ref.{language}.txt"
    return path.read_text(encoding="utf-8").splitlines()


def _take_bytes(lines, budget):
    taken, size = [], 0
    for line in lines:
        if size >= budget:
            break
        taken.append(line)
        size += len(line.encode("utf-8")) + 1
    return taken


@pytest.mark.slow  # trains two tokenizers and solves LPs with ~18k constraints: ~15 s of CPU
@pytest.mark.parametrize("mixture", [{"eng-US": 0.7, "fra": 0.3}, {"eng-US": 0.5, "deu": 0.3, "tur": 0.2}])
def test_recovers_training_mixture_within_five_points(shared_data, tmp_path, mixture):
    total = 150_000
    training, held_out, sizes = [], {}, {}
    for language, share in mixture.items():
        lines = _lines(shared_data, language)
        taken = _take_bytes(lines[:1000], int(total * share))  # train on the first half ...
        sizes[language] = sum(len(line.encode("utf-8")) + 1 for line in taken)
        training += taken
        held_out[language] = lines[1000:]  # ... infer from the other half, never seen in training
    assert all(abs(sizes[language] / sum(sizes.values()) - share) < 0.005 for language, share in mixture.items())
    corpus = tmp_path / "mixture.txt"
    corpus.write_text("\n".join(training) + "\n", encoding="utf-8")
    tokenizer = train_bpe([corpus], BpeTrainingOptions(vocab_size=256 + 400 + 1)).tokenizer
    estimate = infer_mixture(tokenizer, held_out, merges_to_use=300)
    for language, share in mixture.items():
        assert estimate.proportions[language] == pytest.approx(share, abs=0.05), estimate
    assert sum(estimate.proportions.values()) == pytest.approx(1.0)
