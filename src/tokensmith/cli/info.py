"""``tokensmith info``: what a tokenizer is — family, vocabulary, pattern, special tokens, backend."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from .._tokenizer import Tokenizer

from ._options import json_option, load_tokenizer, print_json

_SPECIALS_SHOWN = 20
"""Text output lists this many special tokens (Llama 3 has 256); --json lists all."""

_MERGE_SEMANTICS = {
    "ranks": "tiktoken rank rule: adjacent pieces merge whenever the result is a token, lowest rank first",
    "merges": "merge list: only listed pairs merge, in list order",
    None: "none (not a BPE)",
}


def describe(tokenizer: Tokenizer) -> dict[str, Any]:
    """The facts ``info`` prints, as JSON-ready values."""
    normalizer = tokenizer.normalizer
    return {
        "name": tokenizer.name,
        "family": tokenizer.family,
        "n_vocab": tokenizer.n_vocab,
        "byte_level": tokenizer.byte_level,
        "pattern": tokenizer.pattern,
        "special_tokens": dict(sorted(tokenizer.special_tokens.items(), key=lambda item: item[1])),
        "merges": len(tokenizer.merges) if tokenizer.merges is not None else None,
        "merge_semantics": tokenizer.merge_semantics,
        "backend": tokenizer.backend.kind,
        "normalizer": normalizer.get("type") if normalizer else None,
        "source": tokenizer.source,
    }


def _print_human(facts: dict[str, Any]) -> None:
    merges = facts["merges"]
    semantics = _MERGE_SEMANTICS.get(facts["merge_semantics"], str(facts["merge_semantics"]))
    rows = [
        ("name", facts["name"]),
        ("source", facts["source"] or "-"),
        ("family", facts["family"]),
        ("n_vocab", f"{facts['n_vocab']:,} (one more than the largest id, special tokens included)"),
        ("byte_level", "yes" if facts["byte_level"] else "no"),
        ("merges", f"{merges:,}" if merges is not None else "none stored"),
        ("merge rule", semantics),
        ("backend", facts["backend"]),
        ("normalizer", facts["normalizer"] or "none"),
        ("pattern", facts["pattern"] if facts["pattern"] is not None else "none"),
    ]
    width = max(len(key) for key, _ in rows)
    for key, value in rows:
        click.echo(f"{key:<{width}}  {value}")
    specials = list(facts["special_tokens"].items())
    click.echo(f"{'specials':<{width}}  {len(specials)}")
    for token, token_id in specials[:_SPECIALS_SHOWN]:
        click.echo(f"{'':<{width}}  {token_id:>7}  {token}")
    if len(specials) > _SPECIALS_SHOWN:
        click.echo(f"{'':<{width}}  ... and {len(specials) - _SPECIALS_SHOWN} more (--json lists all)")


@click.command(name="info")
@click.argument("tokenizer_source", metavar="TOKENIZER")
@json_option
def command(tokenizer_source: str, as_json: bool) -> None:
    """Describe TOKENIZER: a built-in name, or a tokenizer file or folder.

    Prints the family (bpe, wordpiece, unigram, sentencepiece), n_vocab, whether it is
    byte-level, the split pattern, special tokens with ids, merge count and merge rule, the
    library that executes it, whether it has a normalizer, and where it came from.

    An unknown name prints the list of built-in names.

    \b
    Examples:
      tokensmith info cl100k_base
      tokensmith info path/to/tokenizer.json --json
    """
    facts = describe(load_tokenizer(tokenizer_source))
    if as_json:
        print_json(facts, indent=2)
    else:
        _print_human(facts)
