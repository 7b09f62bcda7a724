"""SentencePiece ``.model`` files: a serialized ``ModelProto`` (protocol buffers).

We read the few fields we need with a small wire-format reader (no generated code, no protobuf
dependency), following SentencePiece's ``sentencepiece_model.proto``:

* ``ModelProto.pieces`` (field 1), each a message with ``piece`` (1, string), ``score``
  (2, float) and ``type`` (3, enum: 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused,
  6 byte);
* ``ModelProto.trainer_spec`` (2) with ``model_type`` (3: 1 unigram, 2 BPE, 3 word, 4 char) and
  ``byte_fallback`` (35);
* ``ModelProto.normalizer_spec`` (3) with ``name`` (1) and ``add_dummy_prefix`` (3).

The protobuf wire format is documented at https://protobuf.dev/programming-guides/encoding/.
The model itself is executed by the ``sentencepiece`` library from the original bytes.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._errors import FormatError
from .._tokenizer import BackendSpec, Tokenizer
from ._spm_pieces import sentencepiece_piece_bytes

__all__ = ["SentencePiece", "parse_model_proto", "sentencepiece_tokenizer"]

_NORMAL, _UNKNOWN, _CONTROL = 1, 2, 3  # SentencePiece.Type values we act on
_MODEL_TYPES = {1: "unigram", 2: "bpe", 3: "word", 4: "char"}


class _WireError(Exception):
    """Raised by the wire reader; turned into FormatError with the file name by the caller."""


@dataclass(frozen=True)
class SentencePiece:
    piece: str
    score: float
    type: int


def _varint(data: bytes, position: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if position >= len(data) or shift > 63:
            raise _WireError(f"varint runs past the end at byte {position}")
        byte = data[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, position
        shift += 7


def _fields(data: bytes) -> Iterator[tuple[int, int, Any]]:
    """Yield ``(field number, wire type, value)``; length-delimited values are bytes."""
    position = 0
    while position < len(data):
        key, position = _varint(data, position)
        number, wire_type = key >> 3, key & 7
        if number == 0:
            raise _WireError(f"field number 0 at byte {position}")
        if wire_type == 0:
            value, position = _varint(data, position)
        elif wire_type == 1:
            value, position = data[position : position + 8], position + 8
        elif wire_type == 2:
            length, position = _varint(data, position)
            value, position = data[position : position + length], position + length
        elif wire_type == 5:
            value, position = data[position : position + 4], position + 4
        else:
            raise _WireError(f"unsupported wire type {wire_type} at byte {position}")
        if position > len(data):
            raise _WireError("a field runs past the end of the data")
        yield number, wire_type, value


def _piece(data: bytes) -> SentencePiece:
    piece, score, piece_type = "", 0.0, _NORMAL
    for number, wire_type, value in _fields(data):
        if number == 1 and wire_type == 2:
            piece = value.decode("utf-8")
        elif number == 2 and wire_type == 5:
            score = struct.unpack("<f", value)[0]
        elif number == 3 and wire_type == 0:
            piece_type = value
    return SentencePiece(piece, score, piece_type)


def parse_model_proto(data: bytes) -> tuple[list[SentencePiece], dict[str, Any]]:
    """Return the pieces and a summary of the trainer and normalizer specs."""
    pieces: list[SentencePiece] = []
    spec: dict[str, Any] = {"model_type": "unigram", "byte_fallback": False}
    for number, wire_type, value in _fields(data):
        if number == 1 and wire_type == 2:
            pieces.append(_piece(value))
        elif number == 2 and wire_type == 2:
            for field, kind, item in _fields(value):
                if field == 3 and kind == 0:
                    spec["model_type"] = _MODEL_TYPES.get(item, str(item))
                elif field == 35 and kind == 0:
                    spec["byte_fallback"] = bool(item)
        elif number == 3 and wire_type == 2:
            for field, kind, item in _fields(value):
                if field == 1 and kind == 2:
                    spec["normalizer_name"] = item.decode("utf-8")
                elif field == 3 and kind == 0:
                    spec["add_dummy_prefix"] = bool(item)
    return pieces, spec


def sentencepiece_tokenizer(path: Path, *, data: bytes | None = None, name: str | None = None) -> Tokenizer:
    """Load a SentencePiece model; FormatError when the file is not one."""
    data = path.read_bytes() if data is None else data
    hint = "is this a SentencePiece .model file?"
    try:
        pieces, spec = parse_model_proto(data)
    except (_WireError, UnicodeDecodeError, struct.error) as error:
        raise FormatError(f"{path}: not a SentencePiece model ({error}); {hint}") from None
    if not pieces or any(not piece.piece for piece in pieces):
        raise FormatError(f"{path}: not a SentencePiece model (no vocabulary pieces found); {hint}")
    _check_loads(path, data)
    special_tokens = {piece.piece: token_id for token_id, piece in enumerate(pieces) if piece.type == _CONTROL}
    return Tokenizer(
        name=name or path.name,
        family="unigram" if spec["model_type"] == "unigram" else "sentencepiece",
        byte_level=False,
        token_bytes_by_id={token_id: sentencepiece_piece_bytes(piece.piece) for token_id, piece in enumerate(pieces)},
        special_tokens=special_tokens,
        backend=BackendSpec("sentencepiece", data),
        merge_semantics=None,
        source=str(path),
        metadata={
            "sentencepiece": spec,
            "unknown_token": next((piece.piece for piece in pieces if piece.type == _UNKNOWN), None),
        },
    )


def _check_loads(path: Path, data: bytes) -> None:
    import sentencepiece

    try:
        sentencepiece.SentencePieceProcessor(model_proto=data)
    except (RuntimeError, OSError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise FormatError(f"{path}: the sentencepiece library refuses this model ({first_line})") from None
