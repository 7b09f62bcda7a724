"""``tokensmith train``: success paths and every refusal is one ``error:`` line with nothing written."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tokensmith.cli import main


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["train", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_train_writes_folder_and_reports_json(genesis: Callable[[str, int], str], corpus_file: Callable[[str], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = corpus_file(genesis("english-kjv", 50_000))
    out = tmp_path / "tok"
    code, stdout, stderr = run(
        [str(corpus), "--vocab-size", "400", "--out", str(out), "--json", "--protected-term", "Abimelech",
         "--digits", "single", "--special-token", "<s>", "--special-token", "</s>", "--threads", "2"],
        capsys,
    )
    assert code == 0, stderr
    summary = json.loads(stdout)
    assert summary["vocab_size"] == 400 and not summary["stopped_early"]
    record = json.loads((out / "training.json").read_text())
    assert record["options"]["protected_terms"] == ["Abimelech"] and record["options"]["digits"] == "single"
    assert record["special_tokens"] == {"<s>": 398, "</s>": 399}


def test_extend_a_saved_tokenizer(genesis: Callable[[str, int], str], corpus_file: Callable[[str], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = tmp_path / "base"
    assert run([str(corpus_file(genesis("english-kjv", 50_000))), "--vocab-size", "400", "--out", str(base)], capsys)[0] == 0
    code, stdout, stderr = run(
        [str(corpus_file(genesis("german", 50_000))), "--vocab-size", "600", "--out", str(tmp_path / "ext"),
         "--extend", str(base / "tokenizer.json"), "--json"],
        capsys,
    )
    assert code == 0, stderr
    assert json.loads(stdout)["vocab_size"] == 600


def test_small_corpus_warns_and_reports_the_size_reached(corpus_file: Callable[[str], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, stderr = run([str(corpus_file("tiny tiny tiny corpus\n")), "--vocab-size", "5000", "--out", str(tmp_path / "o"), "--json"], capsys)
    assert code == 0
    summary = json.loads(stdout)
    assert summary["stopped_early"] and summary["vocab_size"] < 5000
    assert stderr.startswith("warning: ") and f"vocabulary size {summary['vocab_size']} reached instead of 5000" in stderr


@pytest.mark.parametrize(
    ("make_corpus", "extra", "message"),
    [
        (lambda tmp: tmp / "missing.txt", [], "missing.txt"),
        (lambda tmp: _write(tmp / "empty.txt", b""), [], "empty"),
        (lambda tmp: _write(tmp / "bad.txt", b"good line\nbad \xff byte\n"), [], "bad.txt"),
        (lambda tmp: _write(tmp / "ok.txt", b"some text\n"), ["--pattern", "(oops"], "not a valid split pattern"),
    ],
    ids=["missing", "empty", "non-utf8", "bad-pattern"],
)
def test_bad_input_is_one_error_line_and_writes_nothing(make_corpus, extra: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code, _, stderr = run([str(make_corpus(tmp_path)), "--vocab-size", "300", "--out", str(out), *extra], capsys)
    assert code != 0 and stderr.startswith("error: ") and message in stderr and stderr.count("\n") == 1
    assert not out.exists()


def test_vocab_size_below_bytes_and_specials(corpus_file: Callable[[str], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, stderr = run([str(corpus_file("text\n")), "--vocab-size", "256", "--out", str(tmp_path / "o")], capsys)
    assert code == 1 and "at least 257" in stderr and not (tmp_path / "o").exists()


def test_existing_output_needs_force(genesis: Callable[[str, int], str], corpus_file: Callable[[str], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus, out = corpus_file(genesis("swedish", 20_000)), tmp_path / "o"
    out.mkdir()
    code, _, stderr = run([str(corpus), "--vocab-size", "300", "--out", str(out)], capsys)
    assert code == 1 and "already exists" in stderr and list(out.iterdir()) == []
    code, stdout, _ = run([str(corpus), "--vocab-size", "300", "--out", str(out), "--force"], capsys)
    assert code == 0 and "wrote" in stdout and (out / "tokenizer.json").exists()


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
