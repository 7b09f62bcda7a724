"""GPT-2's printable alphabet for bytes, used by byte-level BPE in tokenizer.json and encoder.json.

Each byte maps to one printable Unicode character: printable Latin-1 bytes map to themselves, the
rest to code points from U+0100 upwards in byte order (GPT-2's ``bytes_to_unicode``). A token's
string in those files is the concatenation of its bytes' characters (``Ġ`` is the space).
"""

from __future__ import annotations

__all__ = ["BYTE_TO_CHAR", "CHAR_TO_BYTE", "bytes_to_token_string", "token_string_to_bytes"]


def _build_byte_to_char() -> tuple[str, ...]:
    printable = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("¡"), ord("¬") + 1))
        + list(range(ord("®"), ord("ÿ") + 1))
    )
    table: dict[int, str] = {byte: chr(byte) for byte in printable}
    next_code_point = 256
    for byte in range(256):
        if byte not in table:
            table[byte] = chr(next_code_point)
            next_code_point += 1
    return tuple(table[byte] for byte in range(256))


BYTE_TO_CHAR: tuple[str, ...] = _build_byte_to_char()
CHAR_TO_BYTE: dict[str, int] = {char: byte for byte, char in enumerate(BYTE_TO_CHAR)}


# str.translate tables let C do the per-character work: a few hundred thousand tokens are
# spelled per conversion. Latin-1 characters outside the alphabet map to U+FFFF, which cannot be
# encoded as Latin-1, so a string outside the alphabet is detected rather than misread.
_TO_ALPHABET = {byte: char for byte, char in enumerate(BYTE_TO_CHAR)}
_FROM_ALPHABET = {**{code: 0xFFFF for code in range(256)}, **{ord(char): byte for char, byte in CHAR_TO_BYTE.items()}}


def bytes_to_token_string(data: bytes) -> str:
    """The tokenizer.json spelling of a token's bytes."""
    return data.decode("latin-1").translate(_TO_ALPHABET)


def token_string_to_bytes(token: str) -> bytes:
    """Inverse of :func:`bytes_to_token_string`; KeyError on a character outside the alphabet."""
    try:
        return token.translate(_FROM_ALPHABET).encode("latin-1")
    except UnicodeEncodeError as error:
        raise KeyError(token[error.start]) from None
