"""Read one corpus file as a stream: decompress, check UTF-8, and yield its documents.

Nothing here holds a whole file in memory: text is read in chunks, JSONL line by line, Parquet
in record batches. Byte offsets in error messages count from the start of the *decompressed*
stream, so ``head -c OFFSET`` on the decompressed file lands just before the bad byte.
"""

from __future__ import annotations

import bz2
import codecs
import contextlib
import gzip
import io
import json
import lzma
import shutil
import tempfile
import zlib
from collections.abc import Iterator
from typing import BinaryIO

import regex

from .._errors import CorpusError, OptionalDependencyError
from .sources import CorpusFile

__all__ = ["DECODE_CHUNK_BYTES", "READ_CHUNK_BYTES", "iter_record_texts", "iter_utf8_chunks", "open_decompressed"]

READ_CHUNK_BYTES = 4 * 2**20
# Checking UTF-8 builds a str; for text with emoji that is 4 bytes per character, so the text
# path reads smaller pieces to keep that temporary small.
DECODE_CHUNK_BYTES = 256 * 2**10
_BOM = b"\xef\xbb\xbf"
_LONE_SURROGATE = regex.compile(r"[\ud800-\udfff]")
_DECOMPRESSION_ERRORS = (OSError, EOFError, ValueError, lzma.LZMAError, zlib.error)
# zstd input is fed in small pieces: output per piece is this times the compression ratio.
_ZSTD_INPUT_BYTES = 16 * 2**10


@contextlib.contextmanager
def open_decompressed(entry: CorpusFile) -> Iterator[BinaryIO]:
    """Open ``entry`` for binary reading, decompressing on the fly by its suffix."""
    try:
        raw = open(entry.path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise CorpusError(f"{entry.path}: cannot open ({exc.strerror}); check permissions") from exc
    try:
        if entry.compression == "gzip":
            stream: BinaryIO = gzip.GzipFile(fileobj=raw, mode="rb")
        elif entry.compression == "bz2":
            stream = bz2.BZ2File(raw, mode="rb")
        elif entry.compression == "xz":
            stream = lzma.LZMAFile(raw, mode="rb")
        elif entry.compression == "zstd":
            stream = io.BufferedReader(_ZstdFrames(raw), buffer_size=256 * 2**10)
        else:
            stream = raw
        yield _DamageReporting(stream, entry)
    finally:
        raw.close()


class _ZstdFrames(io.RawIOBase):
    """Decompress concatenated zstd frames, failing on a truncated last frame.

    zstandard's own ``stream_reader`` returns a short, clean end-of-file when the input stops in
    the middle of a frame, which would silently drop text; a decompression object reports
    whether its frame finished.
    """

    def __init__(self, raw: BinaryIO) -> None:
        import zstandard  # only when a .zst file is read: it is the slowest import here

        super().__init__()
        self._raw = raw
        self._decompressor = zstandard.ZstdDecompressor()
        self._error = zstandard.ZstdError
        self._frame: zstandard.ZstdDecompressionObj | None = None
        self._out = b""
        self._at = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while self._at >= len(self._out):
            if not self._refill():
                return 0
        count = min(len(buffer), len(self._out) - self._at)
        buffer[:count] = self._out[self._at : self._at + count]
        self._at += count
        return count

    def _refill(self) -> bool:
        data = self._raw.read(_ZSTD_INPUT_BYTES)
        if not data:
            if self._frame is not None and not self._frame.eof:
                raise EOFError("compressed file ended before the end of a zstd frame")
            return False
        pieces = []
        while data:
            if self._frame is None or self._frame.eof:
                self._frame = self._decompressor.decompressobj()
            try:
                pieces.append(self._frame.decompress(data))
            except self._error as exc:
                raise ValueError(str(exc)) from exc
            data = self._frame.unused_data if self._frame.eof else b""
        self._out, self._at = b"".join(pieces), 0
        return True


class _DamageReporting(io.RawIOBase):
    """Turn a decompressor's own exception on damaged input into one CorpusError line."""

    def __init__(self, inner: BinaryIO, entry: CorpusFile) -> None:
        super().__init__()
        self._inner = inner
        self._entry = entry

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        try:
            return self._inner.read(size)
        except _DECOMPRESSION_ERRORS as exc:
            raise self._damaged(exc) from exc

    def readline(self, size: int | None = -1) -> bytes:
        try:
            return self._inner.readline(-1 if size is None else size)
        except _DECOMPRESSION_ERRORS as exc:
            raise self._damaged(exc) from exc

    def _damaged(self, exc: Exception) -> CorpusError:
        return CorpusError(
            f"{self._entry.path}: damaged {self._entry.compression or 'file'} data ({exc}); "
            "re-create or re-download the file"
        )


def _bad_utf8(entry: CorpusFile, offset: int, data: bytes, where: str = "") -> CorpusError:
    shown = data[:4].hex(" ")
    return CorpusError(
        f"{entry.path}:{where} invalid UTF-8 at byte offset {offset} (bytes {shown}); "
        "convert the file to UTF-8 or pass errors='replace'"
    )


def _decode_utf8(data: bytes, entry: CorpusFile, start_offset: int, errors: str, where: str = "") -> str:
    """Decode complete ``data``; on a bad byte name its absolute offset (strict) or use U+FFFD."""
    try:
        return data.decode("utf-8", errors)
    except UnicodeDecodeError as exc:
        raise _bad_utf8(entry, start_offset + exc.start, data[exc.start :], where) from None


def iter_utf8_chunks(
    stream: BinaryIO, entry: CorpusFile, errors: str, chunk_bytes: int = DECODE_CHUNK_BYTES
) -> Iterator[bytes]:
    """Yield the stream as valid UTF-8 pieces that each end on a character boundary.

    A leading BOM is dropped. With ``errors="strict"`` the raw bytes are passed through after
    checking (no re-encoding); with ``"replace"`` bad sequences become U+FFFD exactly as
    ``bytes.decode(errors="replace")`` does on the whole stream.
    """
    offset = 0  # absolute offset of carry[0] in the decompressed stream
    carry = b""
    first = True
    while True:
        block = stream.read(chunk_bytes)
        final = not block
        data = carry + block
        if first:
            if len(data) < len(_BOM) and not final:
                carry = data
                continue
            if data.startswith(_BOM):
                data = data[len(_BOM) :]
                offset += len(_BOM)
            first = False
        try:
            text, consumed = codecs.utf_8_decode(data, errors, final)
        except UnicodeDecodeError as exc:
            raise _bad_utf8(entry, offset + exc.start, data[exc.start :]) from None
        if consumed:
            yield data[:consumed] if errors == "strict" else text.encode("utf-8")
        carry = data[consumed:]
        offset += consumed
        if final:
            return


def _record_text(record: object, entry: CorpusFile, line_number: int, text_field: str, option: str) -> str:
    if not isinstance(record, dict):
        raise CorpusError(
            f"{entry.path}:{line_number}: record is a JSON {type(record).__name__}, not an object; "
            f"each line must be an object with a {text_field!r} field"
        )
    if text_field not in record:
        fields = ", ".join(map(repr, list(record)[:8])) or "none"
        raise CorpusError(
            f"{entry.path}:{line_number}: record has no {text_field!r} field (fields: {fields}); "
            f"pass {option}= to name the field"
        )
    value = record[text_field]
    if not isinstance(value, str):
        raise CorpusError(
            f"{entry.path}:{line_number}: field {text_field!r} is a JSON {type(value).__name__}, "
            "not a string; fix the record"
        )
    return value


def _without_lone_surrogates(text: str, entry: CorpusFile, where: str, errors: str) -> str:
    # JSON can spell unpaired surrogates (\ud800); they have no UTF-8 form.
    if not _LONE_SURROGATE.search(text):
        return text
    if errors == "replace":
        return _LONE_SURROGATE.sub("\ufffd", text)
    raise CorpusError(
        f"{entry.path}:{where} text holds an unpaired UTF-16 surrogate escape; "
        "fix the record or pass errors='replace'"
    )


def _iter_jsonl(
    stream: BinaryIO, entry: CorpusFile, text_field: str, errors: str, where: tuple[str, str] | None, option: str
) -> Iterator[str]:
    offset = 0
    for line_number, line in enumerate(iter(stream.readline, b""), start=1):
        start = offset
        offset += len(line)
        if line_number == 1 and line.startswith(_BOM):
            line, start = line[len(_BOM) :], start + len(_BOM)
        text_line = _decode_utf8(line, entry, start, errors, f"{line_number}:")
        if not text_line.strip():
            continue
        try:
            record = json.loads(text_line)
        except json.JSONDecodeError as exc:
            raise CorpusError(
                f"{entry.path}:{line_number}: not valid JSON ({exc.msg} at column {exc.colno}); "
                "fix or remove the line"
            ) from None
        if where is not None and (not isinstance(record, dict) or record.get(where[0]) != where[1]):
            continue
        text = _record_text(record, entry, line_number, text_field, option)
        yield _without_lone_surrogates(text, entry, f"{line_number}:", errors)


def _spooled_copy(stream: BinaryIO) -> BinaryIO:
    # Parquet needs random access, which a decompressor cannot give; copy to disk, not memory.
    spool = tempfile.TemporaryFile()
    shutil.copyfileobj(stream, spool, READ_CHUNK_BYTES)
    spool.seek(0)
    return spool  # type: ignore[return-value]


def _parquet_column_kind(schema: object, entry: CorpusFile, column: str, option: str) -> bool:
    """Check that ``column`` exists and holds text; True when it is binary (needs decoding)."""
    import pyarrow

    names = schema.names  # type: ignore[attr-defined]
    if column not in names:
        raise CorpusError(
            f"{entry.path}: no column {column!r} (columns: {', '.join(map(repr, names[:8]))}); "
            f"pass {option}= to name the column"
        )
    kind = schema.field(column).type  # type: ignore[attr-defined]
    if pyarrow.types.is_binary(kind) or pyarrow.types.is_large_binary(kind):
        return True
    if pyarrow.types.is_string(kind) or pyarrow.types.is_large_string(kind):
        return False
    raise CorpusError(f"{entry.path}: column {column!r} has type {kind}, not string; choose a text column")


def _iter_parquet(
    stream: BinaryIO, entry: CorpusFile, text_field: str, errors: str, where: tuple[str, str] | None, option: str
) -> Iterator[str]:
    try:
        import pyarrow
        import pyarrow.parquet as pq
    except ImportError:
        raise OptionalDependencyError(f"reading {entry.path} (Parquet)", "pyarrow", "parquet") from None
    with _spooled_copy(stream) if entry.compression else contextlib.nullcontext(entry.path) as source:
        try:
            table = pq.ParquetFile(source)
        except (pyarrow.ArrowException, OSError) as exc:
            raise CorpusError(f"{entry.path}: not a readable Parquet file ({exc}); check the file") from None
        is_binary = _parquet_column_kind(table.schema_arrow, entry, text_field, option)
        columns = [text_field]
        if where is not None:
            _parquet_column_kind(table.schema_arrow, entry, where[0], "language_field")
            columns.append(where[0])
        row = 0
        for batch in table.iter_batches(batch_size=1024, columns=columns):
            keep = batch.column(1).to_pylist() if where is not None else None
            for index, value in enumerate(batch.column(0).to_pylist()):
                row += 1
                if keep is not None and keep[index] != where[1]:  # type: ignore[index]
                    continue
                if value is None:
                    raise CorpusError(f"{entry.path}: row {row}: {text_field!r} is null; drop or fill empty rows")
                yield _decode_utf8(value, entry, 0, errors, f" row {row}:") if is_binary else value


def iter_record_texts(
    entry: CorpusFile,
    text_field: str,
    errors: str,
    where: tuple[str, str] | None = None,
    *,
    option: str = "text_field",
) -> Iterator[str]:
    """Yield the text of each record of a JSONL or Parquet file, one string per record.

    ``where=(field, value)`` keeps only records whose ``field`` equals ``value``. ``option`` is
    the argument name an error message tells the user to change when the field is missing.
    """
    with open_decompressed(entry) as stream:
        if entry.format == "jsonl":
            yield from _iter_jsonl(stream, entry, text_field, errors, where, option)
        else:
            yield from _iter_parquet(stream, entry, text_field, errors, where, option)
