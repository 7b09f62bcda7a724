"""Reading training and evaluation text: files, folders and globs, streamed with bounded memory.

- :func:`open_corpus` -> :class:`Corpus` (plain text, JSONL, Parquet; gz/zst/bz2/xz)
- :func:`open_language_collection` -> :class:`LanguageCollection` (one Corpus per language)
"""

from .collection import LanguageCollection, open_language_collection
from .corpus import Corpus, open_corpus

__all__ = ["Corpus", "LanguageCollection", "open_corpus", "open_language_collection"]
