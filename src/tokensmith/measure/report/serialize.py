"""Versioned JSON and long-format CSV renderings of a report."""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import Report

__all__ = ["report_to_csv", "report_to_dict", "report_to_json"]


def _clean(value: float | None) -> float | None:
    return None if value is None or (isinstance(value, float) and not math.isfinite(value)) else value


def report_to_dict(report: Report) -> dict[str, Any]:
    from ..metrics import METRICS

    return {
        "schema": "tokensmith.measure.report",
        "schema_version": report.schema_version,
        "created_utc": report.created_utc,
        "configuration": dict(report.configuration),
        "metrics": {
            name: {"unit": METRICS[name].unit, "level": METRICS[name].level, "higher_is_better": METRICS[name].higher_is_better,
                   "source": METRICS[name].source, "definition": METRICS[name].definition}
            for name in report.metric_names
        },
        "tokenizers": [asdict(info) for info in report.tokenizers],
        "corpora": [asdict(info) for info in report.corpora],
        "results": [
            {"tokenizer": tokenizer, "corpus": corpus,
             "word_segmentation": report.cells[(tokenizer, corpus)].word_segmentation,
             "counts": {"documents": cell.n_documents, "bytes": cell.n_bytes, "characters": cell.n_characters,
                        "words": cell.n_words, "tokens": cell.n_tokens, "token_types": int(cell.token_types.size)},
             "values": {name: _clean(value) for name, value in values.items()}}
            for (tokenizer, corpus), values in report.values.items()
            for cell in [report.cells[(tokenizer, corpus)]]
        ],
        "summaries": {tokenizer: {name: _clean(value) for name, value in values.items()} for tokenizer, values in report.summaries.items()},
        "composition": {tokenizer: dict(counts) for tokenizer, counts in report.composition.items()},
        "gaps": [asdict(gap) for gap in report.gaps],
        "flags": [asdict(flag) for flag in report.flags],
    }


def report_to_json(report: Report, *, indent: int | None = 2) -> str:
    return json.dumps(report_to_dict(report), ensure_ascii=False, indent=indent) + "\n"


def report_to_csv(report: Report) -> str:
    """One row per (tokenizer, corpus, metric); gaps appear as rows with an empty value and a note."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["tokenizer", "corpus", "metric", "value", "word_segmentation", "note"])
    for (tokenizer, corpus), values in report.values.items():
        segmentation = report.cells[(tokenizer, corpus)].word_segmentation
        for name, value in values.items():
            value = _clean(value)
            writer.writerow([tokenizer, corpus, name, "" if value is None else repr(value), segmentation, ""])
    for gap in report.gaps:
        writer.writerow([gap.tokenizer or "", gap.corpus or "", gap.metric or "", "", "", f"gap: {gap.reason}"])
    for flag in report.flags:
        writer.writerow([flag.tokenizer, flag.corpus, flag.metric, repr(flag.value), "", f"flag: {flag.reason}"])
    return buffer.getvalue()
