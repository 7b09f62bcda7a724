"""The terminal table: one row per corpus, one column group per tokenizer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import Report

__all__ = ["DEFAULT_TABLE_METRICS", "format_value", "report_table"]

DEFAULT_TABLE_METRICS = ("bytes_per_token", "fertility", "token_premium")
SHORT_LABELS = {"bytes_per_token": "B/tok", "characters_per_token": "ch/tok", "fertility": "fert", "token_premium": "prem",
                "token_premium_per_sentence": "prem/sent", "continued_word_rate": "contd", "renyi_efficiency": "rényi",
                "token_count": "tokens", "nsl": "NSL", "byte_premium": "B-prem", "throughput_bytes_per_second": "speed"}


def format_value(value: float | None, metric: str, *, digits: int = 3) -> str:
    if value is None:
        return "—"
    if metric == "token_count":
        return f"{value:,.0f}"
    if metric == "throughput_bytes_per_second":
        return f"{value / 1e6:.1f} MB/s"
    if metric.endswith("_rate") or metric == "vocabulary_utilisation":
        return f"{value:.2%}"
    return f"{value:.{digits}f}"


def report_table(report: Report, metrics: tuple[str, ...] | None = None) -> Any:
    """Rows are corpora; each tokenizer gets one column holding its chosen metrics side by side,
    so three tokenizers and three metrics still fit an 80-column terminal."""
    from rich import box
    from rich.table import Table

    metrics = tuple(name for name in (metrics or DEFAULT_TABLE_METRICS) if name in report.metric_names)
    labels = [SHORT_LABELS.get(name, name) for name in metrics]
    pivot = report.configuration.get("pivot")
    title = f"pivot {pivot or 'none'} · NSL baseline {report.configuration.get('baseline')} · * = words are characters"
    table = Table(title=title, box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
    table.add_column("corpus", style="bold", no_wrap=True)
    for tokenizer in report.tokenizer_names:
        table.add_column(f"{tokenizer}\n" + " ".join(f"{label:>6}" for label in labels), justify="right", no_wrap=True)
    flagged = {(flag.tokenizer, flag.corpus) for flag in report.flags}
    for info in report.corpora:
        row = [info.name + ("*" if info.word_segmentation == "characters" else "")]
        for tokenizer in report.tokenizer_names:
            if (tokenizer, info.name) not in report.cells:
                row.append("[red]gap[/red]")
                continue
            text = " ".join(f"{format_value(report.value(tokenizer, info.name, name), name, digits=2):>6}" for name in metrics)
            row.append(f"[yellow]UNK! {text}[/yellow]" if (tokenizer, info.name) in flagged else text)
        table.add_row(*row)
    for name, label in (("premium_max_min_ratio", "max/min"), ("premium_gini", "Gini")):
        if name in report.metric_names:
            table.add_row(f"[italic]{label}[/italic]", *[format_value(report.summaries[t].get(name), name, digits=2) for t in report.tokenizer_names])
    return table
