"""``tokensmith encode``: ids equal the library's and stock tiktoken's; input and flag handling."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import tokensmith

STOCK_NAMES = ("gpt2", "cl100k_base", "o200k_base")
"""Built-in names that stock tiktoken serves offline from the packaged files (see conftest)."""


def _ids(output: str) -> list[int]:
    return [int(token) for token in output.split()]


@pytest.mark.parametrize("name", STOCK_NAMES)
def test_ids_equal_library_and_stock_tiktoken(name, run_cli, stock_tiktoken, sample_texts) -> None:
    reference = stock_tiktoken(name)
    tokenizer = tokensmith.load(name)
    for text in sample_texts:
        result = run_cli("encode", "-t", name, text)
        assert result.exit_code == 0, result.stderr
        ids = _ids(result.stdout)
        assert ids == reference.encode(text), f"{name}: differs from stock tiktoken on {text[:40]!r}"
        assert ids == tokenizer.encode(text)


def test_default_tokenizer_is_o200k_base(run_cli, stock_tiktoken) -> None:
    text = "The default should be GPT-4o's tokenizer."
    result = run_cli("encode", text)
    assert _ids(result.stdout) == stock_tiktoken("o200k_base").encode(text)


def test_json_output_agrees_with_plain_output(run_cli, sample_texts) -> None:
    for text in sample_texts[-3:]:
        plain = run_cli("encode", "-t", "cl100k_base", text)
        document = json.loads(run_cli("encode", "-t", "cl100k_base", "--json", text).stdout)
        assert document == {"tokenizer": "cl100k_base", "ids": _ids(plain.stdout), "count": len(_ids(plain.stdout))}


def test_file_is_read_exactly(run_cli, stock_tiktoken, tmp_path: Path) -> None:
    # CRLF, a BOM and no final newline must all survive: no newline translation, no stripping.
    text = "\ufefffirst line\r\nsecond\tline  \r\n\n  last without newline"
    path = tmp_path / "input.txt"
    path.write_bytes(text.encode("utf-8"))
    result = run_cli("encode", "--file", str(path))
    assert result.exit_code == 0, result.stderr
    assert _ids(result.stdout) == stock_tiktoken("o200k_base").encode(text)


@pytest.mark.parametrize("arguments", [(), ("-",)])
def test_stdin_is_read_when_no_text_is_given(arguments, run_cli, stock_tiktoken) -> None:
    text = "piped text, ünïcödé and a newline\n"
    result = run_cli("encode", "-t", "gpt2", *arguments, stdin=text)
    assert result.exit_code == 0, result.stderr
    assert _ids(result.stdout) == stock_tiktoken("gpt2").encode(text)


def test_text_and_file_together_is_a_usage_error(run_cli, tmp_path: Path) -> None:
    path = tmp_path / "input.txt"
    path.write_text("x", encoding="utf-8")
    result = run_cli("encode", "--file", str(path), "also text")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1


# ------------------------------------------------------------------ special tokens

TEXT_WITH_SPECIAL = "before<|endoftext|>after"


def test_special_token_in_text_is_refused_with_its_position(run_cli) -> None:
    result = run_cli("encode", TEXT_WITH_SPECIAL)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: TEXT argument, line 1, column 7: ")
    assert "'<|endoftext|>'" in result.stderr and "--allow-special" in result.stderr
    assert "--special-as-text" in result.stderr


def test_special_token_position_in_a_file_is_line_and_column(run_cli, tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_text("line one\nline two <|endoftext|>\n", encoding="utf-8")
    result = run_cli("encode", "--file", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {path}, line 2, column 10: ")


@pytest.mark.parametrize(
    ("flags", "reference_kwargs"),
    [
        (("--allow-special", "<|endoftext|>"), {"allowed_special": {"<|endoftext|>"}}),
        (("--allow-all-special",), {"allowed_special": "all"}),
        (("--special-as-text",), {"disallowed_special": ()}),
    ],
)
def test_special_token_flags_match_tiktoken_semantics(flags, reference_kwargs, run_cli, stock_tiktoken) -> None:
    text = TEXT_WITH_SPECIAL + " and <|endofprompt|>" if "--allow-special" not in flags else TEXT_WITH_SPECIAL
    result = run_cli("encode", "-t", "cl100k_base", *flags, text)
    assert result.exit_code == 0, result.stderr
    assert _ids(result.stdout) == stock_tiktoken("cl100k_base").encode(text, **reference_kwargs)


def test_allowing_one_special_still_refuses_another(run_cli) -> None:
    text = "<|endoftext|> then <|endofprompt|>"
    result = run_cli("encode", "-t", "cl100k_base", "--allow-special", "<|endoftext|>", text)
    assert result.exit_code == 1
    assert "'<|endofprompt|>'" in result.stderr and "column 20" in result.stderr


def test_unknown_special_token_is_a_usage_error_listing_the_real_ones(run_cli) -> None:
    result = run_cli("encode", "-t", "gpt2", "--allow-special", "<|im_start|>", "hi")
    assert result.exit_code == 2
    assert "'<|im_start|>' is not a special token" in result.stderr
    assert "<|endoftext|>" in result.stderr


# ------------------------------------------------------------------ bad input


def test_missing_file(run_cli, tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    result = run_cli("encode", "--file", str(missing))
    assert result.exit_code == 1
    assert result.stderr == f"error: {missing}: no such file\n"


def test_file_that_is_not_utf8_names_the_byte(run_cli, tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("café".encode("latin-1"))
    result = run_cli("encode", "--file", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {path}: byte 3 is not valid UTF-8")
    assert result.stderr.count("\n") == 1


def test_unknown_tokenizer_lists_builtin_names(run_cli) -> None:
    result = run_cli("encode", "-t", "gpt5_base", "hi")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: gpt5_base: ")
    for name in tokensmith.builtin_names():
        assert name in result.stderr


def test_debug_adds_the_traceback(run_cli) -> None:
    result = run_cli("--debug", "encode", "-t", "gpt5_base", "hi")
    assert result.exit_code == 1
    assert "Traceback" in result.stderr
    assert result.stderr.rstrip().splitlines()[-1].startswith("error: gpt5_base: ")
