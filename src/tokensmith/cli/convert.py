"""``tokensmith convert``: load a tokenizer in one format and write it, verified, in another."""

from __future__ import annotations

from pathlib import Path

import click

from .._atomic import refuse_existing
from .._errors import OutputExistsError
from ..formats.saving import SAVE_FORMATS
from ._options import json_option, load_tokenizer, print_json


@click.command(name="convert")
@click.argument("source")
@click.argument("dest", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(SAVE_FORMATS),
    help="Output format; by default taken from DEST's name (*.json -> tokenizer.json, *.tiktoken).",
)
@click.option("--force", is_flag=True, help="Replace DEST if it exists.")
@json_option
def command(source: str, dest: Path, output_format: str | None, force: bool, as_json: bool) -> None:
    """Convert SOURCE (a built-in name, file or folder) into DEST.

    The result is written only after it is verified: a multilingual sample is encoded with
    both the source and the converted tokenizer, and any difference in ids refuses the
    conversion (a tiktoken rank rule cannot always be written as a merge list). DEST is
    written atomically and is never overwritten without --force.

    \b
    Examples:
      tokensmith convert cl100k_base cl100k/tokenizer.json
      tokensmith convert tokenizer.json gpt2.tiktoken --force
    """
    import tokensmith

    if Path(source).exists() and Path(source).resolve() == dest.resolve():
        raise OutputExistsError(f"{dest}: DEST is SOURCE; write the conversion to another path")
    # Refuse before the (possibly slow) load, so a mistake costs nothing.
    refuse_existing(dest, force)
    tokenizer = load_tokenizer(source)
    written = tokensmith.save(tokenizer, dest, format=output_format, overwrite=force)
    # save() accepts a name it cannot map to a format only with format= given.
    written_format = output_format or ("tiktoken" if written.name.lower().endswith(".tiktoken") else "tokenizer.json")
    if as_json:
        print_json(
            {
                "source": source,
                "dest": str(written),
                "format": written_format,
                "n_vocab": tokenizer.n_vocab,
                "verified": True,
            }
        )
    else:
        click.echo(f"wrote {written} ({tokenizer.n_vocab:,} tokens, ids verified against {source})")
