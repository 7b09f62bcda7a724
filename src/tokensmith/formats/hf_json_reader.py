"""Reading a Hugging Face ``tokenizer.json`` into a ``Tokenizer``.

The document stays the backend (the ``tokenizers`` library runs it), so ids are exactly the
library's. What this module adds is the canonical view every tokensmith tool works with: each
token's bytes, the family, the split pattern and the special tokens.

Token bytes are canonical: in byte-level BPE the GPT-2 alphabet is undone; in SentencePiece-style
vocabularies ``▁`` is a space and ``<0xNN>`` is that byte; WordPiece's ``##`` continuation prefix
is dropped. Only byte-level BPE without a normalizer is ``byte_level=True`` (its token bytes
concatenate to the text's bytes).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from .._errors import FormatError, UnsupportedFormatError
from .._patterns import PATTERNS
from .._tokenizer import BackendSpec, Family, Tokenizer
from ._byte_level import token_string_to_bytes
from ._spm_pieces import sentencepiece_piece_bytes

__all__ = ["parse_document", "tokenizer_from_document"]


def parse_document(text: str, source: str) -> dict[str, Any]:
    """Parse tokenizer.json text; FormatError for broken JSON or a document that is not one."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise FormatError(f"{source}: line {error.lineno}, column {error.colno}: invalid JSON ({error.msg}); the file is truncated or damaged") from None
    if not isinstance(document, dict) or not isinstance(document.get("model"), dict):
        raise FormatError(f"{source}: valid JSON but not a tokenizer.json (no 'model' object); pass a Hugging Face tokenizer.json")
    return document


def _walk_pre_tokenizers(section: Any) -> list[dict[str, Any]]:
    if not isinstance(section, dict):
        return []
    if section.get("type") == "Sequence":
        return [item for child in section.get("pretokenizers", []) for item in _walk_pre_tokenizers(child)]
    return [section]


def _split_pattern(pre_tokenizer: Any) -> str | None:
    """The regex the pre-tokenizer splits with, or None when it does not split by a regex."""
    for stage in _walk_pre_tokenizers(pre_tokenizer):
        if stage.get("type") == "Split":
            pattern = stage.get("pattern", {})
            if isinstance(pattern, dict) and "Regex" in pattern:
                return pattern["Regex"]
            if isinstance(pattern, dict) and "String" in pattern:
                return re.escape(pattern["String"])
        if stage.get("type") == "ByteLevel" and stage.get("use_regex", True):
            # tiktoken's pattern gives the same pieces as the library's built-in GPT-2 regex.
            return PATTERNS["gpt2"]
    return None


def _is_byte_level(document: Mapping[str, Any]) -> bool:
    stages = _walk_pre_tokenizers(document.get("pre_tokenizer"))
    return any(stage.get("type") == "ByteLevel" for stage in stages)


def _concatenates_to_text(document: Mapping[str, Any]) -> bool:
    """True when token bytes concatenate exactly to the text (no normalizer, no added prefix)."""
    stages = _walk_pre_tokenizers(document.get("pre_tokenizer"))
    adds_prefix = any(stage.get("type") == "ByteLevel" and stage.get("add_prefix_space") for stage in stages)
    return document.get("normalizer") is None and not adds_prefix


def _byte_level_piece_bytes(piece: str) -> bytes:
    try:
        return token_string_to_bytes(piece)
    except KeyError:
        # Special tokens sometimes sit in the model vocabulary spelled as plain text.
        return piece.encode("utf-8")


def _vocab_ids(model: Mapping[str, Any], source: str) -> dict[str, int]:
    vocab = model.get("vocab")
    if model.get("type") == "Unigram":
        if not isinstance(vocab, list):
            raise FormatError(f"{source}: model.vocab of a Unigram model must be a list of [piece, score]")
        return {entry[0]: index for index, entry in enumerate(vocab)}
    if not isinstance(vocab, dict):
        raise FormatError(f"{source}: model.vocab must be an object mapping token to id")
    return vocab


def _family_and_bytes(document: Mapping[str, Any], source: str) -> tuple[Family, dict[int, bytes]]:
    model = document["model"]
    kind = model.get("type")
    vocab = _vocab_ids(model, source)
    if kind == "WordPiece":
        prefix = model.get("continuing_subword_prefix") or "##"
        return "wordpiece", {token_id: piece.removeprefix(prefix).encode("utf-8") for piece, token_id in vocab.items()}
    if kind == "Unigram":
        return "unigram", {token_id: sentencepiece_piece_bytes(piece) for piece, token_id in vocab.items()}
    if kind == "BPE":
        if _is_byte_level(document) and not model.get("byte_fallback"):
            return "bpe", {token_id: _byte_level_piece_bytes(piece) for piece, token_id in vocab.items()}
        return "sentencepiece", {token_id: sentencepiece_piece_bytes(piece) for piece, token_id in vocab.items()}
    raise UnsupportedFormatError(f"{source}: model type {kind!r} is not supported; tokensmith reads BPE, WordPiece and Unigram")


def _merges(
    model: Mapping[str, Any], spelled: Mapping[str, bytes], family: Family, source: str
) -> tuple[tuple[bytes, bytes], ...] | None:
    """The merge list as bytes; ``spelled`` maps each vocabulary spelling to its bytes."""
    if model.get("type") != "BPE":
        return None
    to_bytes = _byte_level_piece_bytes if family == "bpe" else sentencepiece_piece_bytes
    merges = []
    for index, entry in enumerate(model.get("merges") or []):
        pair = entry.split(" ", 1) if isinstance(entry, str) else entry
        try:
            left, right = pair
            merges.append((spelled.get(left) or to_bytes(left), spelled.get(right) or to_bytes(right)))
        except (TypeError, ValueError, AttributeError):
            raise FormatError(f"{source}: model.merges[{index}] is {entry!r}, not a pair of tokens") from None
    return tuple(merges)


def _backend_document(text: str, document: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The document the engine runs: padding and truncation off, since encode() returns whole texts.

    The original text is kept in metadata so that saving writes the file unchanged.
    """
    if document.get("padding") is None and document.get("truncation") is None:
        return text, {}
    stripped = dict(document, padding=None, truncation=None)
    return json.dumps(stripped, ensure_ascii=False), {"original_document": text}


def tokenizer_from_document(
    text: str,
    *,
    source: str,
    name: str | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> Tokenizer:
    """A ``Tokenizer`` for tokenizer.json text, executed by the ``tokenizers`` library."""
    document = parse_document(text, source)
    family, token_bytes_by_id = _family_and_bytes(document, source)
    spelled = {piece: token_bytes_by_id[token_id] for piece, token_id in _vocab_ids(document["model"], source).items()}
    special_tokens: dict[str, int] = {}
    for index, added in enumerate(document.get("added_tokens") or []):
        if not isinstance(added, dict) or not isinstance(added.get("id"), int) or not isinstance(added.get("content"), str):
            raise FormatError(f"{source}: added_tokens[{index}] needs an integer 'id' and a string 'content'")
        token_bytes_by_id[added["id"]] = added["content"].encode("utf-8")
        if added.get("special"):
            special_tokens[added["content"]] = added["id"]
    backend_text, extra_metadata = _backend_document(text, document)
    byte_level = family == "bpe" and _concatenates_to_text(document)
    return Tokenizer(
        name=name or source,
        family=family,
        byte_level=byte_level,
        token_bytes_by_id=token_bytes_by_id,
        special_tokens=special_tokens,
        backend=BackendSpec("huggingface", backend_text),
        pattern=_split_pattern(document.get("pre_tokenizer")),
        merges=_merges(document["model"], spelled, family, source),
        merge_semantics="merges" if document["model"].get("type") == "BPE" else None,
        normalizer=document.get("normalizer"),
        source=source,
        metadata={**extra_metadata, **(metadata or {})},
    )
