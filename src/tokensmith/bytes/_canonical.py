"""Which token sequences a byte-level BPE tokenizer would produce: its canonical tokenizations.

A token sequence is *canonical* when re-encoding its bytes gives the sequence back. A model trained
on a tokenizer's output only ever saw canonical sequences, so exact byte-level inference sums only
over those (Phan et al., "Exact Byte-Level Probabilities from Tokenized Language Models for
FIM-Tasks and Model Ensembles", 2024, call the others *invalid encodings*).

We replay the tokenizer on bytes ourselves rather than call its library because prefixes may end
inside a UTF-8 character, which no string-based library accepts. The replay is:

1. pre-tokenize with the tokenizer's split pattern, the bytes decoded with ``surrogateescape`` so a
   byte that is not part of valid UTF-8 reads as one character that is neither letter, digit nor
   space (valid UTF-8 is split exactly as the tokenizer splits it);
2. BPE inside each piece: start from single bytes and repeatedly merge the adjacent pair with the
   best priority, leftmost first. ``merges`` semantics uses the merge list's order (Hugging Face);
   ``ranks`` semantics merges any pair whose concatenation is a token, lowest rank first (tiktoken).

The local check used during cover enumeration (:meth:`CanonicalBPE.valid_continuations`) decides
whether ``c + [u]`` is canonical for a canonical ``c`` by re-encoding only the *tail* of ``c``'s
bytes, from the start of its second-to-last pre-token: ``c + [u]`` is canonical iff
``encode(tail + bytes(u)) == encode(tail) + [u]``. This is exact whenever pre-token boundaries
before the second-to-last piece never move when bytes are appended, which holds for the GPT-2,
cl100k, o200k and Llama 3 patterns (their alternatives consume runs of one character class and look
ahead at most one character; a contraction such as ``'ll`` can re-join the last two pieces, hence
two pieces rather than one). Tests compare it with full re-encoding on exhaustive small cases.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
import regex

from .._errors import UnsupportedFormatError
from .._tokenizer import Tokenizer
from ._merge_trees import MergeTrees

__all__ = ["CanonicalBPE"]

_TAIL_CACHE_SIZE = 512


class CanonicalBPE:
    """Byte-exact replay of a byte-level BPE tokenizer, with canonicality checks.

    Raises :class:`~tokensmith.UnsupportedFormatError` naming the family for anything that is not
    a byte-level BPE with merges and a split pattern (SentencePiece, WordPiece, Unigram).
    """

    def __init__(self, tokenizer: Tokenizer) -> None:
        _require_byte_level_bpe(tokenizer)
        assert tokenizer.merges is not None and tokenizer.pattern is not None
        self.tokenizer = tokenizer
        self._pattern = regex.compile(tokenizer.pattern)
        special_ids = set(tokenizer.special_tokens.values())
        self.id_of: dict[bytes, int] = {
            data: token_id for token_id, data in tokenizer.token_bytes_by_id.items() if token_id not in special_ids
        }
        if tokenizer.merge_semantics == "ranks":
            self._pair_rank = None
        else:
            self._pair_rank = {pair: rank for rank, pair in enumerate(tokenizer.merges)}
        self._piece_cache: dict[bytes, tuple[int, ...]] = {}
        self._tail_cache: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._build_token_index()

    # ------------------------------------------------------------------ replay

    def pieces(self, data: bytes) -> list[bytes]:
        """Pre-tokenize ``data``: the split pattern's matches and the gaps between them."""
        text = data.decode("utf-8", errors="surrogateescape")
        result: list[bytes] = []
        position = 0
        for match in self._pattern.finditer(text):
            start, end = match.span()
            if start == end:
                continue
            if start > position:
                result.append(text[position:start].encode("utf-8", errors="surrogateescape"))
            result.append(text[start:end].encode("utf-8", errors="surrogateescape"))
            position = end
        if position < len(text):
            result.append(text[position:].encode("utf-8", errors="surrogateescape"))
        return result

    def encode_piece(self, piece: bytes) -> tuple[int, ...]:
        """BPE-encode one pre-token (cached)."""
        cached = self._piece_cache.get(piece)
        if cached is not None:
            return cached
        parts, _ = self._merge(piece)
        try:
            ids = tuple(self.id_of[part] for part in parts)
        except KeyError as error:
            raise UnsupportedFormatError(
                f"{self.tokenizer.name}: byte {error.args[0]!r} has no token; byte-level inference needs all 256 single bytes in the vocabulary"
            ) from None
        if len(self._piece_cache) < 1 << 20:
            self._piece_cache[piece] = ids
        return ids

    def _rank(self, left: bytes, right: bytes) -> int | None:
        if self._pair_rank is not None:
            return self._pair_rank.get((left, right))
        return self.id_of.get(left + right)

    def encode(self, data: bytes) -> list[int]:
        """The tokenizer's encoding of ``data`` (no special tokens)."""
        ids: list[int] = []
        for piece in self.pieces(data):
            ids.extend(self.encode_piece(piece))
        return ids

    def is_canonical(self, ids: Sequence[int]) -> bool:
        """True iff re-encoding the bytes of ``ids`` gives ``ids`` back."""
        data = b"".join(self.tokenizer.token_bytes_by_id[token_id] for token_id in ids)
        return self.encode(data) == list(ids)

    def tail_start(self, data: bytes) -> int:
        """Offset of the second-to-last pre-token of ``data`` (0 when there are fewer than two)."""
        pieces = self.pieces(data)
        return len(data) - sum(len(piece) for piece in pieces[-2:])

    # ------------------------------------------------------------------ vocabulary index

    def _build_token_index(self) -> None:
        """Tokens that encode to themselves, sorted by bytes so a prefix is a contiguous range.

        Only such tokens can appear in a canonical sequence: in BPE a final token's span is built
        by merges inside the span only, and those happen in the same order when the span stands
        alone.
        """
        alone = [(data, token_id) for data, token_id in self.id_of.items() if self.encode(data) == [token_id]]
        alone.sort()
        self.sorted_bytes: list[bytes] = [data for data, _ in alone]
        self.sorted_ids = np.array([token_id for _, token_id in alone], dtype=np.int64)
        self.sorted_lengths = np.array([len(data) for data in self.sorted_bytes], dtype=np.int64)
        self.max_token_length = int(self.sorted_lengths.max()) if alone else 1
        self._sorted_text = [data.decode("utf-8", errors="surrogateescape") for data in self.sorted_bytes]
        self.trees: MergeTrees | None = None
        if self._pair_rank is not None:
            trees = MergeTrees(self.sorted_bytes, self.tokenizer.merges or (), self._last_merge, self.id_of)
            self.trees = trees if trees.monotone else None

    def _last_merge(self, data: bytes) -> tuple[int, int, int] | None:
        """``(left id, right id, rank)`` of the final merge when BPE runs on ``data`` alone."""
        parts, last = self._merge(data)
        if len(parts) != 1 or last is None:
            return None
        return self.id_of[last[0]], self.id_of[last[1]], last[2]

    def _merge(self, piece: bytes) -> tuple[list[bytes], tuple[bytes, bytes, int] | None]:
        """BPE on one pre-token: the final parts, and the last merge applied (left, right, rank)."""
        parts = [piece[index : index + 1] for index in range(len(piece))]
        last: tuple[bytes, bytes, int] | None = None
        while len(parts) > 1:
            best_rank, best_index = None, -1
            for index in range(len(parts) - 1):
                rank = self._rank(parts[index], parts[index + 1])
                if rank is not None and (best_rank is None or rank < best_rank):
                    best_rank, best_index = rank, index
            if best_rank is None:
                break
            last = (parts[best_index], parts[best_index + 1], best_rank)
            parts[best_index : best_index + 2] = [parts[best_index] + parts[best_index + 1]]
        return parts, last

    def tokens_with_prefix(self, prefix: bytes) -> slice:
        """The range of :attr:`sorted_bytes` whose entries start with ``prefix``."""
        start = bisect.bisect_left(self.sorted_bytes, prefix)
        end = bisect.bisect_left(self.sorted_bytes, prefix + b"\xff" * (self.max_token_length + 1), lo=start)
        while end < len(self.sorted_bytes) and self.sorted_bytes[end].startswith(prefix):
            end += 1
        return slice(start, end)

    # ------------------------------------------------------------------ local canonicality

    def valid_continuations(self, tail: bytes, positions: slice | np.ndarray) -> np.ndarray:
        """For tokens ``sorted_ids[positions]``: may each follow a canonical text ending in ``tail``?

        ``tail`` must start at a pre-token boundary at or before the second-to-last pre-token of
        the text (see the module docstring). Results for the whole vocabulary are cached per tail.
        """
        whole = isinstance(positions, slice) and positions == slice(0, len(self.sorted_bytes))
        if whole:
            cached = self._tail_cache.get(tail)
            if cached is not None:
                self._tail_cache.move_to_end(tail)
                return cached
        indices = np.arange(len(self.sorted_bytes))[positions] if isinstance(positions, slice) else positions
        result = self._continuations_by_pattern(tail, indices)
        if whole:
            self._tail_cache[tail] = result
            if len(self._tail_cache) > _TAIL_CACHE_SIZE:
                self._tail_cache.popitem(last=False)
        return result

    def _continuations_by_pattern(self, tail: bytes, indices: np.ndarray) -> np.ndarray:
        """The check of :meth:`valid_continuations`, deciding most tokens from the split pattern alone.

        Per token: if the tail's pre-tokens survive and the token is exactly one new pre-token,
        it is valid (it encodes to itself by construction of the index); if it joins the tail's
        last pre-token, the merge trees decide; a pre-token boundary inside it makes it invalid;
        anything else (the tail's own pre-tokens change) is settled by re-encoding.
        """
        if not tail:
            return np.ones(len(indices), dtype=bool)  # a text's first token: any self-encoding token
        tail_text = tail.decode("utf-8", errors="surrogateescape")
        boundaries = self._match_boundaries(tail_text)
        tail_ids = self.encode(tail)
        result = np.zeros(len(indices), dtype=bool)
        if boundaries is None or (tail_text and 0xDC80 <= ord(tail_text[-1]) <= 0xDCFF):
            # Gaps between matches, or a tail that ends inside a character: re-encode every case.
            for row, index in enumerate(indices.tolist()):
                result[row] = self._continues_by_encoding(tail, tail_ids, index)
            return result
        blocked: set[int] | None = None
        last_start = boundaries[-2] if len(boundaries) > 1 else 0
        match = self._pattern.match
        for row, index in enumerate(indices.tolist()):
            combined = tail_text + self._sorted_text[index]
            stable = all(
                (found := match(combined, start)) is not None and found.end() == end
                for start, end in zip(boundaries[:-2], boundaries[1:-1], strict=False)
            )
            found = match(combined, last_start) if stable else None
            end = found.end() if found is not None else -1
            if end == len(tail_text):
                # The token starts a pre-token; with no look-behind in the pattern it splits as it
                # does alone, where it is one pre-token that encodes to itself (index invariant).
                result[row] = True
            elif end == len(combined) and tail_ids and self.trees is not None:
                if blocked is None:
                    blocked = set(self.trees.blocked_after(tail_ids[-1]).tolist())
                result[row] = index not in blocked
            elif end > len(tail_text):
                result[row] = end == len(combined) and self._continues_by_encoding(tail, tail_ids, index)
            else:
                result[row] = self._continues_by_encoding(tail, tail_ids, index)
        return result

    def _match_boundaries(self, text: str) -> list[int] | None:
        """Offsets where the pattern's consecutive matches start and end, or None if there are gaps."""
        boundaries = [0]
        for found in self._pattern.finditer(text):
            if found.start() != boundaries[-1] or found.end() == found.start():
                return None
            boundaries.append(found.end())
        return boundaries if boundaries[-1] == len(text) else None

    def _continues_by_encoding(self, tail: bytes, tail_ids: list[int], index: int) -> bool:
        encoded = self.encode(tail + self.sorted_bytes[index])
        return len(encoded) == len(tail_ids) + 1 and encoded[-1] == int(self.sorted_ids[index]) and encoded[:-1] == tail_ids


def _require_byte_level_bpe(tokenizer: Tokenizer) -> None:
    if tokenizer.family != "bpe" or not tokenizer.byte_level:
        kind = tokenizer.family if tokenizer.byte_level or tokenizer.family != "bpe" else "bpe (not byte-level)"
        raise UnsupportedFormatError(
            f"{tokenizer.name}: tokenizer family '{kind}' is not supported for byte-level inference yet; "
            "use a byte-level BPE tokenizer (GPT-2, Llama 3, SmolLM2, our trained ones)"
        )
    if tokenizer.merges is None or tokenizer.pattern is None:
        raise UnsupportedFormatError(
            f"{tokenizer.name}: byte-level inference needs the BPE merges and the split pattern; this tokenizer lacks "
            + ("merges" if tokenizer.merges is None else "a split pattern")
        )
