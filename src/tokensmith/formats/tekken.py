"""Mistral's Tekken JSON: tiktoken ranks, a split pattern and a block of special tokens first.

Layout (read from the files ``mistral-common`` ships): ``config`` holds ``pattern``,
``default_vocab_size`` and ``default_num_special_tokens``; ``vocab`` lists ``{rank,
token_bytes (base64), token_str}``; ``special_tokens`` (newer files) lists ``{rank, token_str,
is_control}``. Ids ``0 .. num_special - 1`` are the special tokens (older files without the list
use Mistral's published default names, padded with ``<SPECIAL_i>``); ordinary token ``rank``
has id ``rank + num_special``, and only the first ``default_vocab_size - num_special`` ranks are
used. Shifting every rank by the same amount keeps tiktoken's merge order, so the tiktoken
engine runs it unchanged.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._errors import FormatError
from .._tokenizer import Tokenizer
from .tiktoken_file import tiktoken_tokenizer

__all__ = ["is_tekken_document", "tekken_tokenizer"]

# The special tokens Mistral's Tekken files before v7 take by default, in id order.
_DEFAULT_SPECIAL_NAMES = (
    "<unk>", "<s>", "</s>", "[INST]", "[/INST]", "[AVAILABLE_TOOLS]", "[/AVAILABLE_TOOLS]",
    "[TOOL_RESULTS]", "[/TOOL_RESULTS]", "[TOOL_CALLS]", "[IMG]", "<pad>", "[IMG_BREAK]",
    "[IMG_END]", "[PREFIX]", "[MIDDLE]", "[SUFFIX]", "[SYSTEM_PROMPT]", "[/SYSTEM_PROMPT]",
    "[TOOL_CONTENT]",
)  # fmt: skip


def is_tekken_document(document: Any) -> bool:
    return (
        isinstance(document, dict)
        and isinstance(document.get("config"), dict)
        and "pattern" in document["config"]
        and isinstance(document.get("vocab"), list)
    )


def _special_names(document: Mapping[str, Any], count: int, source: str) -> list[str]:
    listed = document.get("special_tokens")
    if listed is None:
        names = list(_DEFAULT_SPECIAL_NAMES)
    else:
        ordered = sorted(listed, key=lambda entry: entry["rank"])
        if [entry["rank"] for entry in ordered] != list(range(len(ordered))):
            raise FormatError(f"{source}: special_tokens ranks must be 0, 1, 2, ... without gaps")
        names = [entry["token_str"] for entry in ordered]
    if len(names) > count:
        raise FormatError(f"{source}: {len(names)} special tokens listed but config allows {count}")
    return names + [f"<SPECIAL_{index}>" for index in range(len(names), count)]


def tekken_tokenizer(document: Mapping[str, Any], *, source: str, name: str | None = None) -> Tokenizer:
    """A ``Tokenizer`` for a parsed Tekken document, executed by tiktoken."""
    config = document["config"]
    try:
        num_special = int(config["default_num_special_tokens"])
        vocab_size = int(config["default_vocab_size"])
        pattern = str(config["pattern"])
    except (KeyError, TypeError, ValueError) as error:
        raise FormatError(f"{source}: Tekken config lacks or mangles {error}; expected pattern, default_vocab_size, default_num_special_tokens") from None
    inner_size = vocab_size - num_special
    entries = document["vocab"][:inner_size]
    if len(entries) < inner_size:
        raise FormatError(f"{source}: vocab has {len(entries)} entries, fewer than default_vocab_size - num_special = {inner_size}")
    ranks: dict[bytes, int] = {}
    for index, entry in enumerate(entries):
        try:
            if entry["rank"] != index:
                raise FormatError(f"{source}: vocab[{index}] has rank {entry['rank']}; ranks must count up from 0")
            ranks[base64.b64decode(entry["token_bytes"], validate=True)] = index + num_special
        except (KeyError, TypeError, binascii.Error):
            raise FormatError(f"{source}: vocab[{index}] needs 'rank' and base64 'token_bytes'") from None
    specials = {token: token_id for token_id, token in enumerate(_special_names(document, num_special, source))}
    return tiktoken_tokenizer(
        name or Path(source).stem,
        ranks,
        pattern,
        specials,
        source=source,
        metadata={"tekken_version": config.get("version"), "special_token_roles": {"bos": "<s>", "eos": "</s>", "unk": "<unk>"}},
    )
