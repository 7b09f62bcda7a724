"""Atomic writes: complete or absent, never half written, with ordinary permissions."""

from __future__ import annotations

import os
import stat

import pytest

from tokensmith import OutputExistsError
from tokensmith._atomic import atomic_directory, atomic_write_bytes


def test_existing_output_is_refused_and_kept(tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"original")
    with pytest.raises(OutputExistsError, match="out.bin: output already exists"):
        atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"original"
    atomic_write_bytes(target, b"new", overwrite=True)
    assert target.read_bytes() == b"new"


def test_interrupted_folder_leaves_nothing(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        with atomic_directory(tmp_path / "model") as staging:
            (staging / "tokenizer.json").write_text("{}")
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_outputs_get_the_permissions_of_a_plain_open(tmp_path):
    previous = os.umask(0o022)
    try:
        plain = tmp_path / "plain"
        plain.write_bytes(b"x")
        atomic_write_bytes(tmp_path / "atomic", b"x")
        with atomic_directory(tmp_path / "folder"):
            pass
        plain_dir = tmp_path / "plain_dir"
        plain_dir.mkdir()
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "atomic").stat().st_mode) == stat.S_IMODE(plain.stat().st_mode)
    assert stat.S_IMODE((tmp_path / "folder").stat().st_mode) == stat.S_IMODE(plain_dir.stat().st_mode)
