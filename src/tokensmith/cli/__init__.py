"""The ``tokensmith`` command: a thin layer over the library.

Every module in this package whose name does not start with ``_`` and that defines a click
``command`` becomes a subcommand, so adding a subcommand touches no shared file. Modules are
imported only when their subcommand runs (or for ``--help``), keeping startup fast.
"""

from __future__ import annotations

import importlib
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
    """Entry point: run the CLI, turning expected errors into one ``error:`` line."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        cli.main(args=args, prog_name="tokensmith", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("error: interrupted", err=True)
        return 130
    except KeyboardInterrupt:
        click.echo("error: interrupted; nothing was written", err=True)
        return 130
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except (TokensmithError, OSError) as error:
        if debug:
            traceback.print_exc()
        click.echo(f"error: {error}", err=True)
        return 1
    return 0
