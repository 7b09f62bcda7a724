"""Encoding engines: the libraries that turn text into ids behind a :class:`Tokenizer`.

A ``Tokenizer`` holds data (vocabulary, merges, pattern, special tokens); an engine is the
executable form of that data, built lazily on first use. Each engine answers the same three
questions — encode ordinary text, encode text where *some* special tokens are recognised, and
decode ids to bytes — so the special-token policy lives once, in ``Tokenizer``.

Engines:

* ``TiktokenEngine`` — rank-based byte-level BPE (tiktoken's semantics: any two adjacent pieces
  whose concatenation is a token may merge, lowest rank first).
* ``HuggingFaceEngine`` — anything expressed as a ``tokenizer.json`` (merge-list BPE, WordPiece,
  Unigram, normalizers), executed by the ``tokenizers`` library.
* ``SentencePieceEngine`` — a SentencePiece ``.model``, executed by ``sentencepiece``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

__all__ = ["Engine", "HuggingFaceEngine", "SentencePieceEngine", "TiktokenEngine"]


class Engine(Protocol):
    """What a ``Tokenizer`` needs from the library that executes it."""

    def encode(self, text: str, allowed_special: frozenset[str]) -> list[int]:
        """Encode ``text``; only the special tokens in ``allowed_special`` are recognised."""
        ...

    def encode_batch(
        self, texts: Sequence[str], allowed_special: frozenset[str], num_threads: int
    ) -> list[list[int]]:
        """Encode many texts, in parallel where the library can."""
        ...


class TiktokenEngine:
    """tiktoken's ``CoreBPE``: rank-based byte-level BPE with a split pattern."""

    def __init__(
        self,
        name: str,
        pattern: str,
        mergeable_ranks: Mapping[bytes, int],
        special_tokens: Mapping[str, int],
    ) -> None:
        import tiktoken

        self.encoding = tiktoken.Encoding(
            name=name,
            pat_str=pattern,
            mergeable_ranks=dict(mergeable_ranks),
            special_tokens=dict(special_tokens),
        )

    def encode(self, text: str, allowed_special: frozenset[str]) -> list[int]:
        if not allowed_special:
            return self.encoding.encode_ordinary(text)
        return self.encoding.encode(text, allowed_special=allowed_special, disallowed_special=())

    def encode_batch(
        self, texts: Sequence[str], allowed_special: frozenset[str], num_threads: int
    ) -> list[list[int]]:
        if not allowed_special:
            return self.encoding.encode_ordinary_batch(list(texts), num_threads=num_threads)
        return self.encoding.encode_batch(
            list(texts),
            num_threads=num_threads,
            allowed_special=allowed_special,
            disallowed_special=(),
        )


class _SplitOnSpecials:
    """Recognise a subset of special tokens by splitting the text on them ourselves.

    Libraries other than tiktoken recognise either all special tokens or none; a subset is
    served by cutting the text at the allowed ones and encoding the pieces with none.
    """

    special_tokens: Mapping[str, int]

    def _encode_none(self, text: str) -> list[int]:
        raise NotImplementedError

    def _encode_all(self, text: str) -> list[int]:
        raise NotImplementedError

    def encode(self, text: str, allowed_special: frozenset[str]) -> list[int]:
        if not allowed_special:
            return self._encode_none(text)
        if allowed_special >= frozenset(self.special_tokens):
            return self._encode_all(text)
        from ._special import split_on_special_tokens

        ids: list[int] = []
        for piece, is_special in split_on_special_tokens(text, allowed_special):
            if is_special:
                ids.append(self.special_tokens[piece])
            elif piece:
                ids.extend(self._encode_none(piece))
        return ids


class HuggingFaceEngine(_SplitOnSpecials):
    """A ``tokenizers.Tokenizer`` built from a tokenizer.json document.

    Two instances are kept because the library's switch for matching special tokens as plain
    text (``encode_special_tokens``) is a property of the object, not of a call.
    """

    def __init__(self, tokenizer_json: str, special_tokens: Mapping[str, int]) -> None:
        from tokenizers import Tokenizer as HFTokenizer

        self.special_tokens = special_tokens
        self.with_specials = HFTokenizer.from_str(tokenizer_json)
        self.without_specials = HFTokenizer.from_str(tokenizer_json)
        self.without_specials.encode_special_tokens = True

    def _encode_none(self, text: str) -> list[int]:
        return self.without_specials.encode(text, add_special_tokens=False).ids

    def _encode_all(self, text: str) -> list[int]:
        return self.with_specials.encode(text, add_special_tokens=False).ids

    def encode_batch(
        self, texts: Sequence[str], allowed_special: frozenset[str], num_threads: int
    ) -> list[list[int]]:
        # The Rust side parallelises batches itself (RAYON_NUM_THREADS); num_threads is advisory.
        if not allowed_special:
            encodings = self.without_specials.encode_batch(list(texts), add_special_tokens=False)
        elif allowed_special >= frozenset(self.special_tokens):
            encodings = self.with_specials.encode_batch(list(texts), add_special_tokens=False)
        else:
            return [self.encode(text, allowed_special) for text in texts]
        return [encoding.ids for encoding in encodings]

    def offsets(self, text: str, allowed_special: frozenset[str]) -> list[tuple[int, int]] | None:
        """Character spans of each token, when every special token or none is allowed."""
        if not allowed_special:
            return list(self.without_specials.encode(text, add_special_tokens=False).offsets)
        if allowed_special >= frozenset(self.special_tokens):
            return list(self.with_specials.encode(text, add_special_tokens=False).offsets)
        return None


class SentencePieceEngine(_SplitOnSpecials):
    """A serialized SentencePiece model executed by the ``sentencepiece`` library.

    SentencePiece never produces control symbols (``<s>``, ``</s>``) from text, so those are
    this engine's special tokens and are recognised only by splitting.
    """

    def __init__(self, model_proto: bytes, special_tokens: Mapping[str, int]) -> None:
        import sentencepiece

        self.special_tokens = special_tokens
        self.processor = sentencepiece.SentencePieceProcessor(model_proto=model_proto)

    def _encode_none(self, text: str) -> list[int]:
        return self.processor.encode(text, out_type=int)

    def _encode_all(self, text: str) -> list[int]:
        from ._special import split_on_special_tokens

        ids: list[int] = []
        for piece, is_special in split_on_special_tokens(text, frozenset(self.special_tokens)):
            if is_special:
                ids.append(self.special_tokens[piece])
            elif piece:
                ids.extend(self._encode_none(piece))
        return ids

    def encode_batch(
        self, texts: Sequence[str], allowed_special: frozenset[str], num_threads: int
    ) -> list[list[int]]:
        if not allowed_special:
            return self.processor.encode(list(texts), out_type=int, num_threads=num_threads)
        return [self.encode(text, allowed_special) for text in texts]

    def decode(self, ids: Sequence[int]) -> str:
        return self.processor.decode(list(ids))
