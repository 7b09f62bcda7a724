"""The self-contained HTML report: charts, heatmap, composition and a side-by-side token viewer.

Everything (styles, the few lines of script, SVG charts) is inline, so the file opens offline
and can be mailed as one attachment.
"""

from __future__ import annotations

from html import escape
from importlib import resources
from typing import TYPE_CHECKING, Any

from .charts import PALETTE, bar_chart, heatmap, stacked_bars
from .table import format_value

if TYPE_CHECKING:
    from . import Report, ViewerSample

__all__ = ["report_to_html"]

CHART_METRICS = ("bytes_per_token", "fertility", "token_premium", "continued_word_rate", "renyi_efficiency", "nsl")
_VISIBLE_WHITESPACE = {" ": "·", "\n": "↵", "\t": "→", "\u00a0": "⍽"}


def report_to_html(report: Report) -> str:
    import jinja2

    from ..metrics import METRICS

    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = environment.from_string((resources.files(__package__) / "templates" / "report.html.j2").read_text(encoding="utf-8"))
    corpora = list(report.corpus_names)
    charts = {
        name: bar_chart([(corpus, [report.value(t, corpus, name) for t in report.tokenizer_names]) for corpus in corpora], report.tokenizer_names, f"{name} ({METRICS[name].unit})")
        for name in CHART_METRICS if name in report.metric_names
    }
    premiums = {(corpus, t): report.value(t, corpus, "token_premium") for corpus in corpora for t in report.tokenizer_names}
    positions = {t: {key.split(":", 1)[1]: count for key, count in counts.items() if key.startswith("position:")} for t, counts in report.composition.items()}
    scripts = {t: _top_scripts(counts) for t, counts in report.composition.items()}
    rows = [
        {"corpus": corpus, "tokenizer": t, "values": [format_value(report.value(t, corpus, name), name) for name in report.metric_names if METRICS[name].level == "corpus"]}
        for corpus in corpora for t in report.tokenizer_names if (t, corpus) in report.cells
    ]
    return template.render(
        report=report,
        configuration=report.configuration,
        charts=charts,
        heatmap_svg=heatmap(corpora, report.tokenizer_names, premiums, f"token premium vs {report.configuration.get('pivot') or '(no pivot)'}") if report.configuration.get("pivot") else "",
        positions_svg=stacked_bars(positions, "vocabulary by position") if positions else "",
        scripts_svg=stacked_bars(scripts, "vocabulary by script (top 8)") if scripts else "",
        metric_columns=[name for name in report.metric_names if METRICS[name].level == "corpus"],
        summary_columns=[name for name in report.metric_names if METRICS[name].level == "tokenizer"],
        metrics=METRICS,
        rows=rows,
        viewer=[_viewer_block(sample) for sample in report.samples],
        viewer_corpora=list(dict.fromkeys(sample.corpus for sample in report.samples)),
        format_value=format_value,
    )


def _top_scripts(counts: dict[str, int]) -> dict[str, int]:
    scripts = sorted(((key.split(":", 1)[1], count) for key, count in counts.items() if key.startswith("script:")), key=lambda item: -item[1])
    top = dict(scripts[:8])
    rest = sum(count for _, count in scripts[8:])
    if rest:
        top["other scripts"] = rest
    return top


def _viewer_block(sample: ViewerSample) -> dict[str, Any]:
    """Token spans as HTML per tokenizer; spans whose edges not every tokenizer shares are marked."""
    edge_sets = [{edge for _, start, end, _ in tokens for edge in (start, end)} for tokens in sample.tokens.values()]
    shared = set.intersection(*edge_sets) if edge_sets else set()
    lines = []
    for index, (name, tokens) in enumerate(sample.tokens.items()):
        spans = []
        for position, (token_id, start, end, hex_bytes) in enumerate(tokens):
            text = sample.text[start:end]
            shown = "".join(_VISIBLE_WHITESPACE.get(character, character) for character in text) or "∅"
            disputed = start not in shared or end not in shared
            classes = f"tok c{position % 2}" + (" disputed" if disputed else "")
            title = f"id {token_id} · bytes {hex_bytes or '?'} · chars {start}–{end}"
            spans.append(f'<span class="{classes}" title="{escape(title)}">{escape(shown)}<sub>{token_id}</sub></span>')
        lines.append({"tokenizer": name, "count": len(tokens), "html": "".join(spans), "colour": PALETTE[index % len(PALETTE)]})
    return {"corpus": sample.corpus, "text": sample.text, "lines": lines}
