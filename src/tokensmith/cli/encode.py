"""``tokensmith encode``: print the ids a tokenizer gives a text."""

from __future__ import annotations

from pathlib import Path

import click

from ._options import (
    json_option,
    load_tokenizer,
    print_json,
    read_input_text,
    special_token_choice,
    special_token_options,
    text_input_options,
    tokenizer_option,
)


@click.command(name="encode")
@text_input_options
@tokenizer_option()
@special_token_options
@json_option
def command(
    text: str | None,
    file: Path | None,
    tokenizer_source: str,
    allow_special: tuple[str, ...],
    allow_all_special: bool,
    special_as_text: bool,
    as_json: bool,
) -> None:
    """Encode TEXT (or --file, or stdin) and print the token ids.

    The ids are printed on one line, separated by spaces; --json prints
    {"tokenizer", "ids", "count"}. No BOS/EOS or template tokens are added. A special token
    written in the text (such as <|endoftext|>) is refused unless allowed, because silently
    honouring one is a classic prompt-injection bug.

    \b
    Examples:
      tokensmith encode "hello world"
      tokensmith encode -t cl100k_base --file notes.txt --json
      echo "<|endoftext|>" | tokensmith encode --allow-special '<|endoftext|>'
    """
    tokenizer = load_tokenizer(tokenizer_source)
    input_text = read_input_text(text, file)
    choice = special_token_choice(tokenizer, input_text, allow_special, allow_all_special, special_as_text)
    ids = tokenizer.encode(input_text.text, **choice.encode_kwargs())
    if as_json:
        print_json({"tokenizer": tokenizer_source, "ids": ids, "count": len(ids)})
    else:
        click.echo(" ".join(map(str, ids)))
