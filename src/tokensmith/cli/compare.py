"""``tokensmith compare``: measure tokenizers on corpora, print a table, write the HTML report."""

from __future__ import annotations

from pathlib import Path

import click

from ..measure._evaluate import EvaluationOptions
from ..measure.segmentation import SEGMENTATIONS
from ._options import load_tokenizer

__all__ = ["command"]

_DEFAULTS = EvaluationOptions()

DEFAULT_REPORT = "tokensmith-report.html"


@click.command("compare")
@click.argument("tokenizers", nargs=-1, metavar="[TOKENIZER]...")
@click.option("--corpus", "corpora", multiple=True, type=click.Path(path_type=Path), metavar="PATH",
              help="A .txt/.jsonl file or a folder of them, one corpus per file (repeatable). Default: the embedded UDHR sample in 15 languages.")
@click.option("--pivot", metavar="LANG", help="Corpus name premiums are relative to. Default: English when present.")
@click.option("--baseline", metavar="TOK", help="Tokenizer NSL is relative to (added to the run if not listed). Default: the first tokenizer.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path), metavar="PATH",
              help=f"Write the self-contained HTML report here. Default: {DEFAULT_REPORT} (rewritten on each run).")
@click.option("--no-report", is_flag=True, help="Do not write the HTML report.")
@click.option("--json", "as_json", is_flag=True, help="Print the versioned JSON report instead of the table.")
@click.option("--json-out", type=click.Path(dir_okay=False, path_type=Path), metavar="PATH", help="Also write the JSON report to PATH.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), metavar="PATH", help="Also write the results as CSV to PATH.")
@click.option("--metric", "table_metrics", multiple=True, metavar="NAME", help="Metric column for the terminal table (repeatable).")
@click.option("--words", "word_segmentation", type=click.Choice(SEGMENTATIONS), default=_DEFAULTS.word_segmentation, show_default=True,
              help="Word segmentation for fertility.")
@click.option("--alpha", "renyi_alpha", type=float, default=_DEFAULTS.renyi_alpha, show_default=True, help="Rényi entropy order α.")
@click.option("--aligned/--not-aligned", "line_aligned", default=None, help="Declare whether corpus lines translate each other (per-sentence premiums). Default: when all corpora have the same line count.")
@click.option("--force", is_flag=True, help="Overwrite existing --report/--json-out/--csv files.")
def command(
    tokenizers: tuple[str, ...], corpora: tuple[Path, ...], pivot: str | None, baseline: str | None,
    report_path: Path | None, no_report: bool, as_json: bool, json_out: Path | None, csv_path: Path | None,
    table_metrics: tuple[str, ...], word_segmentation: str, renyi_alpha: float, line_aligned: bool | None, force: bool,
) -> None:
    """Compare TOKENIZERs (built-in names or files) on corpora: every intrinsic metric, one pass.

    With no arguments: gpt2, cl100k_base and o200k_base on the embedded UDHR sample.
    """
    from ..measure import evaluate
    from ..measure._tokenizers import DEFAULT_TOKENIZERS
    from ..measure.data import embedded_sample_path
    from ..measure.metrics import METRICS

    unknown = [name for name in table_metrics if name not in METRICS]
    if unknown:
        raise click.BadParameter(f"unknown metric {unknown[0]!r}; choose from: {', '.join(METRICS)}", param_hint="'--metric'")
    loaded = [load_tokenizer(source) for source in (tokenizers or DEFAULT_TOKENIZERS)]
    if baseline is not None and baseline not in {tokenizer.name for tokenizer in loaded}:
        loaded.append(load_tokenizer(baseline))
        baseline = loaded[-1].name
    embedded = not corpora
    sources = list(corpora) or [embedded_sample_path()]
    options = EvaluationOptions(
        pivot=pivot, baseline=baseline, word_segmentation=word_segmentation,  # type: ignore[arg-type]
        renyi_alpha=renyi_alpha, line_aligned=False if embedded and line_aligned is None else line_aligned,
    )
    report = evaluate(loaded, sources, options)
    if as_json:
        click.echo(report.to_json(), nl=False)
    else:
        from rich.console import Console

        Console().print(report.table(table_metrics or None))
        for gap in report.gaps:
            click.echo(f"gap: {gap.tokenizer or 'all tokenizers'} / {gap.corpus or 'all corpora'}{' / ' + gap.metric if gap.metric else ''}: {gap.reason}", err=True)
        for flag in report.flags:
            click.echo(f"flag: {flag.tokenizer} / {flag.corpus}: {flag.reason}", err=True)
    if json_out is not None:
        report.save(json_out.with_suffix(".json") if json_out.suffix != ".json" else json_out, overwrite=force)
    if csv_path is not None:
        report.save(csv_path, overwrite=force) if csv_path.suffix == ".csv" else _save_csv(report, csv_path, force)
    if not no_report:
        target = report_path or Path(DEFAULT_REPORT)
        report.save(target.with_suffix(".html") if target.suffix.lower() not in {".html", ".htm"} else target, overwrite=force or report_path is None)
        if embedded:
            click.echo("corpus: embedded UDHR sample (public domain, Unicode UDHR project via NLTK udhr2)", err=True)
        click.echo(f"report: {target}", err=True)


def _save_csv(report, path: Path, force: bool) -> None:  # type: ignore[no-untyped-def]
    from .._atomic import atomic_write_text

    atomic_write_text(path, report.to_csv(), overwrite=force)
