"""Reading an existing byte-level BPE as the base of an extension run.

Its ids, bytes and merges are kept exactly. A merge-list tokenizer (tokenizer.json, our own
output) gives its merges directly; a rank tokenizer (.tiktoken, GPT-2 files loaded as ranks) has
none, so they are derived exactly as the formats layer does when it saves such a tokenizer as
tokenizer.json (``formats._rank_merges``): the extended tokenizer's old merges are then those
of the base's own tokenizer.json conversion.
"""

from __future__ import annotations

from typing import Any

from .._errors import TrainingError
from ..formats._rank_merges import merges_from_ranks
from ._vocabulary import BaseVocabulary

__all__ = ["base_from_tokenizer"]


def base_from_tokenizer(tokenizer: Any) -> tuple[BaseVocabulary, dict[str, int], bool]:
    """``(base, its special tokens, whether it follows tiktoken's rank rule)`` for ``tokenizer``."""
    where = tokenizer.source or tokenizer.name
    if tokenizer.family != "bpe" or not tokenizer.byte_level or tokenizer.merge_semantics is None:
        raise TrainingError(f"{where}: --extend needs a byte-level BPE tokenizer; this one is {tokenizer.family}")
    ordinary = tokenizer.mergeable_ranks()
    missing = [byte for byte in range(256) if bytes([byte]) not in ordinary]
    if missing:
        raise TrainingError(f"{where}: byte 0x{missing[0]:02x} has no token, so this is not a full byte-level BPE; it cannot be extended")
    size = tokenizer.n_vocab
    token_bytes: list[bytes | None] = [None] * size
    for data, token_id in ordinary.items():
        token_bytes[token_id] = data
    uses_ranks = tokenizer.merge_semantics == "ranks"
    merges = list(tokenizer.merges) if tokenizer.merges else merges_from_ranks(ordinary)
    base = BaseVocabulary(token_bytes, [len(data) if data is not None else 1 << 20 for data in token_bytes])
    for position, (left, right) in enumerate(merges):
        try:
            base.merges.append((ordinary[left], ordinary[right]))
            base.merge_results.append(ordinary[left + right])
        except KeyError:
            raise TrainingError(f"{where}: merge {position} ({left!r} + {right!r}) uses a token missing from the vocabulary") from None
    return base, dict(tokenizer.special_tokens), uses_ranks
