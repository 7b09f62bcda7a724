"""SentencePiece piece spellings to canonical bytes: ``▁`` is a space, ``<0xNN>`` is that byte."""

from __future__ import annotations

import re

__all__ = ["SPM_SPACE", "sentencepiece_piece_bytes"]

SPM_SPACE = "\u2581"
_BYTE_PIECE = re.compile(r"<0x([0-9A-Fa-f]{2})>")


def sentencepiece_piece_bytes(piece: str) -> bytes:
    """The bytes a SentencePiece-style piece stands for (byte-fallback pieces included)."""
    match = _BYTE_PIECE.fullmatch(piece)
    if match:
        return bytes([int(match.group(1), 16)])
    return piece.replace(SPM_SPACE, " ").encode("utf-8")
