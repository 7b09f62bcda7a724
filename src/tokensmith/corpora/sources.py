"""Resolve corpus sources (files, folders, globs) into a sorted, de-duplicated file list.

A file's format comes from its name: ``.txt``/``.text`` plain text, ``.jsonl``/``.ndjson`` one
JSON record per line, ``.parquet`` a columnar table, each optionally followed by one compression
suffix (``.gz``, ``.zst``/``.zstd``, ``.bz2``, ``.xz``). A file named explicitly with an unknown
format suffix is read as plain text (the caller chose it); folders and globs only pick up files
with a known suffix, so a ``README.md`` or ``LICENSE`` next to the data is never trained on.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .._errors import CorpusError, TokensmithFileNotFoundError

__all__ = ["CorpusFile", "SourceSpec", "file_format", "resolve_sources"]

SourceSpec = str | os.PathLike[str] | Sequence[str | os.PathLike[str]]

COMPRESSIONS = {".gz": "gzip", ".zst": "zstd", ".zstd": "zstd", ".bz2": "bz2", ".xz": "xz"}
FORMATS = {".txt": "text", ".text": "text", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
_GLOB_MAGIC = frozenset("*?[")
_SUPPORTED_HINT = ".txt, .jsonl or .parquet, optionally .gz/.zst/.bz2/.xz"


@dataclass(frozen=True)
class CorpusFile:
    """One input file: where it is, how its text is stored and how it is compressed."""

    path: Path
    format: str
    compression: str | None

    @property
    def kind(self) -> str:
        """Format and compression as one short label, e.g. ``"jsonl.gz"``."""
        suffix = {"gzip": "gz", "zstd": "zst"}.get(self.compression or "", self.compression)
        return f"{self.format}.{suffix}" if suffix else self.format


def file_format(path: Path, *, explicit: bool) -> CorpusFile | None:
    """Classify ``path`` by suffix; an unknown format is plain text if ``explicit``, else ``None``."""
    suffixes = [s.lower() for s in path.suffixes]
    compression = COMPRESSIONS.get(suffixes[-1]) if suffixes else None
    if compression is not None:
        suffixes = suffixes[:-1]
    fmt = FORMATS.get(suffixes[-1]) if suffixes else None
    if fmt is None:
        if not explicit:
            return None
        fmt = "text"
    return CorpusFile(path, fmt, compression)


def _is_hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def _folder_files(folder: Path) -> list[CorpusFile]:
    # Sorting by the relative POSIX path makes the order independent of the file system.
    found = []
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if _is_hidden(relative) or not path.is_file():
            continue
        entry = file_format(path, explicit=False)
        if entry is not None:
            found.append((relative.as_posix(), entry))
    return [entry for _, entry in sorted(found, key=lambda item: item[0])]


def _glob_files(pattern: str) -> list[CorpusFile]:
    files = []
    for name in sorted(glob.glob(pattern, recursive=True)):
        path = Path(name)
        if path.is_dir():
            files.extend(_folder_files(path))
        elif path.is_file():
            entry = file_format(path, explicit=False)
            if entry is not None:
                files.append(entry)
    return files


def _resolve_one(source: str | os.PathLike[str]) -> list[CorpusFile]:
    path = Path(source)
    if path.is_dir():
        files = _folder_files(path)
        if not files:
            raise CorpusError(f"{path}: folder holds no {_SUPPORTED_HINT} files; empty corpus")
        return files
    if path.is_file():
        return [entry] if (entry := file_format(path, explicit=True)) else []
    text = os.fspath(source)
    if isinstance(text, str) and _GLOB_MAGIC & set(text):
        files = _glob_files(text)
        if not files:
            raise CorpusError(f"{text}: pattern matches no {_SUPPORTED_HINT} files; empty corpus")
        return files
    raise TokensmithFileNotFoundError(path, "file or folder")


def resolve_sources(sources: SourceSpec) -> tuple[CorpusFile, ...]:
    """Expand ``sources`` (a path, folder, glob, or a sequence of them) into input files.

    Order is the order of ``sources``, and sorted by relative path within each folder or glob,
    so the same arguments always give the same list. A file reached twice is an error rather
    than silently read twice (or silently dropped).
    """
    items = [sources] if isinstance(sources, (str, os.PathLike)) else list(sources)
    if not items:
        raise CorpusError("no corpus sources given; pass a file, folder or glob; empty corpus")
    seen: dict[Path, str] = {}
    files: list[CorpusFile] = []
    for item in items:
        if not isinstance(item, (str, os.PathLike)):
            raise CorpusError(f"{item!r}: a corpus source must be a path or glob string")
        for entry in _resolve_one(item):
            key = entry.path.resolve()
            if key in seen:
                raise CorpusError(
                    f"{entry.path}: reached twice (via {seen[key]!r} and {os.fspath(item)!r}); "
                    "list each file once"
                )
            seen[key] = os.fspath(item)
            files.append(entry)
    return tuple(files)
