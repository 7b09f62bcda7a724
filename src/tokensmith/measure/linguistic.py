"""Linguistic alignment from local resources: %Valid, %Pure and root-boundary alignment.

* **%Valid** — share of tokens that are words of the language according to a lexicon (a
  hunspell dictionary read with ``spylls``, or a plain word list). Given at type level (distinct
  tokens seen in the text) and token level (every occurrence).
* **%Pure** — share of tokens that are exactly one morpheme according to a morphological
  analyser: a root (the analyser reads the token as a bare stem) or a suffix allomorph seen in the
  analyses of the text's own words. Both follow the %TR / %Pure measures of Bayram et al. (2025),
  "Tokenization Standards for Linguistic Integrity: Turkish as a Benchmark", computed here with
  local resources instead of a web service.
* **Root-boundary alignment** — for words whose gold lemma is a prefix of the form
  (``kitaplar`` / ``kitap``), the share of words where a token boundary falls exactly at the end of
  the root, MorphScore-style (Arnett & Bergen, 2025, "Why do language models perform worse for
  morphologically complex languages?"); words kept whole by the tokenizer are counted apart.

Conventions: a token's surface drops the word-initial space or ``▁``/``##`` marker and is
lower-cased with Turkish rules (``I``→``ı``, ``İ``→``i``); only tokens made entirely of letters
enter %Valid and %Pure (digits, punctuation and partial UTF-8 bytes are excluded and counted).
Analysers are plugins: anything with ``analyses(word) -> list[list[str]]`` (morph surfaces, root
first) works; :class:`ZeyrekAnalyser` is the Turkish one, :class:`GoldSegmentations` wraps a
hand-made or published segmentation list.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Protocol

import regex

from .._errors import FormatError, OptionalDependencyError, TokensmithFileNotFoundError
from .._tokenizer import Tokenizer

__all__ = [
    "BoundaryAlignment",
    "GoldSegmentations",
    "HunspellLexicon",
    "LexicalAlignment",
    "MorphologicalAnalyser",
    "WordListLexicon",
    "ZeyrekAnalyser",
    "boundary_alignment",
    "lexical_alignment",
    "read_conllu_root_pairs",
]

_LETTERS = regex.compile(r"\p{L}[\p{L}\p{M}]*")


def turkish_lower(text: str) -> str:
    return text.replace("I", "ı").replace("İ", "i").lower()


class Lexicon(Protocol):
    name: str

    def __contains__(self, word: str) -> bool: ...


class WordListLexicon:
    """Words from a list or a file with one word per line (compared lower-cased)."""

    def __init__(self, words: Iterable[str], name: str = "word list") -> None:
        self.words = frozenset(turkish_lower(word.strip()) for word in words if word.strip())
        self.name = name

    @classmethod
    def from_file(cls, path: str | PathLike[str]) -> WordListLexicon:
        file = Path(path)
        if not file.exists():
            raise TokensmithFileNotFoundError(file, what="word list")
        return cls(file.read_text(encoding="utf-8").splitlines(), name=str(file))

    def __contains__(self, word: str) -> bool:
        return word in self.words


class HunspellLexicon:
    """A hunspell dictionary (``.aff`` + ``.dic``), read with ``spylls``; affixed forms count."""

    def __init__(self, path_without_suffix: str | PathLike[str] = "/usr/share/hunspell/tr_TR") -> None:
        base = Path(path_without_suffix)
        if not base.with_suffix(".dic").exists():
            raise TokensmithFileNotFoundError(base.with_suffix(".dic"), what="hunspell dictionary (Debian: apt-get install hunspell-tr)")
        try:
            from spylls.hunspell import Dictionary
        except ImportError:
            raise OptionalDependencyError("%Valid with a hunspell dictionary", "spylls", "measure") from None
        self.dictionary = Dictionary.from_files(str(base))
        self.name = f"hunspell:{base.name}"
        self._cache: dict[str, bool] = {}

    def __contains__(self, word: str) -> bool:
        if word not in self._cache:
            self._cache[word] = bool(self.dictionary.lookup(word))
        return self._cache[word]


class MorphologicalAnalyser(Protocol):
    name: str

    def analyses(self, word: str) -> list[list[str]]:
        """Every analysis of ``word`` as its morph surfaces, root first; [] when unknown."""
        ...


class GoldSegmentations:
    """An analyser backed by a fixed ``{word: [root, suffix, ...]}`` segmentation list."""

    def __init__(self, segmentations: Mapping[str, Sequence[Sequence[str]] | Sequence[str]], name: str = "gold") -> None:
        self.table = {
            turkish_lower(word): [list(item) for item in value] if value and not isinstance(value[0], str) else [list(value)]
            for word, value in segmentations.items()
        }
        self.name = name

    def analyses(self, word: str) -> list[list[str]]:
        return self.table.get(word, [])


class ZeyrekAnalyser:
    """Turkish morphology with ``zeyrek`` (a port of Zemberek), per word, quietly.

    ``zeyrek``'s ``analyze()`` tokenizes sentences with an NLTK model that would need a download,
    so words go to its per-word parser; its loggers are silenced because it logs every unknown word.
    """

    name = "zeyrek"

    def __init__(self) -> None:
        import logging

        try:
            import zeyrek
        except ImportError:
            raise OptionalDependencyError("%Pure for Turkish", "zeyrek", "measure") from None
        for logger_name in ("zeyrek", "zeyrek.rulebasedanalyzer", "zeyrek.morphology", "zeyrek.lexicon"):
            logging.getLogger(logger_name).setLevel(logging.ERROR)
        self.analyser = zeyrek.MorphAnalyzer()
        self._cache: dict[str, list[list[str]]] = {}

    def analyses(self, word: str) -> list[list[str]]:
        if word not in self._cache:
            parses = self.analyser._parse(word)  # the per-word parser; see the class docstring
            self._cache[word] = [[surface for _, surface in parse.morphemes if surface] for parse in parses]
        return self._cache[word]


@dataclass(frozen=True)
class LexicalAlignment:
    """%Valid and %Pure of one tokenizer on one text, type and token level."""

    tokenizer: str
    lexicon: str | None
    analyser: str | None
    n_letter_types: int
    n_letter_tokens: int
    n_other_tokens: int
    """Tokens left out: digits, punctuation, whitespace, partial UTF-8."""
    valid_type_rate: float | None
    valid_token_rate: float | None
    pure_type_rate: float | None
    pure_token_rate: float | None


def token_surfaces(tokenizer: Tokenizer, ids: Iterable[int]) -> list[str | None]:
    """Lower-cased letter surface of each token, or None for tokens that are not all letters."""
    from .audit import _surface

    surfaces: list[str | None] = []
    for token_id in ids:
        data = tokenizer.token_bytes(token_id)
        if tokenizer.byte_level:
            try:
                text = data.decode("utf-8").lstrip(" ")
            except UnicodeDecodeError:
                surfaces.append(None)
                continue
        else:
            text = _surface(tokenizer, token_id)[0].lstrip(" ")
        surfaces.append(turkish_lower(text) if _LETTERS.fullmatch(text) else None)
    return surfaces


def lexical_alignment(
    tokenizer: Tokenizer,
    documents: Sequence[str],
    *,
    lexicon: Lexicon | None = None,
    analyser: MorphologicalAnalyser | None = None,
) -> LexicalAlignment:
    """%Valid (needs ``lexicon``) and %Pure (needs ``analyser``) of ``tokenizer`` on ``documents``."""
    counts: Counter[str] = Counter()
    other = 0
    for ids in tokenizer.encode_ordinary_batch(list(documents)):
        for surface in token_surfaces(tokenizer, ids):
            if surface is None:
                other += 1
            else:
                counts[surface] += 1
    valid = {surface for surface in counts if surface in lexicon} if lexicon is not None else None
    pure = _pure_surfaces(counts, documents, analyser) if analyser is not None else None
    total = sum(counts.values())

    def rates(chosen: set[str] | None) -> tuple[float | None, float | None]:
        if chosen is None or not counts:
            return None, None
        return len(chosen) / len(counts), sum(counts[surface] for surface in chosen) / total

    valid_type, valid_token = rates(valid)
    pure_type, pure_token = rates(pure)
    return LexicalAlignment(tokenizer.name, getattr(lexicon, "name", None), getattr(analyser, "name", None),
                            len(counts), total, other, valid_type, valid_token, pure_type, pure_token)


def _pure_surfaces(counts: Counter[str], documents: Sequence[str], analyser: MorphologicalAnalyser) -> set[str]:
    """Surfaces that are a bare root, or a suffix allomorph found in the text's own word analyses."""
    suffixes: set[str] = set()
    for word in {turkish_lower(match.group()) for document in documents for match in _LETTERS.finditer(document)}:
        for morphs in analyser.analyses(word):
            suffixes.update(turkish_lower(morph) for morph in morphs[1:] if morph)
    pure = set()
    for surface in counts:
        if surface in suffixes or any(len(morphs) == 1 and turkish_lower(morphs[0]) == surface for morphs in analyser.analyses(surface)):
            pure.add(surface)
    return pure


@dataclass(frozen=True)
class BoundaryAlignment:
    """How often a token boundary falls on the gold root boundary (MorphScore-style)."""

    tokenizer: str
    n_words: int
    """Words with a suffix after an unchanged root (form starts with lemma, and is longer)."""
    n_single_token_words: int
    """Of those, words the tokenizer keeps whole: no boundary to judge, left out of the score."""
    aligned_rate: float | None
    """Share of the multi-token words with a token boundary exactly at the end of the root."""


def read_conllu_root_pairs(path: str | PathLike[str]) -> list[tuple[str, str]]:
    """``(form, lemma)`` of every syntactic word of a CoNLL-U file not inside a multiword token."""
    file = Path(path)
    if not file.exists():
        raise TokensmithFileNotFoundError(file, what="CoNLL-U file")
    pairs: list[tuple[str, str]] = []
    covered_until = 0
    for line_number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
        if not line or line.startswith("#"):
            covered_until = 0 if not line else covered_until
            continue
        columns = line.split("\t")
        if len(columns) != 10:
            raise FormatError(f"{file}: line {line_number}: expected 10 tab-separated CoNLL-U columns, found {len(columns)}")
        identifier = columns[0]
        if "-" in identifier:
            covered_until = int(identifier.split("-")[1])
            continue
        if "." in identifier or int(identifier) <= covered_until:
            continue
        pairs.append((columns[1], columns[2]))
    return pairs


def boundary_alignment(tokenizer: Tokenizer, pairs: Iterable[tuple[str, str]]) -> BoundaryAlignment:
    """Score root-boundary alignment on ``(form, lemma)`` pairs; words are encoded after a space,
    the way they occur inside running text, and the space is not counted."""
    words = []
    for form, lemma in pairs:
        lower_form, lower_lemma = turkish_lower(form), turkish_lower(lemma)
        if len(lower_form) == len(form) and lower_form.startswith(lower_lemma) and len(lower_form) > len(lower_lemma) > 0 and _LETTERS.fullmatch(form):
            words.append((form, len(lemma)))
    encoded = tokenizer.encode_ordinary_batch([" " + form for form, _ in words])
    single = aligned = 0
    for (form, root_length), ids in zip(words, encoded):
        boundaries = _character_boundaries(tokenizer, " " + form, ids)
        inner = {boundary - 1 for boundary in boundaries if 1 < boundary < len(form) + 1}
        if not inner:
            single += 1
        elif root_length in inner:
            aligned += 1
    judged = len(words) - single
    return BoundaryAlignment(tokenizer.name, len(words), single, aligned / judged if judged else None)


def _character_boundaries(tokenizer: Tokenizer, text: str, ids: list[int]) -> set[int]:
    """Character offsets where one token ends and the next begins."""
    if tokenizer.byte_level:
        ends, position = set(), 0
        char_at_byte = {}
        offset = 0
        for index, character in enumerate(text):
            char_at_byte[offset] = index
            offset += len(character.encode("utf-8"))
        char_at_byte[offset] = len(text)
        for token_id in ids:
            position += len(tokenizer.token_bytes(token_id))
            if position in char_at_byte:  # a boundary inside a character is no morpheme boundary
                ends.add(char_at_byte[position])
        return ends
    _, spans = tokenizer.encode_with_offsets(text, disallowed_special=())
    return {end for _, end in spans}
