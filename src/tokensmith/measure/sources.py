"""Read the text an evaluation measures: named corpora of documents (one language or domain each).

A corpus is a name and a tuple of documents. Reading is :mod:`tokensmith.corpora`'s job: a
folder is a language collection (one corpus per file, named by its rules:
``newstest2019-ref.tur.txt`` -> ``tur``), a file is one corpus. Text is strict UTF-8 and is cut
into one document per line, so line-aligned parallel collections such as NTREX keep their
alignment; JSONL and Parquet give one document per record.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from os import PathLike
from pathlib import Path

from .._errors import CorpusError, TokensmithFileNotFoundError

__all__ = ["CorpusSample", "read_corpora"]

@dataclass(frozen=True, eq=False)
class CorpusSample:
    """One language or domain: its name, its documents, and where they came from."""

    name: str
    documents: tuple[str, ...]
    origin: str = "<memory>"

    @cached_property
    def n_bytes(self) -> int:
        return sum(len(document.encode("utf-8")) for document in self.documents)

    @cached_property
    def n_characters(self) -> int:
        return sum(len(document) for document in self.documents)

    @property
    def is_empty(self) -> bool:
        return not any(document.strip() for document in self.documents)

    @cached_property
    def sha256(self) -> str:
        digest = hashlib.sha256()
        for document in self.documents:
            digest.update(document.encode("utf-8") + b"\n")
        return digest.hexdigest()


CorpusSpec = str | PathLike[str] | Mapping[str, str | Sequence[str]] | CorpusSample


def read_corpora(specs: CorpusSpec | Iterable[CorpusSpec]) -> list[CorpusSample]:
    """Every corpus named by ``specs``: paths (file or folder), mappings, or samples.

    A mapping is ``{name: text_or_documents}``; a string value is split into lines.
    Raises ``CorpusError`` when two corpora share a name.
    """
    if isinstance(specs, (str, PathLike, Mapping, CorpusSample)):
        specs = [specs]
    corpora: list[CorpusSample] = []
    for spec in specs:
        if isinstance(spec, CorpusSample):
            corpora.append(spec)
        elif isinstance(spec, Mapping):
            for name, value in spec.items():
                documents = _split_lines(value) if isinstance(value, str) else tuple(value)
                corpora.append(CorpusSample(str(name), documents))
        else:
            corpora.extend(_read_path(Path(spec)))
    seen: dict[str, str] = {}
    for corpus in corpora:
        if corpus.name in seen:
            raise CorpusError(
                f"{corpus.origin}: corpus name {corpus.name!r} is also used by {seen[corpus.name]}; "
                "rename one of the files or pass the corpora as a mapping with distinct names"
            )
        seen[corpus.name] = corpus.origin
    return corpora


def _read_path(path: Path) -> list[CorpusSample]:
    """A folder through :func:`open_language_collection` (its file-naming rules), a file through
    :func:`open_corpus`; empty files become empty corpora, which ``evaluate`` reports as gaps."""
    from ..corpora import open_corpus, open_language_collection

    if not path.exists():
        raise TokensmithFileNotFoundError(path, what="corpus file or folder")
    if path.is_dir():
        collection = open_language_collection(path, skip_empty=True)
        corpora = [
            CorpusSample(language, tuple(collection.lines(language)), ", ".join(str(file) for file in collection[language].files))
            for language in collection
        ]
        return corpora + [CorpusSample(skipped.name.split(".")[-2] if skipped.name.count(".") else skipped.stem, (), str(skipped)) for skipped in collection.skipped]
    corpus = open_corpus(path)
    if all(entry.format == "text" for entry in corpus.entries):
        return [CorpusSample(path.name.split(".")[-2] if path.name.count(".") else path.stem, _split_lines("".join(corpus.iter_documents())), str(path))]
    return [CorpusSample(path.stem, tuple(corpus.iter_documents()), str(path))]


def _split_lines(text: str) -> tuple[str, ...]:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return tuple(line.removesuffix("\r") for line in lines)
