"""The ``tokensmith`` group: discovered subcommands, help, version, and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

from tokensmith.cli import cli


def test_my_subcommands_are_discovered(run_cli) -> None:
    result = run_cli("--help")
    assert result.exit_code == 0
    for name in ("encode", "show", "info", "convert"):
        assert f"  {name} " in result.stdout


def test_every_subcommand_has_help(run_cli) -> None:
    for name in cli.list_commands(None):  # type: ignore[arg-type]
        result = run_cli(name, "--help")
        assert result.exit_code == 0, f"{name}: {result.stderr}"
        assert result.stdout.startswith(f"Usage: tokensmith {name}")


def test_help_for_everything_stays_light() -> None:
    # Help imports every subcommand module; none may pull in torch or transformers to do so.
    probe = (
        "import contextlib, io, json, sys\n"
        "from tokensmith.cli import cli, main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    codes = [main(['--help'])] + [main([name, '--help']) for name in cli.list_commands(None)]\n"
        "print(json.dumps([codes, [m for m in ('torch', 'transformers') if m in sys.modules]]))\n"
    )
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    codes, heavy = json.loads(completed.stdout)
    assert set(codes) == {0}
    assert heavy == []


def test_version(run_cli) -> None:
    import tokensmith

    result = run_cli("--version")
    assert result.exit_code == 0
    assert tokensmith.__version__ in result.stdout


def test_unknown_command_is_a_one_line_usage_error(run_cli) -> None:
    result = run_cli("encdoe", "hi")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: No such command 'encdoe'")
    assert result.stderr.count("\n") == 1
