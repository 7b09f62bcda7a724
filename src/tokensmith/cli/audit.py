"""``tokensmith audit``: inspect a tokenizer's vocabulary with no corpus."""

from __future__ import annotations

import click

__all__ = ["command"]


@click.command("audit")
@click.argument("tokenizer_source", metavar="TOKENIZER")
@click.option("--json", "as_json", is_flag=True, help="Print the audit as JSON.")
@click.option("--no-reachability", is_flag=True, help="Skip the reachability check (re-encodes every token).")
@click.option("--longest", default=5, show_default=True, metavar="N", help="Longest tokens listed per script.")
def command(tokenizer_source: str, as_json: bool, no_reachability: bool, longest: int) -> None:
    """Audit TOKENIZER: composition by script and position, lengths, reachability, digits."""
    from ..measure import audit
    from ._options import load_tokenizer

    report = audit(load_tokenizer(tokenizer_source), check_reachability=not no_reachability, longest_per_script=longest)
    if as_json:
        click.echo(report.to_json(), nl=False)
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    composition = Table(title=f"{report.tokenizer}: {report.n_vocab:,} ids — composition (position × script)")
    scripts = sorted({script for counts in report.composition.values() for script in counts},
                     key=lambda script: -sum(counts.get(script, 0) for counts in report.composition.values()))
    composition.add_column("position")
    for script in scripts[:10]:
        composition.add_column(script, justify="right")
    composition.add_column("total", justify="right")
    for position, counts in report.composition.items():
        composition.add_row(position, *[f"{counts.get(script, 0):,}" for script in scripts[:10]], f"{sum(counts.values()):,}")
    console.print(composition)
    if report.reachability:
        reach = Table(title="reachability (decode, re-encode after a guard prefix)")
        for column in ("position", "reachable", "unreachable", "unverified"):
            reach.add_column(column, justify="right" if column != "position" else "left")
        for position, counts in report.reachability.items():
            reach.add_row(position, *[f"{counts.get(key, 0):,}" for key in ("reachable", "unreachable", "unverified")])
        console.print(reach)
        for entry in report.unreachable[:20]:
            console.print(f"  unreachable id {entry['id']} ({entry['position']}): bytes {entry['bytes']} {entry['text']!r}")
        if len(report.unreachable) > 20:
            console.print(f"  ... and {len(report.unreachable) - 20} more (see --json)")
        console.print(f"merges that can never fire: {len(report.dead_merges)}")
    console.print(f"token length (bytes) histogram: {report.length_histogram}")
    console.print(f"digits: {report.digit_scheme} — 1234567890 -> {' | '.join(report.digit_pieces)}; numeric tokens by length: {report.numeric_tokens_by_length}")
    for script, tokens in report.longest_tokens.items():
        console.print(f"longest {script}: " + ", ".join(repr(token) for token in tokens))
