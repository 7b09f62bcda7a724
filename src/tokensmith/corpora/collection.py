"""Language-tagged collections: one Corpus per language, from a folder or tagged records.

How a folder's file names become language codes (without ``name_pattern``):

1. Take each supported file directly in the folder (not below it) and drop its format and
   compression suffixes: ``newstest2019-ref.afr.txt`` -> ``newstest2019-ref.afr``.
2. Drop the prefix and the suffix that *all* these names share, but only whole pieces between
   separators (``.``, ``_``, ``-``, space), so ``ara``/``arb`` never lose their shared ``ar``.
3. If what is left contains a ``.``, the part after the last ``.`` is the language and the part
   before it is a *variant tag*. The tag most files carry (on a tie, the first in name order)
   is the folder's main series and is dropped; any other tag stays, after an ``@``. If the
   shared prefix and suffix would leave some name empty, names are kept whole.

So NTREX-128 gives ``afr``, ``eng-US``, ``zho-CN`` ... (tag ``ref``), plus ``spa@ref-2`` (the
second Spanish reference, ``newstest2019-ref-2.spa.txt``) and ``eng@src`` (the English source,
``newstest2019-src.eng.txt``). UDHR's ``udhr2/`` gives its file stems (``deu``, ``deu_1901``,
``cmn_hans``); Genesis gives ``english-kjv``, ``finnish``, ... An explicit ``name_pattern``
(searched in the file name, with a ``(?P<lang>...)`` group and optionally ``(?P<variant>...)``,
giving ``lang@variant``) replaces all of this.

Never silent: two files with the same language code, a file the pattern does not match, or an
empty file raise CorpusError; ``skip_empty=True`` skips empty files and lists them in
``LanguageCollection.skipped``.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from os.path import commonprefix
from pathlib import Path
from types import MappingProxyType

import regex

from .._errors import CorpusError, TokensmithFileNotFoundError
from .corpus import Corpus, open_corpus
from .readers import iter_record_texts
from .sources import FORMATS, CorpusFile, file_format

__all__ = ["LanguageCollection", "language_codes_from_names", "open_language_collection"]

_SEPARATORS = "._- "


@dataclass(frozen=True, eq=False)
class LanguageCollection(Mapping[str, Corpus]):
    """A read-only mapping from language code to the Corpus holding that language's text."""

    source: str
    corpora: Mapping[str, Corpus]
    skipped: tuple[Path, ...] = field(default=())

    def __getitem__(self, language: str) -> Corpus:
        try:
            return self.corpora[language]
        except KeyError:
            sample = ", ".join(list(self.corpora)[:6])
            raise KeyError(f"{language!r}: no such language in {self.source} (has {sample}, ...)") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.corpora)

    def __len__(self) -> int:
        return len(self.corpora)

    def lines(self, language: str) -> list[str]:
        """The language's text as a list of lines (plain text) or of records (JSONL/Parquet).

        Lines are split on ``\\n`` only, with a trailing ``\\r`` removed, so a line that contains
        U+2028 or a form feed stays one line and line i keeps matching line i of a translation.
        """
        corpus = self[language]
        result: list[str] = []
        for entry in corpus.entries:
            if entry.format == "text":
                text = "".join(Corpus((entry,), errors=corpus.errors).iter_documents())
                parts = text.split("\n")
                if parts and parts[-1] == "":
                    parts.pop()
                result.extend(part.removesuffix("\r") for part in parts)
            else:
                result.extend(iter_record_texts(entry, corpus.text_field, corpus.errors, corpus.where))
        return result

    def line_counts(self) -> dict[str, int]:
        """Number of lines (or records) per language."""
        return {language: len(self.lines(language)) for language in self.corpora}

    def is_line_aligned(self) -> bool:
        """True when every language has the same number of lines (line i translates line i)."""
        return len(set(self.line_counts().values())) <= 1

    def describe(self) -> str:
        skipped = f", {len(self.skipped)} empty skipped" if self.skipped else ""
        return f"{self.source}: {len(self.corpora)} languages{skipped}"


def _cut_to_separator(prefix: str) -> str:
    """Shorten ``prefix`` so that it ends just after a separator (or is empty)."""
    cut = max(prefix.rfind(sep) for sep in _SEPARATORS)
    return prefix[: cut + 1]


def _stem(entry: CorpusFile) -> str:
    """The file name without its compression and format suffixes."""
    name = entry.path.name
    if entry.compression is not None:
        name = name.rpartition(".")[0]
    head, dot, suffix = name.rpartition(".")
    return head if dot and f".{suffix.lower()}" in FORMATS else name


def language_codes_from_names(stems: list[str]) -> list[str]:
    """Apply the folder naming rule (module docstring, steps 2 and 3) to file stems."""
    if len(stems) == 1:
        return list(stems)
    prefix = _cut_to_separator(commonprefix(stems))
    reversed_suffix = _cut_to_separator(commonprefix([stem[::-1] for stem in stems]))
    suffix_length = len(reversed_suffix)
    cores = [stem[len(prefix) : len(stem) - suffix_length] for stem in stems]
    if not all(cores):  # the shared prefix and suffix overlap in some name: keep names whole
        cores = list(stems)
    if not all("." in core for core in cores):
        return cores
    tagged = [core.rpartition(".") for core in cores]
    main_tag, _ = Counter(tag for tag, _, _ in tagged).most_common(1)[0]
    return [lang if tag == main_tag else f"{lang}@{tag}" for tag, _, lang in tagged]


def _codes_from_pattern(entries: list[CorpusFile], name_pattern: str) -> list[str]:
    try:
        pattern = regex.compile(name_pattern)
    except regex.error as exc:
        raise CorpusError(f"name_pattern {name_pattern!r} is not a valid regex ({exc}); fix the pattern") from None
    if "lang" not in pattern.groupindex:
        raise CorpusError(f"name_pattern {name_pattern!r} has no (?P<lang>...) group; add one")
    codes = []
    for entry in entries:
        match = pattern.search(entry.path.name)
        if match is None or not match.group("lang"):
            raise CorpusError(
                f"{entry.path}: file name does not match name_pattern {name_pattern!r}; "
                "move the file out of the folder or widen the pattern"
            )
        variant = match.groupdict().get("variant")
        codes.append(f"{match.group('lang')}@{variant}" if variant else match.group("lang"))
    return codes


def _folder_collection(
    folder: Path, text_field: str, errors: str, name_pattern: str | None, skip_empty: bool
) -> LanguageCollection:
    entries = [
        entry
        for path in sorted(folder.iterdir())
        if path.is_file() and not path.name.startswith(".")
        and (entry := file_format(path, explicit=False)) is not None
    ]
    if not entries:
        raise CorpusError(f"{folder}: no .txt, .jsonl or .parquet files (optionally compressed); empty collection")
    empty = tuple(entry.path for entry in entries if entry.path.stat().st_size == 0)
    if empty and not skip_empty:
        raise CorpusError(f"{empty[0]}: empty file in a language collection; remove it or pass skip_empty=True")
    entries = [entry for entry in entries if entry.path not in empty]
    if not entries:
        raise CorpusError(f"{folder}: every file is empty; empty collection")
    codes = _codes_from_pattern(entries, name_pattern) if name_pattern else language_codes_from_names(
        [_stem(entry) for entry in entries]
    )
    by_code: dict[str, CorpusFile] = {}
    for code, entry in zip(codes, entries, strict=True):
        if code in by_code:
            raise CorpusError(
                f"{entry.path}: language {code!r} also comes from {by_code[code].path.name}; "
                "rename one file or pass name_pattern= with a (?P<variant>...) group"
            )
        by_code[code] = entry
    corpora = {code: Corpus((by_code[code],), text_field=text_field, errors=errors) for code in sorted(by_code)}
    return LanguageCollection(str(folder), MappingProxyType(corpora), empty)


def _tagged_records_collection(source: str | os.PathLike[str], language_field: str, text_field: str, errors: str) -> LanguageCollection:
    corpus = open_corpus(source, text_field=text_field, errors=errors)
    not_records = [entry.path for entry in corpus.entries if entry.format == "text"]
    if not_records:
        raise CorpusError(
            f"{not_records[0]}: language_field needs JSONL or Parquet records; drop language_field or convert the file"
        )
    languages: set[str] = set()
    for entry in corpus.entries:
        # Reading the language field through the record reader checks every record, with line numbers.
        languages.update(iter_record_texts(entry, language_field, errors, option="language_field"))
    languages.discard("")
    if not languages:
        raise CorpusError(f"{corpus.describe()}: no records with a {language_field!r} value; empty collection")
    corpora = {
        language: Corpus(corpus.entries, text_field=text_field, errors=errors, where=(language_field, language))
        for language in sorted(languages)
    }
    return LanguageCollection(os.fspath(source), MappingProxyType(corpora))


def open_language_collection(
    source: str | os.PathLike[str],
    *,
    language_field: str | None = None,
    text_field: str = "text",
    errors: str = "strict",
    name_pattern: str | None = None,
    skip_empty: bool = False,
) -> LanguageCollection:
    """Open per-language text: a folder with one file per language, or JSONL with a language field.

    >>> ntrex = open_language_collection("shared/data/ntrex-128/NTREX-128")  # doctest: +SKIP
    >>> ntrex.is_line_aligned(), len(ntrex.lines("tur"))                       # doctest: +SKIP
    (True, 1997)

    With ``language_field`` the source is read like :func:`open_corpus` sources (JSONL or Parquet) and
    each distinct value of that field becomes a language. Otherwise ``source`` must be a folder,
    named as described in this module's docstring.
    """
    if language_field is not None:
        return _tagged_records_collection(source, language_field, text_field, errors)
    folder = Path(source)
    if not folder.exists():
        raise TokensmithFileNotFoundError(folder, "folder")
    if not folder.is_dir():
        raise CorpusError(f"{folder}: not a folder; pass a folder of per-language files, or language_field= for JSONL")
    return _folder_collection(folder, text_field, errors, name_pattern, skip_empty)
