"""Small corpora for the trainer tests, cut from the shared data into temporary files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def corpus_file(tmp_path: Path) -> Callable[[str], Path]:
    """Write text to a fresh UTF-8 file and return its path."""
    counter = iter(range(1_000_000))

    def write(text: str) -> Path:
        path = tmp_path / f"corpus-{next(counter)}.txt"
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def genesis(shared_data: Path) -> Callable[[str, int], str]:
    """The first ``limit`` characters of a genesis file, ending at a line end."""

    def read(language: str, limit: int) -> str:
        text = (shared_data / "genesis" / f"{language}.txt").read_text(encoding="utf-8")[:limit]
        return text[: text.rfind("\n") + 1]

    return read
