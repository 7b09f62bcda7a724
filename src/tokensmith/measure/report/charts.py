"""Inline SVG charts for the HTML report: grouped bars, heatmap, stacked composition bars.

Drawn as plain SVG strings so the report needs no charting library and no network.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape

__all__ = ["PALETTE", "bar_chart", "heatmap", "stacked_bars"]

PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")


def _number(value: float) -> str:
    return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def bar_chart(rows: Sequence[tuple[str, Sequence[float | None]]], series: Sequence[str], title: str) -> str:
    """Horizontal grouped bars: one group per row label, one bar per series; gaps drawn as text."""
    bar_height, group_gap, label_width, plot_width = 9, 8, 130, 520
    finite = [value for _, values in rows for value in values if value is not None and math.isfinite(value)]
    top = max(finite, default=1.0) or 1.0
    group_height = bar_height * len(series) + group_gap
    height = 40 + group_height * len(rows)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_width + plot_width + 80}" height="{height}" role="img" aria-label="{escape(title)}">',
             f'<text x="4" y="16" font-weight="bold">{escape(title)}</text>']
    for index, name in enumerate(series):
        parts.append(f'<rect x="{label_width + 150 * index}" y="24" width="10" height="10" fill="{PALETTE[index % len(PALETTE)]}"/>'
                     f'<text x="{label_width + 150 * index + 14}" y="33" font-size="11">{escape(name)}</text>')
    for row_index, (label, values) in enumerate(rows):
        y = 40 + row_index * group_height
        parts.append(f'<text x="{label_width - 6}" y="{y + group_height / 2}" font-size="11" text-anchor="end">{escape(label)}</text>')
        for index, value in enumerate(values):
            bar_y = y + index * bar_height
            if value is None or not math.isfinite(value):
                parts.append(f'<text x="{label_width + 2}" y="{bar_y + bar_height - 1}" font-size="9" fill="#999">gap</text>')
                continue
            width = max(0.5, plot_width * value / top)
            parts.append(f'<rect x="{label_width}" y="{bar_y}" width="{width:.1f}" height="{bar_height - 1}" fill="{PALETTE[index % len(PALETTE)]}">'
                         f'<title>{escape(label)} · {escape(series[index])}: {_number(value)}</title></rect>'
                         f'<text x="{label_width + width + 3:.1f}" y="{bar_y + bar_height - 1}" font-size="8">{_number(value)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _heat_colour(value: float, low: float, high: float) -> str:
    """Blue at the low end, white at 1.0 (parity), red at the high end, on a log scale."""
    position = math.log(value)
    if position >= 0:
        share = min(1.0, position / max(1e-9, math.log(high))) if high > 1 else 0.0
        return f"rgb(255,{int(255 * (1 - share))},{int(255 * (1 - share))})"
    share = min(1.0, position / min(-1e-9, math.log(low))) if low < 1 else 0.0
    return f"rgb({int(255 * (1 - share))},{int(255 * (1 - 0.5 * share))},255)"


def heatmap(rows: Sequence[str], columns: Sequence[str], values: Mapping[tuple[str, str], float | None], title: str) -> str:
    """Rows x columns of coloured cells with the value printed; missing cells hatched grey."""
    cell_width, cell_height, label_width = 110, 16, 130
    finite = [value for value in values.values() if value is not None and value > 0]
    low, high = min(finite, default=1.0), max(finite, default=1.0)
    width = label_width + cell_width * len(columns) + 10
    height = 44 + cell_height * len(rows)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" aria-label="{escape(title)}">',
             f'<text x="4" y="16" font-weight="bold">{escape(title)}</text>']
    for index, column in enumerate(columns):
        parts.append(f'<text x="{label_width + cell_width * index + cell_width / 2}" y="38" font-size="11" text-anchor="middle">{escape(column)}</text>')
    for row_index, row in enumerate(rows):
        y = 44 + row_index * cell_height
        parts.append(f'<text x="{label_width - 6}" y="{y + 12}" font-size="11" text-anchor="end">{escape(row)}</text>')
        for index, column in enumerate(columns):
            x = label_width + cell_width * index
            value = values.get((row, column))
            if value is None or value <= 0:
                parts.append(f'<rect x="{x}" y="{y}" width="{cell_width - 1}" height="{cell_height - 1}" fill="#ddd"/>'
                             f'<text x="{x + cell_width / 2}" y="{y + 12}" font-size="10" text-anchor="middle" fill="#777">gap</text>')
                continue
            parts.append(f'<rect x="{x}" y="{y}" width="{cell_width - 1}" height="{cell_height - 1}" fill="{_heat_colour(value, low, high)}">'
                         f'<title>{escape(row)} · {escape(column)}: {value:.3f}</title></rect>'
                         f'<text x="{x + cell_width / 2}" y="{y + 12}" font-size="10" text-anchor="middle">{value:.2f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def stacked_bars(bars: Mapping[str, Mapping[str, int]], title: str) -> str:
    """One horizontal 100 % bar per entry, split into its categories, with a legend."""
    categories = sorted({name for counts in bars.values() for name in counts}, key=lambda name: -sum(c.get(name, 0) for c in bars.values()))
    colour = {name: PALETTE[index % len(PALETTE)] for index, name in enumerate(categories)}
    label_width, plot_width, bar_height = 130, 520, 18
    legend_rows = math.ceil(len(categories) / 5)
    height = 30 + legend_rows * 16 + (bar_height + 6) * len(bars)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{max(label_width + plot_width, label_width + 125 * 5) + 20}" height="{height}" role="img" aria-label="{escape(title)}">',
             f'<text x="4" y="16" font-weight="bold">{escape(title)}</text>']
    for index, name in enumerate(categories):
        x, y = label_width + 125 * (index % 5), 24 + 16 * (index // 5)
        parts.append(f'<rect x="{x}" y="{y}" width="10" height="10" fill="{colour[name]}"/><text x="{x + 14}" y="{y + 9}" font-size="10">{escape(name)}</text>')
    top = 30 + legend_rows * 16
    for row, (label, counts) in enumerate(bars.items()):
        y = top + row * (bar_height + 6)
        total = sum(counts.values()) or 1
        parts.append(f'<text x="{label_width - 6}" y="{y + 13}" font-size="11" text-anchor="end">{escape(label)}</text>')
        x = float(label_width)
        for name in categories:
            share = counts.get(name, 0) / total
            if share <= 0:
                continue
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{plot_width * share:.1f}" height="{bar_height}" fill="{colour[name]}">'
                         f'<title>{escape(label)} · {escape(name)}: {counts.get(name, 0):,} ({share:.1%})</title></rect>')
            x += plot_width * share
    parts.append("</svg>")
    return "".join(parts)
