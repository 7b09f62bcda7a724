"""GPT-2's original pair of files: ``encoder.json`` (token -> id) and ``vocab.bpe`` (merges).

Both spell tokens in GPT-2's byte alphabet. The ids of ``encoder.json`` are tiktoken's ranks: the
256 single bytes first, then one token per merge line of ``vocab.bpe`` in order, then
``<|endoftext|>``. We read ranks from ``encoder.json`` and check them against the merge order,
so a mismatched pair of files is refused instead of silently giving wrong ids.
"""

from __future__ import annotations

import json
from pathlib import Path

from .._errors import FormatError, TokensmithFileNotFoundError
from .._patterns import PATTERNS
from .._tokenizer import Tokenizer
from ._byte_level import CHAR_TO_BYTE
from .tiktoken_file import tiktoken_tokenizer

__all__ = ["ENCODER_NAME", "MERGES_NAME", "gpt2_file_pair", "gpt2_tokenizer", "read_gpt2_ranks"]

ENCODER_NAME = "encoder.json"
MERGES_NAME = "vocab.bpe"


def gpt2_file_pair(path: Path) -> tuple[Path, Path]:
    """``(encoder.json, vocab.bpe)`` for a folder holding both or for either file."""
    folder = path if path.is_dir() else path.parent
    encoder, merges = folder / ENCODER_NAME, folder / MERGES_NAME
    for required in (encoder, merges):
        if not required.is_file():
            raise TokensmithFileNotFoundError(required, what=f"file (GPT-2 format needs {ENCODER_NAME} and {MERGES_NAME} side by side)")
    return encoder, merges


def _token_bytes(token: str) -> bytes | None:
    try:
        return bytes([CHAR_TO_BYTE[char] for char in token])
    except KeyError:
        return None


def read_gpt2_ranks(encoder_path: Path, merges_path: Path) -> tuple[dict[bytes, int], dict[str, int]]:
    """Return ``(ranks, special_tokens)``; FormatError when the two files disagree."""
    try:
        encoder = json.loads(encoder_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise FormatError(f"{encoder_path}: not valid JSON ({error}); the file is truncated or damaged") from None
    if not isinstance(encoder, dict) or not all(isinstance(value, int) for value in encoder.values()):
        raise FormatError(f"{encoder_path}: expected an object mapping each token to an integer id")
    ranks: dict[bytes, int] = {}
    special_tokens: dict[str, int] = {}
    for token, token_id in encoder.items():
        data = _token_bytes(token)
        # A token that is not in the byte alphabet, or GPT-2's end-of-text marker, is special.
        if data is None or token == "<|endoftext|>":
            special_tokens[token] = token_id
        else:
            ranks[data] = token_id
    _check_merge_order(ranks, merges_path)
    return ranks, special_tokens


def _check_merge_order(ranks: dict[bytes, int], merges_path: Path) -> None:
    lines = merges_path.read_text(encoding="utf-8").splitlines()
    merge_lines = [(number, line) for number, line in enumerate(lines, start=1) if line and not line.startswith("#version")]
    for position, (line_number, line) in enumerate(merge_lines):
        pair = line.split(" ")
        if len(pair) != 2:
            raise FormatError(f"{merges_path}: line {line_number}: expected two tokens separated by one space, got {line[:60]!r}")
        left, right = (_token_bytes(part) for part in pair)
        if left is None or right is None:
            raise FormatError(f"{merges_path}: line {line_number}: {line[:60]!r} has characters outside GPT-2's byte alphabet")
        expected_rank = 256 + position
        if ranks.get(left + right) != expected_rank:
            raise FormatError(
                f"{merges_path}: line {line_number}: merge {line!r} should make the token with id {expected_rank} "
                f"in {ENCODER_NAME}, but it has id {ranks.get(left + right)}; the two files do not belong together"
            )


def gpt2_tokenizer(
    path: Path, *, name: str | None = None, pattern: str | None = None, source: str | None = None
) -> Tokenizer:
    """Load GPT-2 files (a folder or either file) as a rank-based tokenizer.

    ``source`` is what the tokenizer reports as its origin; the path by default, the built-in
    name when it is one.
    """
    encoder, merges = gpt2_file_pair(path)
    ranks, special_tokens = read_gpt2_ranks(encoder, merges)
    return tiktoken_tokenizer(
        name or "gpt2",
        ranks,
        pattern or PATTERNS["gpt2"],
        special_tokens,
        source=source or str(path),
    )
