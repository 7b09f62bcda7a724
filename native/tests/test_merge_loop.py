"""train_merges equals a brute-force BPE written here, merge for merge."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from tokensmith import _native
from tokensmith._errors import TrainingError
from tokensmith._patterns import PATTERNS


def brute_force_merges(
    words: list[list[int]],
    counts: list[int],
    token_lengths: list[int],
    n_merges: int,
    max_token_length: int = 0,
    min_pair_count: int = 1,
) -> list[tuple[int, int]]:
    """Recount every pair each step; pick the highest count, ties to the smallest pair."""
    words = [list(word) for word in words]
    lengths = list(token_lengths)
    merges: list[tuple[int, int]] = []
    while len(merges) < n_merges:
        pairs: Counter[tuple[int, int]] = Counter()
        for word, count in zip(words, counts):
            for pair in zip(word, word[1:]):
                if max_token_length <= 0 or lengths[pair[0]] + lengths[pair[1]] <= max_token_length:
                    pairs[pair] += count
        pairs = Counter({pair: c for pair, c in pairs.items() if c > 0})
        if not pairs:
            break
        best = min(pairs, key=lambda pair: (-pairs[pair], pair))
        if pairs[best] < min_pair_count:
            break
        new_id = len(lengths)
        lengths.append(lengths[best[0]] + lengths[best[1]])
        merges.append(best)
        for w, word in enumerate(words):
            merged, k = [], 0
            while k < len(word):
                if k + 1 < len(word) and (word[k], word[k + 1]) == best:
                    merged.append(new_id)
                    k += 2
                else:
                    merged.append(word[k])
                    k += 1
            words[w] = merged
    return merges


def native_merges(words, counts, token_lengths, n_merges, **options) -> list[tuple[int, int]]:
    units = np.array([u for word in words for u in word], dtype=np.int32)
    offsets = np.cumsum([0] + [len(word) for word in words]).astype(np.int64)
    result = _native.train_merges(
        units,
        offsets,
        np.array(counts, dtype=np.uint64),
        np.array(token_lengths, dtype=np.int32),
        n_merges,
        **options,
    )
    assert result.dtype == np.int32 and result.shape == (len(result), 2)
    return [tuple(row) for row in result.tolist()]


# Few symbols make repeats ("aaaa"), overlapping pairs and ties frequent.
corpus = st.integers(2, 6).flatmap(
    lambda alphabet: st.tuples(
        st.just(alphabet),
        st.lists(st.lists(st.integers(0, alphabet - 1), max_size=12), min_size=1, max_size=15),
        st.lists(st.integers(1, 5), min_size=15, max_size=15),
        st.lists(st.integers(1, 3), min_size=alphabet, max_size=alphabet),
    )
)


@settings(max_examples=150, deadline=None)
@given(data=corpus, n_merges=st.integers(0, 40), max_len=st.sampled_from([0, 2, 3, 5]), min_count=st.integers(1, 4))
def test_merges_equal_brute_force(data, n_merges: int, max_len: int, min_count: int) -> None:
    _, words, counts, token_lengths = data
    counts = counts[: len(words)]
    expected = brute_force_merges(words, counts, token_lengths, n_merges, max_len, min_count)
    for threads in (1, 2):
        got = native_merges(
            words, counts, token_lengths, n_merges,
            max_token_length=max_len, min_pair_count=min_count, threads=threads,
        )
        assert got == expected


NTREX_LANGUAGES = ["eng-US", "deu", "fra", "spa", "ita", "por", "nld", "fin"]


@pytest.fixture(scope="module")
def real_words(shared_data: Path) -> tuple[list[list[int]], list[int]]:
    """Byte ids of the 65k distinct cl100k pre-tokens of eight NTREX languages, and their counts."""
    folder = shared_data / "ntrex-128" / "NTREX-128"
    text = "".join((folder / f"newstest2019-ref.{lang}.txt").read_text(encoding="utf-8") for lang in NTREX_LANGUAGES)
    counts = Counter(piece.encode() for piece in regex.findall(PATTERNS["cl100k"], text))
    words = sorted(counts)
    return [list(word) for word in words], [counts[word] for word in words]


def test_big_parallel_steps_equal_brute_force(real_words) -> None:
    # The first merges here visit over 2,048 words each, which is when threads share a step.
    words, counts = real_words
    expected = brute_force_merges(words, counts, [1] * 256, 4)
    for threads in (1, 2, 3):
        assert native_merges(words, counts, [1] * 256, 4, threads=threads) == expected


def test_thread_count_does_not_change_the_merges(real_words) -> None:
    words, counts = real_words
    single = native_merges(words, counts, [1] * 256, 3000)
    assert len(single) == 3000
    for threads in (2, 4):
        assert native_merges(words, counts, [1] * 256, 3000, threads=threads) == single


def test_hand_worked_example() -> None:
    # "aaa" x2 and "bab" x1: (a,a) counts 2*2=4 (overlapping windows) and wins; "aaa" -> [aa, a].
    words, counts = [[0, 0, 0], [1, 0, 1]], [2, 1]
    assert native_merges(words, counts, [1, 1], 4) == [(0, 0), (2, 0), (0, 1), (1, 4)]


def test_big_counts_use_64_bits() -> None:
    big = 3 * 2**32
    assert native_merges([[0, 1], [1, 0]], [big, big - 1], [1, 1], 1) == [(0, 1)]


def test_progress_is_called_and_can_stop_training() -> None:
    rng = np.random.default_rng(7)
    words = [rng.integers(0, 7, 30).tolist() for _ in range(50)]
    counts = [1] * len(words)
    assert len(brute_force_merges(words, counts, [1] * 7, 30)) == 30
    seen: list[int] = []
    native_merges(words, counts, [1] * 7, 30, progress=seen.append, progress_every=10)
    assert seen == [10, 20, 30]

    def interrupt(done: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        native_merges(words, counts, [1] * 7, 30, progress=interrupt, progress_every=5)


@pytest.mark.parametrize(
    ("units", "offsets", "counts", "lengths", "message"),
    [
        ([0, 5], [0, 2], [1], [1, 1], r"units\[1\] = 5 is not a token id"),
        ([0, 1], [0, 2, 1], [1, 1], [1, 1], r"offsets\[2\] = 1 is less than offsets\[1\]"),
        ([0, 1], [0, 3], [1], [1, 1], r"offsets\[-1\] = 3 is past the end"),
        ([0, 1], [0, 2], [1, 1], [1, 1], "counts has 2 entries"),
        ([0, 1], [], [], [1, 1], "offsets is empty"),
    ],
)
def test_bad_input_is_a_typed_error(units, offsets, counts, lengths, message) -> None:
    with pytest.raises(TrainingError, match=message):
        _native.train_merges(
            np.array(units, dtype=np.int32),
            np.array(offsets, dtype=np.int64),
            np.array(counts, dtype=np.uint64),
            np.array(lengths, dtype=np.int32),
            3,
        )
