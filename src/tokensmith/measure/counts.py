"""The count table: one encode pass per (tokenizer, corpus), kept as the counts metrics need.

Every corpus metric is a function of a :class:`CountCell`, never of a second encode: token
totals, tokens per document (for per-sentence premiums), the token-type histogram (for entropy
and utilisation), counts of unknown, byte-fallback and partial-UTF-8 tokens, the number of words
split by a token boundary, round-trip failures and the encode time. Work after encoding is
vectorised with numpy so a 128-language collection costs little more than the encode itself.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import regex

from .._tokenizer import Tokenizer
from .segmentation import WordSpans
from .sources import CorpusSample

__all__ = ["CountCell", "TokenizerProfile", "count_cell", "encode_documents"]

_BYTE_FALLBACK_PIECE = regex.compile(rb"<0x[0-9A-Fa-f]{2}>")


@dataclass(frozen=True, eq=False)
class TokenizerProfile:
    """Per-id facts about a tokenizer's vocabulary, computed once and indexed by token id."""

    tokenizer: Tokenizer
    byte_length_by_id: np.ndarray
    is_partial_utf8_by_id: np.ndarray
    is_byte_fallback_by_id: np.ndarray
    unk_id: int | None

    @property
    def ordinary_vocab_size(self) -> int:
        """Tokens that text can produce: the vocabulary less the special tokens."""
        return len(self.tokenizer.token_bytes_by_id) - len(self.tokenizer.special_tokens)

    @classmethod
    def of(cls, tokenizer: Tokenizer) -> TokenizerProfile:
        size = tokenizer.n_vocab
        lengths = np.zeros(size, dtype=np.int64)
        partial = np.zeros(size, dtype=bool)
        fallback = np.zeros(size, dtype=bool)
        special_ids = set(tokenizer.special_tokens.values())
        for token_id, data in tokenizer.token_bytes_by_id.items():
            lengths[token_id] = len(data)
            if token_id in special_ids:
                continue
            if tokenizer.byte_level:
                try:
                    data.decode("utf-8")
                except UnicodeDecodeError:
                    partial[token_id] = True
            elif _BYTE_FALLBACK_PIECE.fullmatch(data):
                fallback[token_id] = True
        return cls(tokenizer, lengths, partial, fallback, _unk_id(tokenizer))


def _unk_id(tokenizer: Tokenizer) -> int | None:
    if tokenizer.backend.kind == "huggingface" and isinstance(tokenizer.backend.document, str):
        unk = json.loads(tokenizer.backend.document).get("model", {}).get("unk_token")
        return None if unk is None else tokenizer.engine.with_specials.token_to_id(unk)  # type: ignore[attr-defined]
    if tokenizer.backend.kind == "sentencepiece":
        unk_id = tokenizer.engine.processor.unk_id()  # type: ignore[attr-defined]
        return unk_id if unk_id >= 0 else None
    return None


@dataclass(frozen=True, eq=False)
class CountCell:
    """Everything one encode pass of one corpus by one tokenizer yields."""

    tokenizer_name: str
    corpus_name: str
    n_documents: int
    n_bytes: int
    n_characters: int
    n_words: int
    word_segmentation: str
    n_tokens: int
    tokens_per_document: np.ndarray
    token_types: np.ndarray
    token_type_counts: np.ndarray
    n_continued_words: int | None
    """Words with a token boundary strictly inside them; None where tokens have no byte spans."""
    n_unk_tokens: int
    n_unk_characters: int
    n_byte_fallback_tokens: int
    n_partial_utf8_tokens: int
    n_lossless_documents: int
    encode_seconds: float
    ordinary_vocab_size: int

    @cached_property
    def token_probabilities(self) -> np.ndarray:
        return self.token_type_counts / max(1, self.n_tokens)


def count_cell(
    profile: TokenizerProfile, corpus: CorpusSample, words: WordSpans, *, num_threads: int = 8
) -> CountCell:
    """Encode ``corpus`` once with ``profile``'s tokenizer and count what the metrics need."""
    tokenizer = profile.tokenizer
    documents = list(corpus.documents)
    started = time.perf_counter()
    encoded = encode_documents(tokenizer, documents, num_threads)
    encode_seconds = time.perf_counter() - started
    tokens_per_document = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    n_tokens = int(tokens_per_document.sum())
    ids = np.fromiter(itertools.chain.from_iterable(encoded), dtype=np.int64, count=n_tokens)
    histogram = np.bincount(ids, minlength=profile.byte_length_by_id.size)
    types = np.flatnonzero(histogram)
    counts = histogram[types]
    n_unk = int(histogram[profile.unk_id]) if profile.unk_id is not None else 0
    return CountCell(
        tokenizer_name=tokenizer.name,
        corpus_name=corpus.name,
        n_documents=len(documents),
        n_bytes=corpus.n_bytes,
        n_characters=corpus.n_characters,
        n_words=words.count,
        word_segmentation=words.scheme,
        n_tokens=n_tokens,
        tokens_per_document=tokens_per_document,
        token_types=types,
        token_type_counts=counts,
        n_continued_words=_continued_words(profile, corpus, ids, tokens_per_document, words),
        n_unk_tokens=n_unk,
        n_unk_characters=_unk_characters(profile, documents, encoded) if n_unk else 0,
        n_byte_fallback_tokens=int(counts @ profile.is_byte_fallback_by_id[types]),
        n_partial_utf8_tokens=int(counts @ profile.is_partial_utf8_by_id[types]),
        n_lossless_documents=_lossless_documents(tokenizer, documents, encoded, num_threads),
        encode_seconds=encode_seconds,
        ordinary_vocab_size=profile.ordinary_vocab_size,
    )


def _in_slices(function: Callable[[list[Any]], list[Any]], items: list[Any], num_threads: int) -> list[Any]:
    """``function`` over contiguous slices of ``items`` on ``num_threads`` threads, results in order."""
    if num_threads <= 1 or len(items) < 64:
        return function(items)
    size = -(-len(items) // num_threads)
    with ThreadPoolExecutor(num_threads) as pool:
        parts = pool.map(function, [items[start:start + size] for start in range(0, len(items), size)])
    return [result for part in parts for result in part]


def encode_documents(tokenizer: Tokenizer, documents: list[str], num_threads: int) -> list[list[int]]:
    """Encode every document, special tokens as text, in parallel.

    tiktoken's own ``encode_ordinary_batch`` submits one thread-pool task per text; on corpora of
    short lines (NTREX: 2,000 sentences per language) that bookkeeping costs more than the
    encoding. Each thread here takes a contiguous slice and calls the encoder in a plain loop
    (tiktoken releases the GIL while encoding). Other libraries batch natively and are called
    with the whole list.
    """
    encoding = getattr(tokenizer.engine, "encoding", None)
    if encoding is None:
        return tokenizer.encode_ordinary_batch(documents, num_threads=num_threads)
    encode = encoding.encode_ordinary
    return _in_slices(lambda part: [encode(document) for document in part], documents, num_threads)


def _continued_words(
    profile: TokenizerProfile,
    corpus: CorpusSample,
    ids: np.ndarray,
    tokens_per_document: np.ndarray,
    words: WordSpans,
) -> int | None:
    """Count words that contain a token boundary (Rust et al., 2021, "continued words").

    Token ends are placed in the same ``\\n``-joined byte coordinates as the word spans: the
    running byte length inside each document plus the document's start offset.
    """
    if not profile.tokenizer.byte_level or words.count == 0:
        return None if not profile.tokenizer.byte_level else 0
    document_bytes = np.fromiter((len(d.encode("utf-8")) for d in corpus.documents), dtype=np.int64)
    document_starts = np.concatenate(([0], np.cumsum(document_bytes + 1)[:-1]))
    lengths = profile.byte_length_by_id[ids]
    running = np.cumsum(lengths)
    token_document = np.repeat(np.arange(tokens_per_document.size), tokens_per_document)
    first_token = np.concatenate(([0], np.cumsum(tokens_per_document)[:-1]))
    before_document = np.where(first_token > 0, running[first_token - 1], 0)
    ends = running - before_document[token_document] + document_starts[token_document]
    ends.sort()
    inside = np.searchsorted(ends, words.ends, side="left") - np.searchsorted(ends, words.starts, side="right")
    return int(np.count_nonzero(inside > 0))


def _lossless_documents(tokenizer: Tokenizer, documents: list[str], encoded: list[list[int]], num_threads: int) -> int:
    """Documents that decode back to exactly their text."""
    encoding = getattr(tokenizer.engine, "encoding", None)
    if encoding is not None:
        decode = encoding.decode_bytes
        decoded = _in_slices(lambda part: [decode(ids) for ids in part], encoded, num_threads)
        return sum(1 for data, document in zip(decoded, documents) if data == document.encode("utf-8"))
    if tokenizer.byte_level:
        return sum(1 for ids, document in zip(encoded, documents) if tokenizer.decode_bytes(ids) == document.encode("utf-8"))
    return sum(1 for ids, document in zip(encoded, documents) if tokenizer.decode(ids) == document)


def _unk_characters(profile: TokenizerProfile, documents: list[str], encoded: list[list[int]]) -> int:
    """Characters covered by unknown tokens, from the library's own offsets."""
    engine = profile.tokenizer.engine
    lost = 0
    for document, ids in zip(documents, encoded):
        if profile.unk_id not in ids:
            continue
        if profile.tokenizer.backend.kind == "huggingface":
            encoding = engine.without_specials.encode(document, add_special_tokens=False)  # type: ignore[attr-defined]
            lost += sum(end - start for token_id, (start, end) in zip(encoding.ids, encoding.offsets) if token_id == profile.unk_id)
        else:
            proto = engine.processor.encode(document, out_type="immutable_proto")  # type: ignore[attr-defined]
            data = document.encode("utf-8")
            lost += sum(len(data[piece.begin:piece.end].decode("utf-8", "replace")) for piece in proto.pieces if piece.id == profile.unk_id)
    return lost
