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
