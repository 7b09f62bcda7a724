"""Options and input/output conventions shared by the subcommands.

Every subcommand that takes a tokenizer uses :func:`tokenizer_option` and :func:`load_tokenizer`,
so ``-t NAME_OR_PATH`` means the same thing everywhere and a bad name gives the same message.
Machine-readable output goes through :func:`print_json`. Keep this module small and stable:
other subcommands (train, compare, audit, bytes) import it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import click

from .._errors import CorpusError, SpecialTokenError, TokensmithFileNotFoundError

if TYPE_CHECKING:
    from .._tokenizer import Tokenizer

__all__ = [
    "DEFAULT_TOKENIZER",
    "InputText",
    "SpecialTokenChoice",
    "json_option",
    "load_tokenizer",
    "print_json",
    "read_input_text",
    "special_token_choice",
    "special_token_options",
    "text_input_options",
    "tokenizer_option",
]

DEFAULT_TOKENIZER = "o200k_base"
"""The tokenizer used when ``-t`` is not given: GPT-4o's, current and multilingual."""

_Function = TypeVar("_Function", bound=Callable[..., Any])


def tokenizer_option(default: str | None = DEFAULT_TOKENIZER) -> Callable[[_Function], _Function]:
    """The ``-t/--tokenizer NAME_OR_PATH`` option; the value arrives as ``tokenizer_source``."""
    return click.option(
        "-t",
        "--tokenizer",
        "tokenizer_source",
        default=default,
        required=default is None,
        show_default=default is not None,
        metavar="NAME_OR_PATH",
        help="A built-in name (o200k_base, cl100k_base, gpt2, ...; a wrong name lists them all) "
        "or a tokenizer file or folder.",
    )


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")


def load_tokenizer(source: str) -> Tokenizer:
    """Load ``source`` (built-in name, file or folder) with :func:`tokensmith.load`.

    A source that is neither an existing path nor a built-in name is refused here with the list
    of built-in names, which is what a user who mistyped one needs to see.
    """
    import tokensmith

    if not Path(source).exists():
        names = tokensmith.builtin_names()
        if source not in names:
            raise TokensmithFileNotFoundError(
                source,
                what=f"file, folder or built-in tokenizer; built-in names: {', '.join(names)}",
            )
    return tokensmith.load(source)


def print_json(data: Any, *, indent: int | None = None) -> None:
    """Write ``data`` as JSON on stdout; non-ASCII text stays readable (UTF-8)."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=indent))


# --------------------------------------------------------------------------- text input


@dataclass(frozen=True)
class InputText:
    """Text to tokenize and where it came from, so errors can point into it."""

    text: str
    origin: str
    """``"TEXT argument"``, ``"<stdin>"``, ``"built-in demo text"`` or a file path."""

    def locate(self, char_offset: int) -> str:
        """A human position for a character offset: ``path, line 3, column 7`` (1-based)."""
        line = self.text.count("\n", 0, char_offset) + 1
        column = char_offset - (self.text.rfind("\n", 0, char_offset) + 1) + 1
        return f"{self.origin}, line {line}, column {column}"


def text_input_options(function: _Function) -> _Function:
    """The optional ``TEXT`` argument and ``--file PATH``; both arrive as ``text``, ``file``."""
    function = click.option(
        "--file",
        "file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Read the text from this UTF-8 file (exactly, newlines included).",
    )(function)
    return click.argument("text", required=False)(function)


def read_input_text(text: str | None, file: Path | None, *, default: InputText | None = None) -> InputText:
    """Resolve the text to work on: ``TEXT``, else ``--file``, else ``default``, else stdin.

    ``TEXT`` of ``-`` always means stdin. Bytes are decoded as strict UTF-8 so a file's text is
    tokenized exactly; a bad byte is reported with its offset rather than replaced silently.
    """
    if text is not None and file is not None:
        raise click.UsageError("give either TEXT or --file, not both")
    if file is not None:
        if not file.exists():
            raise TokensmithFileNotFoundError(file)
        return InputText(_decode_utf8(file.read_bytes(), str(file)), str(file))
    if text is not None and text != "-":
        return InputText(text, "TEXT argument")
    if default is not None and text is None:
        return default
    if sys.stdin.isatty():
        click.echo("reading text from the terminal; end it with Ctrl-D (or pass TEXT or --file)", err=True)
    return InputText(_decode_utf8(sys.stdin.buffer.read(), "<stdin>"), "<stdin>")


def _decode_utf8(data: bytes, origin: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CorpusError(
            f"{origin}: byte {error.start} is not valid UTF-8 ({data[error.start:error.start + 1].hex()}); "
            "convert the text to UTF-8 first (e.g. iconv -t UTF-8)"
        ) from None


# --------------------------------------------------------------------------- special tokens


@dataclass(frozen=True)
class SpecialTokenChoice:
    """What the user asked for special tokens found in the text, in the library's terms."""

    allowed_special: Literal["all"] | frozenset[str]
    disallowed_special: Literal["all"] | tuple[()]

    def encode_kwargs(self) -> dict[str, Any]:
        return {"allowed_special": self.allowed_special, "disallowed_special": self.disallowed_special}


def special_token_options(function: _Function) -> _Function:
    """``--allow-special TOKEN`` (repeatable), ``--allow-all-special``, ``--special-as-text``."""
    function = click.option(
        "--special-as-text",
        is_flag=True,
        help="Encode special tokens that are not allowed as ordinary text instead of refusing.",
    )(function)
    function = click.option(
        "--allow-all-special", is_flag=True, help="Recognise every special token in the text."
    )(function)
    return click.option(
        "--allow-special",
        "allow_special",
        multiple=True,
        metavar="TOKEN",
        help="Recognise this special token in the text (repeatable), e.g. '<|endoftext|>'.",
    )(function)


def special_token_choice(
    tokenizer: Tokenizer,
    input_text: InputText,
    allow_special: Collection[str],
    allow_all_special: bool,
    special_as_text: bool,
) -> SpecialTokenChoice:
    """Validate the special-token flags against ``tokenizer`` and the text, with CLI wording.

    The library would raise too, but its message names keyword arguments; a CLI user needs the
    flag names and the line and column in their file.
    """
    from .._special import find_special_token

    known = frozenset(tokenizer.special_tokens)
    unknown = sorted(set(allow_special) - known)
    if unknown:
        names = sorted(known, key=tokenizer.special_tokens.__getitem__)
        listing = ", ".join(names[:8]) + (f", ... ({len(names)} in all: tokensmith info)" if len(names) > 8 else "")
        raise click.BadParameter(
            f"{unknown[0]!r} is not a special token of {tokenizer.name}; its special tokens: {listing or 'none'}",
            param_hint="'--allow-special'",
        )
    allowed: Literal["all"] | frozenset[str] = "all" if allow_all_special else frozenset(allow_special)
    if special_as_text or allow_all_special:
        return SpecialTokenChoice(allowed, () if special_as_text else "all")
    found = find_special_token(input_text.text, known - frozenset(allow_special))
    if found is not None:
        token, offset = found
        raise SpecialTokenError(
            f"{input_text.locate(offset)}: text contains the special token {token!r}; pass "
            f"--allow-special {_shell_quote(token)} to encode it as that token, or --special-as-text "
            "to encode it as ordinary text"
        )
    return SpecialTokenChoice(allowed, "all")


def _shell_quote(token: str) -> str:
    import shlex

    return shlex.quote(token)
