"""Turn what a user names (a Tokenizer, a built-in name, a path) into a ``Tokenizer``, and hash it."""

from __future__ import annotations

import hashlib
import json

from .._tokenizer import Tokenizer

__all__ = ["DEFAULT_TOKENIZERS", "resolve_tokenizer", "tokenizer_fingerprint"]

DEFAULT_TOKENIZERS = ("gpt2", "cl100k_base", "o200k_base")
"""What ``tokensmith compare`` measures when no tokenizer is named."""


def resolve_tokenizer(spec: Tokenizer | str) -> Tokenizer:
    """A ``Tokenizer`` for ``spec``: returned as is, or loaded by :func:`tokensmith.load`."""
    if isinstance(spec, Tokenizer):
        return spec
    from ..formats import load

    return load(spec)


def tokenizer_fingerprint(tokenizer: Tokenizer) -> str:
    """SHA-256 over the vocabulary, pattern, special tokens and backend document."""
    digest = hashlib.sha256()
    table = tokenizer.token_bytes_by_id
    digest.update(b"".join(token_id.to_bytes(4, "little") + len(table[token_id]).to_bytes(4, "little") + table[token_id] for token_id in sorted(table)))
    digest.update((tokenizer.pattern or "").encode("utf-8"))
    digest.update(json.dumps(sorted(tokenizer.special_tokens.items())).encode("utf-8"))
    if tokenizer.backend.document is not None:
        document = tokenizer.backend.document
        digest.update(document.encode("utf-8") if isinstance(document, str) else document)
    return digest.hexdigest()
