"""Fixtures for the native core's tests: shared data, and text biased to the scanners' hard cases.

``TOKENSMITH_SHARED`` overrides the default ``../shared`` as in ``tests/conftest.py``; missing
shared data fails the test with a clear message instead of skipping it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def shared_data() -> Path:
    shared = Path(os.environ.get("TOKENSMITH_SHARED", PROJECT_ROOT.parent / "shared")).resolve()
    data = shared / "data"
    if not data.is_dir():
        pytest.fail(f"shared data not found at {data}: set TOKENSMITH_SHARED to the shared/ folder")
    return data
