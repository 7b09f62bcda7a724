"""The installed ``tokensmith`` console script, run as a real subprocess."""

from __future__ import annotations

import json
import subprocess


def _run(script, *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([str(script), *args], input=stdin, capture_output=True, timeout=120)


def test_encode_from_stdin_as_json(tokensmith_script, stock_tiktoken) -> None:
    text = "Grüße aus Köln — 東京 🚀\n"
    completed = _run(tokensmith_script, "encode", "-t", "cl100k_base", "--json", stdin=text.encode("utf-8"))
    assert completed.returncode == 0, completed.stderr
    document = json.loads(completed.stdout.decode("utf-8"))
    assert document["ids"] == stock_tiktoken("cl100k_base").encode(text)
    assert document["count"] == len(document["ids"])


def test_errors_are_one_line_without_traceback(tokensmith_script) -> None:
    completed = _run(tokensmith_script, "info", "no-such-tokenizer")
    assert completed.returncode == 1
    stderr = completed.stderr.decode("utf-8")
    assert stderr.startswith("error: no-such-tokenizer: ") and stderr.count("\n") == 1
    assert completed.stdout == b""


def test_show_works_with_no_arguments_and_no_terminal(tokensmith_script) -> None:
    completed = _run(tokensmith_script, "show")
    assert completed.returncode == 0, completed.stderr
    output = completed.stdout.decode("utf-8")
    assert "│" in output and "\x1b[" not in output  # separators, no colour codes when piped
    assert "chars/token (o200k_base)" in output


def test_usage_error_exits_2(tokensmith_script) -> None:
    completed = _run(tokensmith_script, "encode", "--no-such-flag")
    assert completed.returncode == 2
    assert completed.stderr.decode("utf-8").startswith("error: No such option")
