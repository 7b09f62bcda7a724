"""The pure-Python reference BPE trainer: slow, short, and the oracle the native core is tested against.

Byte-pair encoding as a tokenizer trainer (Sennrich, Haddow and Birch, 2016, "Neural Machine
Translation of Rare Words with Subword Units"; byte-level as in GPT-2, Radford et al. 2019): start
from base units, repeatedly count every adjacent pair of tokens in the training words, weighted by
how often each word occurs, and turn the most frequent pair into a new token. The rules below are
exactly those of ``tokensmith._native.train_merges`` so the two can be compared merge for merge:

* a pair's count is the sum over words of ``count x adjacent positions`` (windows overlap, so the
  word ``a a a`` holds the pair ``(a, a)`` twice);
* the highest count wins; a tie goes to the smallest ``(left_id, right_id)``;
* a pair whose merged length would exceed ``max_token_length`` (when > 0) is never chosen;
* the chosen pair is replaced in every word left to right without overlap, and the new token's
  id is ``len(token_lengths) + merge index``;
* training stops after ``n_merges``, when the best count falls below ``min_pair_count``, or when
  no pair is left.

Every step recounts all pairs from scratch: quadratic, but each line is easy to check by eye.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import regex

__all__ = ["apply_merges", "reference_train_from_text", "reference_train_merges"]

Pair = tuple[int, int]


def _pair_counts(words: list[list[int]], counts: Sequence[int]) -> Counter[Pair]:
    pair_counts: Counter[Pair] = Counter()
    for word, count in zip(words, counts):
        for pair in zip(word, word[1:]):
            pair_counts[pair] += count
    return pair_counts


def _replace_pair(word: list[int], pair: Pair, new_id: int) -> list[int]:
    """``word`` with every non-overlapping occurrence of ``pair``, scanned left to right, replaced."""
    replaced: list[int] = []
    position = 0
    while position < len(word):
        if position + 1 < len(word) and (word[position], word[position + 1]) == pair:
            replaced.append(new_id)
            position += 2
        else:
            replaced.append(word[position])
            position += 1
    return replaced


def reference_train_merges(
    words: Iterable[Sequence[int]],
    counts: Sequence[int],
    token_lengths: Sequence[int],
    n_merges: int,
    *,
    max_token_length: int = 0,
    min_pair_count: int = 1,
) -> list[Pair]:
    """Learn up to ``n_merges`` merges over ``words`` (lists of existing token ids).

    ``counts[i]`` is how often ``words[i]`` occurs and ``token_lengths[t]`` the length of token
    ``t`` (bytes or characters: whatever unit ``max_token_length`` caps). Returns the merged
    pairs in order; merge ``k`` creates token ``len(token_lengths) + k``.
    """
    words = [list(word) for word in words]
    lengths = list(token_lengths)
    merges: list[Pair] = []
    while len(merges) < n_merges:
        candidates = [
            (count, pair)
            for pair, count in _pair_counts(words, counts).items()
            if max_token_length <= 0 or lengths[pair[0]] + lengths[pair[1]] <= max_token_length
        ]
        if not candidates:
            break
        # Highest count first; among equal counts the smallest pair (hence the negated count).
        best_count, best_pair = min(candidates, key=lambda item: (-item[0], item[1]))
        if best_count < min_pair_count:
            break
        new_id = len(lengths)
        words = [_replace_pair(word, best_pair, new_id) for word in words]
        lengths.append(lengths[best_pair[0]] + lengths[best_pair[1]])
        merges.append(best_pair)
    return merges


def apply_merges(
    units: Sequence[int], merge_table: dict[Pair, tuple[int, int]], fired: set[int] | None = None
) -> list[int]:
    """Encode one word with a merge list, the way merge-list BPE encoders do.

    ``merge_table`` maps a pair to ``(rank, id it creates)``. The pair of lowest rank merges
    first, at its leftmost occurrence, until no listed pair is adjacent; this is what the
    ``tokenizers`` library does with a tokenizer.json merge list. The rank of every merge that
    fires is added to ``fired`` when given.
    """
    word = list(units)
    while len(word) > 1:
        best: tuple[int, int, int] | None = None
        for position, pair in enumerate(zip(word, word[1:])):
            entry = merge_table.get(pair)
            if entry is not None and (best is None or entry[0] < best[0]):
                best = (entry[0], entry[1], position)
        if best is None:
            break
        rank, new_id, position = best
        word[position : position + 2] = [new_id]
        if fired is not None:
            fired.add(rank)
    return word


def reference_train_from_text(
    text: str, vocab_size: int, pattern: str, *, max_token_length: int = 0
) -> list[tuple[bytes, bytes]]:
    """Train a byte-level BPE on ``text`` split by ``pattern``; return merges as byte pairs.

    Base tokens are the 256 bytes (id = byte value), so ``vocab_size - 256`` merges are learned.
    """
    piece_counts = Counter(piece.encode("utf-8") for piece in regex.findall(pattern, text))
    words = [list(piece) for piece in piece_counts]
    counts = list(piece_counts.values())
    token_bytes = [bytes([byte]) for byte in range(256)]
    merges = reference_train_merges(
        words, counts, [1] * 256, vocab_size - 256, max_token_length=max_token_length
    )
    result = []
    for left, right in merges:
        result.append((token_bytes[left], token_bytes[right]))
        token_bytes.append(token_bytes[left] + token_bytes[right])
    return result
