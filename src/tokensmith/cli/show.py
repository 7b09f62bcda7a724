"""``tokensmith show``: the text with its token boundaries drawn in, as tiktokenizer shows it."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ._options import (
    InputText,
    json_option,
    load_tokenizer,
    print_json,
    read_input_text,
    special_token_choice,
    special_token_options,
    text_input_options,
    tokenizer_option,
)

if TYPE_CHECKING:
    from .._tokenizer import Tokenizer

DEMO_TEXT = InputText(
    "\n".join(
        [
            "Tokenizers cut text into pieces; a tokenizer's vocabulary decides where.",
            "Deutsch: Die Straßenbahnhaltestelle liegt gegenüber dem Rathaus.",
            "日本語: 駅の近くに新しい本屋ができました。",
            "中文：我们明天早上去图书馆看书。",
            "العربية: تعلم اللغات يفتح أبوابا جديدة.",
            "हिन्दी: आज मौसम बहुत सुहावना है।",
            "Emoji: 👩🏽‍🔬 🇧🇷 🧑‍🍳",
            "Code:\tdef area(r):\n\t    return 3.14159 * r ** 2  # 2026-11-23",
        ]
    )
    + "\n",
    "built-in demo text",
)
"""Several scripts, emoji, code, digits and whitespace: where tokenizers differ most."""

# Pale backgrounds with black text, cycled so that neighbouring tokens always differ.
_BACKGROUNDS = ("#c6dbef", "#fdd0a2", "#c7e9c0", "#dadaeb", "#fcbba1")
_VISIBLE_WHITESPACE = str.maketrans({" ": "·", "\t": "→", "\r": "␍", "\n": "↵\n"})


@dataclass(frozen=True)
class TokenPiece:
    """One token of the text: its id, its bytes, and the characters it covers.

    For byte-level tokenizers the spans partition the text (each character belongs to the
    token holding its first byte), so joining ``text[start:end]`` over all pieces gives the
    text back exactly; a token holding only the tail of a character has an empty span.
    ``start``/``end`` are None when the backend cannot report offsets.
    """

    token_id: int
    data: bytes
    start: int | None
    end: int | None
    special: bool

    @property
    def partial_utf8(self) -> bool:
        """True when the token's bytes alone are not whole UTF-8 characters."""
        try:
            self.data.decode("utf-8")
        except UnicodeDecodeError:
            return True
        return False

    def as_json(self, text: str) -> dict[str, Any]:
        covered = text[self.start : self.end] if self.start is not None else self.data.decode("utf-8", "replace")
        return {
            "id": self.token_id,
            "text": covered,
            "bytes": self.data.hex(),
            "start": self.start,
            "end": self.end,
            "partial_utf8": self.partial_utf8,
            "special": self.special,
        }


def token_pieces(tokenizer: Tokenizer, text: str, encode_kwargs: dict[str, Any]) -> list[TokenPiece]:
    """Encode ``text`` and locate every token in it."""
    special_ids = frozenset(tokenizer.special_tokens.values())
    if tokenizer.byte_level:
        ids = tokenizer.encode(text, **encode_kwargs)
        chunks = tokenizer.decode_tokens_bytes(ids)
        spans: Sequence[tuple[int, int] | tuple[None, None]]
        if b"".join(chunks) == text.encode("utf-8"):
            spans = _byte_level_partition(text, chunks)
        else:  # a tokenizer wrongly marked byte-level: show tokens, claim no spans
            spans = [(None, None)] * len(ids)
    else:
        try:
            ids, spans = tokenizer.encode_with_offsets(text, **encode_kwargs)
        except NotImplementedError:
            ids = tokenizer.encode(text, **encode_kwargs)
            spans = [(None, None)] * len(ids)
        chunks = tokenizer.decode_tokens_bytes(ids)
    return [
        TokenPiece(token_id, data, start, end, token_id in special_ids)
        for token_id, data, (start, end) in zip(ids, chunks, spans, strict=True)
    ]


def _byte_level_partition(text: str, chunks: Sequence[bytes]) -> list[tuple[int, int]]:
    char_start_bytes = []
    position = 0
    for char in text:
        char_start_bytes.append(position)
        position += len(char.encode("utf-8"))
    spans = []
    byte_position = 0
    for data in chunks:
        start = bisect.bisect_left(char_start_bytes, byte_position)
        byte_position += len(data)
        spans.append((start, bisect.bisect_left(char_start_bytes, byte_position)))
    return spans


def summary(text: str, pieces: Sequence[TokenPiece]) -> dict[str, Any]:
    characters = len(text)
    return {
        "tokens": len(pieces),
        "characters": characters,
        "bytes": len(text.encode("utf-8")),
        "chars_per_token": round(characters / len(pieces), 3) if pieces else None,
    }


def render(text: str, pieces: Sequence[TokenPiece], *, colour: bool) -> Any:
    """The text as a rich ``Text``: alternating backgrounds with colour, ``│`` between tokens without.

    Whitespace is made visible; a token whose bytes are not whole characters is followed by
    its bytes in hex, ``⟨e2 80⟩``.
    """
    from rich.text import Text

    shown = Text()
    cursor = 0
    line_start = True
    for index, piece in enumerate(pieces):
        if piece.start is not None and piece.end is not None and piece.start >= cursor:
            if piece.start > cursor:
                shown.append(text[cursor : piece.start].translate(_VISIBLE_WHITESPACE), style="dim")
            covered = text[piece.start : piece.end]
            cursor = piece.end
        else:
            covered = piece.data.decode("utf-8", "replace")
        label = covered.translate(_VISIBLE_WHITESPACE)
        if piece.partial_utf8:
            label += "⟨" + piece.data.hex(" ") + "⟩"
        if colour:
            style = f"black on {_BACKGROUNDS[index % len(_BACKGROUNDS)]}"
            if piece.special:
                style = "bold " + style
            if piece.partial_utf8:
                style = "underline " + style
            shown.append(label, style=style)
        else:
            # A line break already shows a boundary; a bar there would only clutter.
            separator = "│" if index and not line_start else ""
            shown.append(separator + label)
        line_start = label.endswith("\n")
    if cursor < len(text) and any(piece.start is not None for piece in pieces):
        shown.append(text[cursor:].translate(_VISIBLE_WHITESPACE), style="dim")
    return shown


@click.command(name="show")
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
    """Show how a tokenizer cuts TEXT (or --file; '-' reads stdin) into tokens.

    With no text, a built-in multilingual demo is shown. On a terminal tokens get alternating
    background colours; otherwise they are separated by '│'. Spaces show as '·', tabs as '→',
    newlines as '↵'; a token that holds only part of a character is followed by its bytes in
    hex. --json prints every token's id, text, bytes (hex) and character span [start, end).

    \b
    Examples:
      tokensmith show
      tokensmith show -t gpt2 "Hello, world!"
      tokensmith show --file README.md --json
    """
    tokenizer = load_tokenizer(tokenizer_source)
    input_text = read_input_text(text, file, default=DEMO_TEXT)
    choice = special_token_choice(tokenizer, input_text, allow_special, allow_all_special, special_as_text)
    pieces = token_pieces(tokenizer, input_text.text, choice.encode_kwargs())
    counts = summary(input_text.text, pieces)
    if as_json:
        tokens = [piece.as_json(input_text.text) for piece in pieces]
        print_json({"tokenizer": tokenizer_source, "tokens": tokens, "summary": counts})
        return
    _print_human(tokenizer_source, input_text.text, pieces, counts)


def _print_human(tokenizer_source: str, text: str, pieces: Sequence[TokenPiece], counts: dict[str, Any]) -> None:
    from rich.console import Console

    console = Console(highlight=False, soft_wrap=True, emoji=False, markup=False)
    colour = console.color_system is not None and not console.no_color
    console.print(render(text, pieces, colour=colour))
    if not text.endswith("\n"):
        console.print()
    console.print("ids: " + " ".join(str(piece.token_id) for piece in pieces))
    ratio = f"{counts['chars_per_token']:.2f}" if counts["chars_per_token"] is not None else "n/a"
    console.print(
        f"{counts['tokens']:,} tokens · {counts['characters']:,} characters · {counts['bytes']:,} bytes"
        f" · {ratio} chars/token ({tokenizer_source})"
    )
    if any(piece.partial_utf8 for piece in pieces):
        console.print("⟨..⟩ follows a token whose bytes are only part of a character (shown in hex)")
