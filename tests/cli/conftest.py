"""Fixtures for CLI tests: running the CLI in-process and sample texts.

Stock tiktoken, the independent reference, comes from the top-level ``stock_tiktoken`` fixture.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

NTREX_LANGUAGES = ("eng-US", "deu", "rus", "arb", "hin", "jpn", "zho-CN", "kor", "tha", "amh")

EDGE_CASES = (
    "",
    " ",
    "hello world",
    "  leading and trailing spaces   ",
    "tabs\tand\r\nwindows newlines\n\n\nand runs",
    "👩🏽‍🔬 family: 👨‍👩‍👧‍👦 flags: 🇫🇷🇯🇵",
    "combining: e\u0301 a\u0308 n\u0303, Hangul jamo: \u1100\u1161\u11a8",
    "RTL: שלום עולם مرحبا",
    "NUL\x00byte and \x7f DEL",
    "def f(x):\n    return x ** 2  # 1234567890\n",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "ǅungla 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \U0010fffd",
)


@pytest.fixture(scope="session")
def sample_texts(shared_data: Path) -> list[str]:
    """Real sentences in ten scripts (NTREX-128, first lines) plus hand-picked edge cases."""
    folder = shared_data / "ntrex-128" / "NTREX-128"
    texts = list(EDGE_CASES)
    for language in NTREX_LANGUAGES:
        lines = (folder / f"newstest2019-ref.{language}.txt").read_text(encoding="utf-8").splitlines()
        texts.append("\n".join(lines[:4]) + "\n")
    return texts


@pytest.fixture(scope="session")
def gpt2_conversions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """gpt2 converted by the CLI into each format, and each of those into the other format.

    Made once per session because every conversion is verified (it re-encodes a sample).
    """
    from tokensmith.cli import main

    folder = tmp_path_factory.mktemp("conversions")
    paths = {
        "json": folder / "json" / "tokenizer.json",
        "tiktoken": folder / "gpt2.tiktoken",
        "json-then-tiktoken": folder / "from-json.tiktoken",
        "tiktoken-then-json": folder / "from-tiktoken" / "tokenizer.json",
    }
    steps = [
        ("gpt2", paths["json"]),
        ("gpt2", paths["tiktoken"]),
        (str(paths["json"]), paths["json-then-tiktoken"]),
        (str(paths["tiktoken"]), paths["tiktoken-then-json"]),
    ]
    for source, dest in steps:
        if main(["convert", source, str(dest)]) != 0:
            pytest.fail(f"tokensmith convert {source} {dest} failed")
    return paths


@dataclass(frozen=True)
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., CliResult]:
    """Run ``tokensmith.cli.main(args)`` in this process; ``stdin`` feeds standard input."""
    from tokensmith.cli import main

    def run(*args: str, stdin: str | bytes | None = None) -> CliResult:
        data = stdin.encode("utf-8") if isinstance(stdin, str) else (stdin or b"")
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
        capsys.readouterr()
        exit_code = main(list(args))
        captured = capsys.readouterr()
        return CliResult(exit_code, captured.out, captured.err)

    return run


@pytest.fixture(scope="session")
def tokensmith_script() -> Path:
    """The installed ``tokensmith`` console script of the running interpreter's environment."""
    script = Path(sys.executable).parent / "tokensmith"
    if not script.exists():
        pytest.fail(f"console script not found at {script}: install the package (pip install -e .)")
    return script
