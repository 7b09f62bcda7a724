"""Hugging Face ``tokenizer.json``: building the document for a byte-level BPE.

The layout follows what ``transformers`` writes when it converts a tiktoken tokenizer (Llama 3,
for example): a ``Split`` pre-tokenizer carrying the split pattern, then ``ByteLevel`` without
its own regex, a ``BPE`` model whose vocabulary and merges are spelled in GPT-2's byte alphabet,
and a ``ByteLevel`` decoder. Special tokens live only in ``added_tokens``, never in the model's
vocabulary, so ordinary text can never produce them — except where their ids would otherwise
change (see ``_pin_special_ids``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from .._tokenizer import BackendSpec, Tokenizer
from ._byte_level import bytes_to_token_string
from .hf_json_reader import tokenizer_from_document

__all__ = [
    "byte_level_bpe_document",
    "byte_level_bpe_tokenizer",
    "oniguruma_pattern",
    "rank_tokenizer_document",
    "tokenizer_from_document",
]


# A possessive interval (``\p{N}{1,3}+``, cl100k's digit rule) is not possessive in the Ruby
# syntax of Oniguruma, the regex engine of ``tokenizers``: it reads as "one to three digits, one
# or more times", so ``1234`` would become one piece. Where the interval ends its alternative, as
# in every published pattern, the greedy interval splits identically.
_POSSESSIVE_INTERVAL = re.compile(r"(?<!\\)(\{\d+(?:,\d*)?\})\+")


def oniguruma_pattern(pattern: str) -> str:
    """``pattern`` rewritten so ``tokenizers`` (Oniguruma) splits text as ``regex`` does."""
    return _POSSESSIVE_INTERVAL.sub(r"\1", pattern)


def _pin_special_ids(vocab: dict[str, int], special_tokens: Mapping[str, int]) -> None:
    """Put special tokens in the model vocabulary when their ids do not directly follow it.

    ``tokenizers`` ignores the ids written in ``added_tokens``: it gives each added token the id
    the model has for its text, or else the next free id after the vocabulary. Specials placed
    elsewhere (cl100k's gap before ``<|endofprompt|>``, Tekken's specials before the vocabulary)
    keep their ids only when the model's vocabulary lists them.
    """
    expected = range(len(vocab), len(vocab) + len(special_tokens))
    ids_in_order = sorted(special_tokens.values())
    if list(expected) == ids_in_order and (not vocab or max(vocab.values()) == len(vocab) - 1):
        return
    for content, token_id in special_tokens.items():
        vocab.setdefault(content, token_id)


def byte_level_bpe_document(
    token_bytes_by_id: Mapping[int, bytes],
    merges: Sequence[tuple[bytes, bytes]],
    pattern: str,
    special_tokens: Mapping[str, int],
    *,
    ignore_merges: bool = False,
) -> str:
    """Return tokenizer.json text for a byte-level BPE.

    ``token_bytes_by_id`` may include the special tokens; they are written as added tokens.
    ``ignore_merges=True`` makes the library take a pre-token that is itself a token whole, which
    is how tiktoken-origin tokenizers come closest to tiktoken's rank rule.
    """
    special_ids = set(special_tokens.values())
    vocab = {
        bytes_to_token_string(data): token_id
        for token_id, data in sorted(token_bytes_by_id.items())
        if token_id not in special_ids
    }
    _pin_special_ids(vocab, special_tokens)
    document: dict[str, Any] = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {
                "id": token_id,
                "content": content,
                "single_word": False,
                "lstrip": False,
                "rstrip": False,
                "normalized": False,
                "special": True,
            }
            for content, token_id in sorted(special_tokens.items(), key=lambda item: item[1])
        ],
        "normalizer": None,
        "pre_tokenizer": {
            "type": "Sequence",
            "pretokenizers": [
                {"type": "Split", "pattern": {"Regex": oniguruma_pattern(pattern)}, "behavior": "Isolated", "invert": False},
                {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False},
            ],
        },
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {
            "type": "BPE",
            "dropout": None,
            "unk_token": None,
            "continuing_subword_prefix": None,
            "end_of_word_suffix": None,
            "fuse_unk": False,
            "byte_fallback": False,
            "ignore_merges": ignore_merges,
            "vocab": vocab,
            "merges": [[bytes_to_token_string(left), bytes_to_token_string(right)] for left, right in merges],
        },
    }
    return _dump_document(document)


def _dump_document(document: dict[str, Any]) -> str:
    """Indented JSON whose two large arrays are written compactly.

    ``json.dumps`` with ``indent`` runs in pure Python; a 200k-token vocabulary and its merges
    took seconds that way, so those two are serialised by the C encoder and spliced in.
    """
    model = document["model"]
    shell = {**document, "model": {**model, "vocab": "\0vocab", "merges": "\0merges"}}
    text = json.dumps(shell, ensure_ascii=False, indent=2)
    text = text.replace('"\\u0000vocab"', json.dumps(model["vocab"], ensure_ascii=False), 1)
    return text.replace('"\\u0000merges"', json.dumps(model["merges"], ensure_ascii=False), 1)


def byte_level_bpe_tokenizer(
    name: str,
    token_bytes_by_id: Mapping[int, bytes],
    merges: Sequence[tuple[bytes, bytes]],
    pattern: str,
    special_tokens: Mapping[str, int],
    *,
    source: str | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> Tokenizer:
    """A ``Tokenizer`` for a merge-list byte-level BPE (what our trainer produces).

    Special tokens are added to ``token_bytes_by_id`` as their UTF-8 text. The tokenizer is
    executed by the ``tokenizers`` library from the generated document, so its ids are by
    construction those of the saved tokenizer.json.
    """
    all_bytes = dict(token_bytes_by_id)
    for content, token_id in special_tokens.items():
        all_bytes[token_id] = content.encode("utf-8")
    document = byte_level_bpe_document(all_bytes, merges, pattern, special_tokens)
    return Tokenizer(
        name=name,
        family="bpe",
        byte_level=True,
        token_bytes_by_id=all_bytes,
        special_tokens=special_tokens,
        backend=BackendSpec("huggingface", document),
        pattern=pattern,
        merges=tuple(merges),
        merge_semantics="merges",
        source=source,
        metadata=metadata or {},
    )


def rank_tokenizer_document(tokenizer: Tokenizer) -> str:
    """tokenizer.json text for a rank-based (tiktoken) byte-level BPE.

    Merges are recovered from the ranks (see ``_rank_merges``), and ``ignore_merges`` makes a
    pre-token that is itself a token come out whole, as tiktoken does. The result is close to,
    not guaranteed equal to, tiktoken's rule: callers verify before writing it.
    """
    from ._rank_merges import merges_from_ranks

    if tokenizer.pattern is None:
        raise ValueError(f"{tokenizer.name}: a byte-level BPE needs a split pattern")
    merges = merges_from_ranks(tokenizer.mergeable_ranks())
    return byte_level_bpe_document(
        tokenizer.token_bytes_by_id, merges, tokenizer.pattern, tokenizer.special_tokens, ignore_merges=True
    )
