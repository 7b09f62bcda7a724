"""The ``tokensmith`` command: a thin layer over the library.

Every module in this package whose name does not start with ``_`` and that defines a click
``command`` becomes a subcommand, so adding a subcommand touches no shared file. Modules are
imported only when their subcommand runs (or for ``--help``), keeping startup fast.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import traceback

import click

from .._errors import TokensmithError

__all__ = ["cli", "main"]


def _subcommand_modules() -> list[str]:
    return sorted(
        info.name for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_")
    )


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name.replace("_", "-") for name in _subcommand_modules()]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = cmd_name.replace("-", "_")
        if module_name not in _subcommand_modules():
            return None
        module = importlib.import_module(f"{__name__}.{module_name}")
        return module.command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.version_option(package_name="tokensmith")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Train, measure, transplant and run language-model tokenizers."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI, turning every failure into one ``error:`` line and an exit code.

    Exit codes: 0 success, 1 an error in the input or the work, 2 a usage mistake, 130
    interrupted. ``--debug`` adds the traceback.
    """
    args = sys.argv[1:] if argv is None else list(argv)
    debug = "--debug" in args
    try:
        result = cli.main(args=args, prog_name="tokensmith", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as error:
        error.show()
        return 0
    except click.exceptions.Abort:
        click.echo("error: interrupted", err=True)
        return 130
    except KeyboardInterrupt:
        click.echo("error: interrupted; nothing was written", err=True)
        return 130
    except click.UsageError as error:
        _report(_usage_message(error), debug)
        return error.exit_code
    except click.ClickException as error:
        _report(error.format_message(), debug)
        return error.exit_code
    except BrokenPipeError:
        # The reader (``| head``) went away: not an error worth a message. Point stdout at
        # devnull so the interpreter's final flush does not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except (TokensmithError, OSError) as error:
        _report(_one_line(error), debug)
        return 1
    except Exception as error:  # noqa: BLE001 - the last line of defence against tracebacks
        _report(
            f"internal error ({type(error).__name__}: {_one_line(error)}); "
            "rerun with --debug for the traceback and please report it",
            debug,
        )
        return 1
    return result if isinstance(result, int) else 0


def _usage_message(error: click.UsageError) -> str:
    message = error.format_message()
    if error.ctx is not None:
        message += f" (see '{error.ctx.command_path} --help')"
    return message


def _one_line(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return " ".join(text.split()) if "\n" in text else text


def _report(message: str, debug: bool) -> None:
    if debug:
        traceback.print_exc()
    click.echo(f"error: {message}", err=True)
