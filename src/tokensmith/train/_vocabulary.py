"""Base vocabularies, training words, and turning learned merges into a final id layout.

A run starts from a *base*: the 256 bytes; or, for character-level training, the bytes plus the
tokens that assemble frequent multi-byte characters from their bytes; or, when extending, an
existing byte-level BPE with all its merges. Each distinct pre-token becomes a *word* of base ids
(as the saved tokenizer would segment it before any learned merge fires), the merge loop learns
new pairs, and this module gives the new tokens their final ids.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .reference import Pair, apply_merges

__all__ = ["BaseVocabulary", "LearnedVocabulary", "assemble_vocabulary", "byte_base", "character_base", "training_words"]


@dataclass
class BaseVocabulary:
    """Tokens a run starts from, and the merges (lowest rank first) that build them from bytes."""

    token_bytes: list[bytes | None]
    """Bytes of each id; None for ids that no text can produce (special tokens, gaps)."""
    token_lengths: list[int]
    """Length of each id in the unit the length cap counts (bytes, or characters)."""
    merges: list[Pair] = field(default_factory=list)
    merge_results: list[int] = field(default_factory=list)
    count_characters: bool = False

    def byte_ids(self) -> list[int]:
        """The id of each single byte's token (the byte value itself, except in inherited bases like GPT-2)."""
        id_of = {data: token_id for token_id, data in enumerate(self.token_bytes) if data is not None and len(data) == 1}
        return [id_of[bytes([byte])] for byte in range(256)]

    def merge_table(self) -> dict[Pair, tuple[int, int]]:
        return {pair: (rank, result) for rank, (pair, result) in enumerate(zip(self.merges, self.merge_results))}


def byte_base() -> BaseVocabulary:
    return BaseVocabulary([bytes([byte]) for byte in range(256)], [1] * 256)


def character_base(pieces: Sequence[bytes], counts: Sequence[int], budget: int) -> BaseVocabulary:
    """Bytes plus one token per frequent multi-byte character, built by merges of its bytes.

    The saved tokenizer is still byte-level BPE: a three-byte character ``c`` costs the merges
    ``(b0, b1)`` and ``(b0b1, b2)``, ranked before every learned merge, so an encoder forms each
    such character before anything else. Characters are admitted most frequent first (ties by
    code point) while their tokens fit in ``budget``; a rarer character stays as whatever those
    prefix merges make of its bytes, so training sees it exactly as the encoder will. Lengths
    count characters: every base token is one character or a piece of one.
    """
    char_counts: Counter[str] = Counter()
    for piece, count in zip(pieces, counts):
        for char in piece.decode("utf-8"):
            if ord(char) >= 0x80:
                char_counts[char] += count
    base = byte_base()
    base.count_characters = True
    id_of = {data: token_id for token_id, data in enumerate(base.token_bytes)}
    for char, _ in sorted(char_counts.items(), key=lambda item: (-item[1], item[0])):
        encoded = char.encode("utf-8")
        missing = [encoded[:end] for end in range(2, len(encoded) + 1) if encoded[:end] not in id_of]
        if len(missing) > budget:
            break
        budget -= len(missing)
        for prefix in missing:
            pair = (id_of[prefix[:-1]], id_of[prefix[-1:]])
            new_id = len(base.token_bytes)
            base.token_bytes.append(prefix)
            base.token_lengths.append(1)
            base.merges.append(pair)
            base.merge_results.append(new_id)
            id_of[prefix] = new_id
    return base


def training_words(
    data: bytes, lengths: np.ndarray, base: BaseVocabulary, *, used_merges: set[int] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Each pre-token as base ids: ``(units int32, offsets int64)`` for the merge loop.

    With ``used_merges``, the ranks of the base merges that fire on some word are added to it.
    """
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    byte_ids = np.asarray(base.byte_ids(), dtype=np.int32)
    if not base.merges:
        return byte_ids[np.frombuffer(data, dtype=np.uint8)], offsets
    table = base.merge_table()
    byte_id = byte_ids.tolist()
    units: list[int] = []
    word_offsets = [0]
    if base.count_characters:
        cache: dict[str, list[int]] = {}
        for start, end in zip(offsets[:-1].tolist(), offsets[1:].tolist()):
            for char in data[start:end].decode("utf-8"):
                ids = cache.get(char)
                if ids is None:
                    ids = cache[char] = apply_merges([byte_id[byte] for byte in char.encode("utf-8")], table)
                units.extend(ids)
            word_offsets.append(len(units))
    else:
        for start, end in zip(offsets[:-1].tolist(), offsets[1:].tolist()):
            units.extend(apply_merges([byte_id[byte] for byte in data[start:end]], table, used_merges))
            word_offsets.append(len(units))
    return np.asarray(units, dtype=np.int32), np.asarray(word_offsets, dtype=np.int64)


@dataclass
class LearnedVocabulary:
    """The base plus learned tokens with final ids, and all merges in rank order."""

    token_bytes: list[bytes | None]
    merges: list[Pair]
    merge_results: list[int]
    learned_tokens: int
    learned_merges_used: int
    """How many of the merge loop's pairs were kept (a prefix of its output)."""
    duplicate_merges: int
    term_merges: int


def assemble_vocabulary(
    base: BaseVocabulary, raw_pairs: np.ndarray, budget: int, protected_terms: Sequence[str]
) -> LearnedVocabulary:
    """Give learned tokens final ids, completing protected terms, within ``budget`` new tokens.

    The merge loop numbers a new token ``len(base) + k``. Two merges can spell the same bytes
    (``ab + c`` and ``a + bc``); the second keeps its merge but maps to the first token's id,
    because tokenizer.json and .tiktoken both key tokens by their bytes. Protected terms that
    the learned merges do not already form get merges appended after them. The longest prefix
    of the merge loop's output that fits in ``budget`` (terms included) is kept.
    """
    token_limit = budget
    while True:
        vocabulary = _assemble_prefix(base, raw_pairs, protected_terms, token_limit)
        overflow = vocabulary.learned_tokens - budget
        if overflow <= 0:
            return vocabulary
        token_limit -= overflow  # terms needed more tokens than were left: learn fewer


def _assemble_prefix(
    base: BaseVocabulary, raw_pairs: np.ndarray, protected_terms: Sequence[str], token_limit: int
) -> LearnedVocabulary:
    """Take merge-loop pairs until ``token_limit`` new tokens exist, then complete the terms."""
    token_bytes = list(base.token_bytes)
    id_of: dict[bytes, int] = {data: token_id for token_id, data in enumerate(token_bytes) if data is not None}
    final_id = list(range(len(base.token_bytes)))
    merges = list(base.merges)
    results = list(base.merge_results)
    known_pairs = set(merges)
    duplicates = used = 0
    for left, right in raw_pairs.tolist():
        if len(token_bytes) - len(base.token_bytes) >= token_limit:
            break
        used += 1
        left_id, right_id = final_id[left], final_id[right]
        data = token_bytes[left_id] + token_bytes[right_id]  # type: ignore[operator]
        existing = id_of.get(data)
        if existing is None:
            existing = id_of[data] = len(token_bytes)
            token_bytes.append(data)
        else:
            duplicates += 1
        final_id.append(existing)
        if (left_id, right_id) not in known_pairs:
            known_pairs.add((left_id, right_id))
            merges.append((left_id, right_id))
            results.append(existing)
    learned_merges = len(merges)
    _complete_terms(protected_terms, token_bytes, id_of, merges, results)
    return LearnedVocabulary(
        token_bytes=token_bytes,
        merges=merges,
        merge_results=results,
        learned_tokens=len(token_bytes) - len(base.token_bytes),
        learned_merges_used=used,
        duplicate_merges=duplicates,
        term_merges=len(merges) - learned_merges,
    )


def _complete_terms(
    terms: Sequence[str], token_bytes: list[bytes | None], id_of: dict[bytes, int], merges: list[Pair], results: list[int]
) -> None:
    """Append merges that join each protected term's current segmentation, left to right, into one token."""
    if not terms:
        return
    table = {pair: (rank, result) for rank, (pair, result) in enumerate(zip(merges, results))}
    byte_id = {data[0]: token_id for token_id, data in enumerate(token_bytes) if data is not None and len(data) == 1}
    for term in terms:
        # Re-encode after every appended merge: it may enable earlier merges, as in an encoder.
        parts = apply_merges([byte_id[byte] for byte in term.encode("utf-8")], table)
        while len(parts) > 1:
            left_id, right_id = parts[0], parts[1]
            data = token_bytes[left_id] + token_bytes[right_id]  # type: ignore[operator]
            new_id = id_of.get(data)
            if new_id is None:
                new_id = id_of[data] = len(token_bytes)
                token_bytes.append(data)
            table[(left_id, right_id)] = (len(merges), new_id)
            merges.append((left_id, right_id))
            results.append(new_id)
            parts = apply_merges([byte_id[byte] for byte in term.encode("utf-8")], table)
