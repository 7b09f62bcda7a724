"""Finding special tokens in text: the one place that knows how they are matched.

Matching is literal and leftmost-longest, as tiktoken does, so ``<|endoftext|>`` wins over a
special token that is its prefix.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

import regex

__all__ = ["find_special_token", "split_on_special_tokens"]


@functools.lru_cache(maxsize=64)
def _special_regex(tokens: frozenset[str]) -> regex.Pattern[str]:
    alternatives = sorted(tokens, key=lambda token: (-len(token), token))
    return regex.compile("|".join(regex.escape(token) for token in alternatives))


def find_special_token(text: str, tokens: frozenset[str]) -> tuple[str, int] | None:
    """Return the first of ``tokens`` found in ``text`` and its character offset, or None."""
    if not tokens:
        return None
    match = _special_regex(tokens).search(text)
    if match is None:
        return None
    return match.group(), match.start()


def split_on_special_tokens(text: str, tokens: frozenset[str]) -> Iterator[tuple[str, bool]]:
    """Yield ``(piece, is_special)`` covering ``text`` in order."""
    if not tokens:
        yield text, False
        return
    position = 0
    for match in _special_regex(tokens).finditer(text):
        if match.start() > position:
            yield text[position : match.start()], False
        yield match.group(), True
        position = match.end()
    if position < len(text):
        yield text[position:], False
