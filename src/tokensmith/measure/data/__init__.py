"""Data that ships with tokensmith's evaluation: the embedded multilingual sample.

``udhr/`` holds the Universal Declaration of Human Rights in 15 languages of 10 scripts
(public domain; see ``udhr/ATTRIBUTION.md``), the default corpus of ``tokensmith compare``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["embedded_sample_path"]


def embedded_sample_path() -> Path:
    """The folder of the embedded UDHR sample (one ``<language>.txt`` per language)."""
    return Path(str(resources.files(__package__) / "udhr"))
