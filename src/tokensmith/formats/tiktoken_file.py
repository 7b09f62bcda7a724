"""tiktoken rank files (``.tiktoken``) and the pattern sidecar tokensmith writes beside them.

A rank file has one token per line: the token's bytes in base64, a space, its rank (which is
also its id). It holds no split pattern and no special tokens, so a file alone cannot be run.
tokensmith keeps those in a sidecar named after the rank file plus ``.json``
(``cl100k.tiktoken`` -> ``cl100k.tiktoken.json``)::

    {"tokensmith_tiktoken_sidecar": 1,
     "name": "cl100k_base",
     "pattern": "<split regex>",
     "special_tokens": {"<|endoftext|>": 100257}}

:func:`load` reads the sidecar when it is present; ``pattern=`` (a preset name such as
``cl100k`` or a regex) overrides it, and is required when there is no sidecar.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._errors import FormatError
from .._patterns import PATTERNS, pattern_by_name
from .._tokenizer import BackendSpec, Tokenizer

__all__ = [
    "SIDECAR_KEY",
    "is_sidecar_document",
    "looks_like_rank_file",
    "parse_rank_lines",
    "rank_file_text",
    "read_rank_file",
    "sidecar_path",
    "sidecar_text",
    "tiktoken_tokenizer",
    "tokenizer_from_rank_file",
]

SIDECAR_KEY = "tokensmith_tiktoken_sidecar"
_GZIP_MAGIC = b"\x1f\x8b"


def sidecar_path(rank_file: Path) -> Path:
    """Where the sidecar of ``rank_file`` lives: the same name plus ``.json``."""
    return rank_file.with_name(rank_file.name + ".json")


def is_sidecar_document(document: Any) -> bool:
    return isinstance(document, dict) and SIDECAR_KEY in document


def looks_like_rank_file(head: bytes) -> bool:
    """True when the first line of ``head`` is ``<base64> <integer>``."""
    if head.startswith(_GZIP_MAGIC):
        return True
    first_line = head.split(b"\n", 1)[0].strip()
    parts = first_line.split(b" ")
    if len(parts) != 2 or not parts[1].isdigit():
        return False
    try:
        base64.b64decode(parts[0], validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def parse_rank_lines(data: bytes, source: str) -> dict[bytes, int]:
    """Parse rank-file content; a bad line raises FormatError naming its line number."""
    ranks: dict[bytes, int] = {}
    for line_number, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 2 or not parts[1].isdigit():
            raise FormatError(
                f"{source}: line {line_number}: expected '<base64 token> <rank>', got {line[:60]!r}; "
                f"is this a .tiktoken rank file?"
            )
        try:
            token = base64.b64decode(parts[0], validate=True)
        except (binascii.Error, ValueError):
            raise FormatError(f"{source}: line {line_number}: {parts[0][:40]!r} is not valid base64") from None
        if token in ranks:
            raise FormatError(f"{source}: line {line_number}: token {token!r} appears twice (first at rank {ranks[token]})")
        ranks[token] = int(parts[1])
    if not ranks:
        raise FormatError(f"{source}: the rank file is empty")
    return ranks


def read_rank_file(path: Path) -> dict[bytes, int]:
    """Read a ``.tiktoken`` file (gzip-compressed files are accepted too)."""
    data = path.read_bytes()
    if data.startswith(_GZIP_MAGIC):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as error:
            raise FormatError(f"{path}: damaged gzip data ({error}); re-download the rank file") from None
    return parse_rank_lines(data, str(path))


def _read_sidecar(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise FormatError(f"{path}: the tiktoken sidecar is not valid JSON ({error}); rewrite it with tokensmith.save") from None
    if not is_sidecar_document(document):
        raise FormatError(f"{path}: not a tokensmith tiktoken sidecar (no {SIDECAR_KEY!r} key)")
    specials = document.get("special_tokens", {})
    if not isinstance(document.get("pattern"), str) or not isinstance(specials, dict):
        raise FormatError(f"{path}: the sidecar needs a string 'pattern' and a 'special_tokens' object")
    if not all(isinstance(token_id, int) for token_id in specials.values()):
        raise FormatError(f"{path}: 'special_tokens' must map each token text to an integer id")
    return document


def tiktoken_tokenizer(
    name: str,
    ranks: Mapping[bytes, int],
    pattern: str,
    special_tokens: Mapping[str, int],
    *,
    source: str | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> Tokenizer:
    """A ``Tokenizer`` executed by tiktoken from ranks (ids) and a split pattern."""
    token_bytes_by_id = {rank: token for token, rank in ranks.items()}
    if len(token_bytes_by_id) != len(ranks):
        raise FormatError(f"{source or name}: two tokens share a rank; ranks must be unique ids")
    for content, token_id in special_tokens.items():
        if token_id in token_bytes_by_id:
            raise FormatError(f"{source or name}: special token {content!r} has id {token_id}, which an ordinary token already uses")
        token_bytes_by_id[token_id] = content.encode("utf-8")
    return Tokenizer(
        name=name,
        family="bpe",
        byte_level=True,
        token_bytes_by_id=token_bytes_by_id,
        special_tokens=special_tokens,
        backend=BackendSpec("tiktoken"),
        pattern=pattern,
        merge_semantics="ranks",
        source=source,
        metadata=metadata or {},
    )


def _check_pattern(pattern: str, path: Path) -> None:
    """Refuse a split pattern that does not compile, now rather than at the first encode."""
    import regex

    try:
        regex.compile(pattern)
    except regex.error as error:
        raise FormatError(f"{path}: the split pattern is not a valid regex ({error}); pass a preset name or a corrected pattern") from None


def tokenizer_from_rank_file(path: Path, *, pattern: str | None = None) -> Tokenizer:
    """Load a rank file, taking pattern and specials from ``pattern=`` or the sidecar."""
    sidecar = sidecar_path(path)
    document = _read_sidecar(sidecar) if sidecar.is_file() else None
    if pattern is not None:
        split_pattern = pattern_by_name(pattern)
    elif document is not None:
        split_pattern = document["pattern"]
    else:
        raise FormatError(
            f"{path}: a .tiktoken file holds no split pattern; pass pattern= (a preset: "
            f"{', '.join(PATTERNS)}; or a regex), or put a sidecar at {sidecar.name}"
        )
    _check_pattern(split_pattern, path)
    specials = dict(document.get("special_tokens", {})) if document else {}
    name = (document or {}).get("name") or path.name.removesuffix(".gz").removesuffix(".tiktoken")
    return tiktoken_tokenizer(name, read_rank_file(path), split_pattern, specials, source=str(path))


def rank_file_text(tokenizer: Tokenizer) -> str:
    """The ``.tiktoken`` text of a tokenizer's ordinary tokens, in rank order."""
    ranks = tokenizer.mergeable_ranks()
    return "".join(f"{base64.b64encode(token).decode('ascii')} {rank}\n" for token, rank in sorted(ranks.items(), key=lambda item: item[1]))


def sidecar_text(tokenizer: Tokenizer) -> str:
    document = {
        SIDECAR_KEY: 1,
        "name": tokenizer.name,
        "pattern": tokenizer.pattern,
        "special_tokens": dict(sorted(tokenizer.special_tokens.items(), key=lambda item: item[1])),
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
