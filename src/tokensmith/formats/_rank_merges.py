"""Recovering a BPE merge list from tiktoken ranks.

A rank file stores only tokens; tokenizer.json needs merges. tiktoken's rule merges *any* two
adjacent pieces whose concatenation is a token, lowest rank first. A merge list reproduces that
rule when it holds every split of every token into two tokens, ordered by the rank of the token
they make: then the highest-priority pair in a word is always the one whose concatenation has the
lowest rank. This is also how ``transformers`` converts tiktoken models (Llama 3), written here
from the rule above.

The two rules can still differ in one corner: two *different* adjacent pairs that make the same
token at once (tiktoken takes the leftmost, a merge list the one listed first). Conversions are
therefore verified before they are written.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["merges_from_ranks"]


def merges_from_ranks(ranks: Mapping[bytes, int]) -> list[tuple[bytes, bytes]]:
    """Every ``(left, right)`` with ``left + right`` a token, by the made token's rank."""
    rank_of = ranks.get
    merges: list[tuple[bytes, bytes]] = []
    for token, _ in sorted(ranks.items(), key=lambda item: item[1]):
        splits = [
            (rank_of(token[:cut]), token[:cut], token[cut:])
            for cut in range(1, len(token))
            if token[:cut] in ranks and token[cut:] in ranks
        ]
        if len(splits) > 1:
            splits.sort(key=lambda split: split[0])  # type: ignore[arg-type,return-value]
        merges.extend((left, right) for _, left, right in splits)
    return merges
