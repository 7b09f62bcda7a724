"""Hugging Face ``tokenizer.json``: building the document for a byte-level BPE.

The layout follows what ``transformers`` writes when it converts a tiktoken tokenizer (Llama 3,
for example): a ``Split`` pre-tokenizer carrying the split pattern, then ``ByteLevel`` without
its own regex, a ``BPE`` model whose vocabulary and merges are spelled in GPT-2's byte alphabet,
and a ``ByteLevel`` decoder. Special tokens live only in ``added_tokens``, never in the model's
vocabulary, so ordinary text can never produce them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from .._tokenizer import BackendSpec, Tokenizer
from ._byte_level import bytes_to_token_string

__all__ = ["byte_level_bpe_document", "byte_level_bpe_tokenizer"]


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
                {"type": "Split", "pattern": {"Regex": pattern}, "behavior": "Isolated", "invert": False},
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
    return json.dumps(document, ensure_ascii=False, indent=2)


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
