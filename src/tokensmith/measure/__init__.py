"""Measure tokenizers: intrinsic metrics from one count table, vocabulary audit, reports.

``evaluate(tokenizers, corpora)`` returns a :class:`Report`; ``audit(tokenizer)`` inspects a
vocabulary with no corpus; ``lexical_alignment`` / ``boundary_alignment`` score tokens against a
lexicon, a morphological analyser or gold roots; ``infer_mixture`` estimates the training mix of
a merge list. Metrics are registered by name in :data:`METRICS`, each with its definition and
source paper.
"""

from ._evaluate import EvaluationOptions, evaluate
from .audit import AuditReport, audit
from .linguistic import (
    GoldSegmentations,
    HunspellLexicon,
    WordListLexicon,
    ZeyrekAnalyser,
    boundary_alignment,
    lexical_alignment,
    read_conllu_root_pairs,
)
from .metrics import METRICS, Metric, metric_names
from .mixture import MixtureEstimate, infer_mixture
from .report import Report
from .sources import CorpusSample, read_corpora

__all__ = [
    "METRICS",
    "AuditReport",
    "CorpusSample",
    "EvaluationOptions",
    "GoldSegmentations",
    "HunspellLexicon",
    "Metric",
    "MixtureEstimate",
    "Report",
    "WordListLexicon",
    "ZeyrekAnalyser",
    "audit",
    "boundary_alignment",
    "evaluate",
    "infer_mixture",
    "lexical_alignment",
    "metric_names",
    "read_conllu_root_pairs",
    "read_corpora",
]
