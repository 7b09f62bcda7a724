"""Pre-tokenization for training: the split pattern a run stores, and counting pre-tokens in a corpus.

Two paths fill the same native ``PretokenCounter``: a preset pattern is split by the native
scanner straight from the text blocks (the fast path); a custom regex, or any pattern extended
with protected terms, is run by the ``regex`` module and its pieces are handed over already
counted. Either way memory follows the number of *distinct* pre-tokens, not corpus size.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np
import regex

from .. import _patterns
from .._errors import CorpusError, TrainingError
from .._progress import progress
from .options import BpeTrainingOptions, check_custom_pattern

__all__ = ["PretokenCounts", "count_pretokens", "native_core", "training_pattern"]

SAMPLE_BYTES = 64 * 1024
BLOCK_BYTES = 16 * 2**20
"""Target size of one corpus block; a batch handed to the native counter holds about two."""

_NATIVE_PRESET = {"r50k": "gpt2"}
"""Preset names of ``_patterns.PATTERNS`` that the native scanner knows under another name."""


def native_core() -> ModuleType:
    """The compiled core, or a TrainingError saying how to build it."""
    try:
        from .. import _native
    except ImportError as error:
        raise TrainingError(f"the native core tokensmith._native is missing ({error}); reinstall: pip install -e .") from None
    if not hasattr(_native, "train_merges"):
        raise TrainingError("the installed tokensmith._native has no BPE trainer; rebuild it: pip install -e .")
    return _native


def native_preset(pattern: str) -> str:
    return _NATIVE_PRESET.get(pattern, pattern)


def _escape_term(term: str) -> str:
    # Backslash-escaping only ASCII punctuation keeps the pattern valid in regex, Oniguruma
    # and fancy-regex alike (all three read "\X" for punctuation X as a literal X).
    return "".join("\\" + char if char.isascii() and not char.isalnum() and char != " " else char for char in term)


def training_pattern(options: BpeTrainingOptions) -> str:
    """The split pattern used for training and stored in the tokenizer, so both split alike.

    Protected terms come first as literal alternatives (longest first), so a match starting
    at a term is the term. A term is usually preceded by spaces or punctuation that the base
    pattern would glue to it (`` COVID-19``, ``($HOME``); such a run directly in front of a term
    (line breaks excepted) is therefore cut off as its own piece, which leaves the term whole.
    A term glued to letters or digits of the same word (``antiCOVID``) is not protected.
    """
    if options.pattern in _patterns.PATTERNS:
        base = _digit_pattern(options.pattern, options.digits)
    else:
        if options.digits != "pattern":
            raise TrainingError(
                f"option digits: {options.digits!r} applies to preset patterns only; write the digit rule into the custom regex"
            )
        base = options.pattern
    if not options.protected_terms:
        return base
    terms = "|".join(_escape_term(term) for term in sorted(options.protected_terms, key=lambda t: (-len(t), t)))
    pattern = f"(?:{terms})|[^\\r\\n\\p{{L}}\\p{{N}}]+?(?=(?:{terms}))|{base}"
    check_custom_pattern(pattern)
    return pattern


def _digit_pattern(preset: str, digits: str) -> str:
    return _patterns.pattern_with_digits(native_preset(preset), digits)


@dataclass(frozen=True)
class PretokenCounts:
    """Distinct pre-tokens (concatenated, sorted by bytes) with their counts and where they came from."""

    data: bytes
    lengths: np.ndarray
    counts: np.ndarray
    total_pretokens: int
    distinct_pretokens: int
    corpus_bytes: int
    counting_seconds: float
    sample_text: str
    """The start of the corpus (up to SAMPLE_BYTES), kept to verify saved files against."""

    def pieces(self) -> Iterator[bytes]:
        start = 0
        for length in self.lengths.tolist():
            yield self.data[start : start + length]
            start += length


def _batches(blocks: Iterable[bytes], batch_bytes: int) -> Iterator[list[bytes]]:
    batch: list[bytes] = []
    size = 0
    for block in blocks:
        batch.append(block)
        size += len(block)
        if size >= batch_bytes:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def count_pretokens(corpus: Any, options: BpeTrainingOptions, pattern: str, *, show_progress: bool | None) -> PretokenCounts:
    """Count the pre-tokens of every text block of ``corpus`` (a ``tokensmith.corpora`` Corpus)."""
    native = native_core()
    preset = native_preset(options.pattern) if options.uses_preset_scanner else "gpt2"
    threads = options.resolved_threads
    counter = native.PretokenCounter(preset, digits=options.digits if options.uses_preset_scanner else "pattern", threads=threads)
    compiled = None if options.uses_preset_scanner else regex.compile(pattern)
    total_hint = getattr(corpus, "total_bytes_hint", None)
    corpus_bytes = 0
    sample = b""
    started = time.perf_counter()
    with progress("counting pre-tokens", total=total_hint / 1e6 if total_hint else None, unit="MB", enabled=show_progress) as bar:
        for batch in _batches(corpus.iter_text_blocks(BLOCK_BYTES), 2 * BLOCK_BYTES):
            if compiled is None:
                counter.add_blocks(batch)
            else:
                _add_regex_pieces(counter, compiled, batch)
            for block in batch:
                if len(sample) >= SAMPLE_BYTES:
                    break
                sample += block[: SAMPLE_BYTES - len(sample)]
            batch_bytes = sum(len(block) for block in batch)
            corpus_bytes += batch_bytes
            bar.advance(batch_bytes / 1e6)
    total = int(counter.total)
    if total == 0:
        raise CorpusError(f"{_describe(corpus)}: empty corpus (no text to train on); check the paths and --text-field")
    data, lengths, counts = counter.flat_items(min_count=options.min_pretoken_count)
    return PretokenCounts(
        data=bytes(data),
        lengths=np.asarray(lengths, dtype=np.int64),
        counts=np.asarray(counts, dtype=np.uint64),
        total_pretokens=total,
        distinct_pretokens=int(counter.distinct),
        corpus_bytes=corpus_bytes,
        counting_seconds=time.perf_counter() - started,
        sample_text=sample.decode("utf-8", errors="ignore"),
    )


def _add_regex_pieces(counter: Any, compiled: regex.Pattern[str], batch: list[bytes]) -> None:
    piece_counts: Counter[str] = Counter()
    for block in batch:
        text = block.decode("utf-8")
        if compiled.groups:
            piece_counts.update(match.group() for match in compiled.finditer(text))
        else:
            piece_counts.update(compiled.findall(text))
    if piece_counts:
        pieces = [piece.encode("utf-8") for piece in piece_counts]
        counter.add_pieces(pieces, np.fromiter(piece_counts.values(), dtype=np.uint64, count=len(piece_counts)))


def _describe(corpus: Any) -> str:
    files = getattr(corpus, "files", None)
    if files:
        return str(files[0]) if len(files) == 1 else f"{files[0]} (+{len(files) - 1} more files)"
    return "corpus"
