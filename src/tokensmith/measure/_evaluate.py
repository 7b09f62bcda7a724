"""``evaluate``: encode every corpus once with every tokenizer and derive all metrics."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

from .._errors import CorpusError, TokensmithError
from .._progress import progress
from .._tokenizer import Tokenizer
from ._tokenizers import resolve_tokenizer, tokenizer_fingerprint
from .counts import CountCell, TokenizerProfile, count_cell
from .metrics import METRICS, MetricContext, metric_names
from .report import CorpusInfo, Flag, Gap, Report, TokenizerInfo, ViewerSample
from .segmentation import Segmentation, WordSpans, segment_words
from .sources import CorpusSample, CorpusSpec, read_corpora

__all__ = ["EvaluationOptions", "evaluate"]

PIVOT_CANDIDATES = ("eng", "eng-US", "en", "eng_Latn", "english", "English")
"""Corpus names taken as the pivot when none is given (English, as Petrov et al. use)."""


@dataclass(frozen=True)
class EvaluationOptions:
    """How to evaluate. Defaults follow the papers each metric cites."""

    metrics: tuple[str, ...] | None = None
    """Metric names to compute; None for every registered metric."""
    word_segmentation: Segmentation = "auto"
    pivot: str | None = None
    """Corpus name premiums are relative to; None picks English when present."""
    baseline: str | None = None
    """Tokenizer name NSL is relative to; None takes the first tokenizer."""
    renyi_alpha: float = 2.5
    unk_flag_threshold: float = 0.10
    """Flag a language when more than this share of its characters is lost to UNK tokens."""
    num_threads: int = 8
    line_aligned: bool | None = None
    """Whether line i of every corpus translates line i of the pivot (per-sentence premiums).
    None: assumed exactly when every corpus has the same number of lines."""
    viewer_samples: int = 3
    """Sentences per corpus shown in the HTML token viewer."""


def evaluate(
    tokenizers: Tokenizer | str | Sequence[Tokenizer | str],
    corpora: CorpusSpec | Iterable[CorpusSpec],
    options: EvaluationOptions | None = None,
) -> Report:
    """Measure ``tokenizers`` on ``corpora`` and return a :class:`Report`.

    ``tokenizers`` are ``Tokenizer`` objects, built-in names or paths; ``corpora`` are paths
    (file or folder), ``{name: text_or_lines}`` mappings or ``CorpusSample`` values. Each
    (tokenizer, corpus) pair is encoded exactly once::

        >>> report = tokensmith.measure(["gpt2", "o200k_base"], {"eng": ["Hello world"], "deu": ["Hallo Welt"]})
        >>> report.value("gpt2", "deu", "token_premium")
    """
    options = options or EvaluationOptions()
    specs = [tokenizers] if isinstance(tokenizers, (Tokenizer, str)) else list(tokenizers)
    loaded = _unique_names([resolve_tokenizer(spec) for spec in specs])
    samples = read_corpora(corpora)
    names = _check_metrics(options)
    gaps = [Gap(None, corpus.name, None, f"{corpus.origin}: corpus is empty") for corpus in samples if corpus.is_empty]
    usable = [corpus for corpus in samples if not corpus.is_empty]
    pivot = _resolve_pivot(options.pivot, samples, usable)
    if pivot is None:
        gaps.append(Gap(None, None, "token_premium", "no pivot language: pass pivot= (--pivot) naming one of the corpora"))
    baseline = options.baseline or loaded[0].name
    if baseline not in {tokenizer.name for tokenizer in loaded}:
        raise TokensmithError(f"baseline {baseline!r} is not among the evaluated tokenizers ({', '.join(t.name for t in loaded)}); add it to the tokenizers")
    line_aligned = options.line_aligned
    if line_aligned is None:
        line_aligned = len(usable) >= 2 and len({len(corpus.documents) for corpus in usable}) == 1
    if not line_aligned and pivot is not None:
        gaps.append(Gap(None, None, "token_premium_per_sentence", "corpora are not line-aligned: only corpus-level premiums are given"))
    words = {corpus.name: segment_words(corpus.documents, options.word_segmentation) for corpus in usable}
    cells = _count_table(loaded, usable, words, options, gaps)
    context = MetricContext(cells, tuple(t.name for t in loaded), tuple(c.name for c in usable), pivot, baseline, options.renyi_alpha, line_aligned)
    values = {key: {name: METRICS[name].compute(context, cell) for name in names if METRICS[name].level == "corpus"} for key, cell in cells.items()}
    summaries = {t.name: {name: METRICS[name].compute(context, t.name) for name in names if METRICS[name].level == "tokenizer"} for t in loaded}
    configuration = {**asdict(options), "metrics": list(names), "pivot": pivot, "baseline": baseline, "line_aligned": line_aligned}
    from .audit import composition_counts

    return Report(
        configuration=configuration,
        tokenizers=tuple(TokenizerInfo(t.name, t.source, t.family, t.n_vocab, tokenizer_fingerprint(t)) for t in loaded),
        corpora=tuple(CorpusInfo(c.name, c.origin, c.sha256, len(c.documents), c.n_bytes, words[c.name].scheme if c.name in words else "-") for c in samples),
        cells=cells,
        values=values,
        summaries=summaries,
        gaps=tuple(gaps),
        flags=tuple(_unk_flags(cells, options.unk_flag_threshold)),
        samples=tuple(_viewer_samples([t for t in loaded if any(key[0] == t.name for key in cells)], usable, options.viewer_samples)),
        composition={t.name: composition_counts(t) for t in loaded},
        created_utc=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    )


def _unique_names(tokenizers: list[Tokenizer]) -> list[Tokenizer]:
    seen: set[str] = set()
    for tokenizer in tokenizers:
        if tokenizer.name in seen:
            raise TokensmithError(f"two tokenizers are both named {tokenizer.name!r}; give each a distinct name so report rows can be told apart")
        seen.add(tokenizer.name)
    return tokenizers


def _check_metrics(options: EvaluationOptions) -> tuple[str, ...]:
    names = tuple(options.metrics) if options.metrics is not None else tuple(metric_names())
    unknown = [name for name in names if name not in METRICS]
    if unknown:
        raise ValueError(f"unknown metric {unknown[0]!r}; registered metrics: {', '.join(METRICS)}")
    return names


def _resolve_pivot(requested: str | None, samples: list[CorpusSample], usable: list[CorpusSample]) -> str | None:
    usable_names = [corpus.name for corpus in usable]
    if requested is None:
        return next((name for name in PIVOT_CANDIDATES if name in usable_names), None)
    if requested not in usable_names:
        state = "is empty" if requested in {corpus.name for corpus in samples} else "is not among the corpora"
        shown = ", ".join(usable_names[:12]) + (", ..." if len(usable_names) > 12 else "")
        raise CorpusError(f"pivot language {requested!r} {state}; choose one of: {shown}")
    return requested


def _count_table(
    tokenizers: list[Tokenizer],
    corpora: list[CorpusSample],
    words: dict[str, WordSpans],
    options: EvaluationOptions,
    gaps: list[Gap],
) -> dict[tuple[str, str], CountCell]:
    cells: dict[tuple[str, str], CountCell] = {}
    total_bytes = sum(corpus.n_bytes for corpus in corpora) * len(tokenizers)
    with progress("encoding", total=total_bytes / 1e6, unit="MB") as bar:
        for tokenizer in tokenizers:
            try:
                profile = TokenizerProfile.of(tokenizer)
            except Exception as error:  # a broken tokenizer is one gap, not a failed comparison
                gaps.extend(Gap(tokenizer.name, corpus.name, None, f"tokenizer could not be used: {_one_line(error)}") for corpus in corpora)
                continue
            for corpus in corpora:
                try:
                    cells[(tokenizer.name, corpus.name)] = count_cell(profile, corpus, words[corpus.name], num_threads=options.num_threads)
                except Exception as error:  # library errors have no common base class; record, do not guess
                    gaps.append(Gap(tokenizer.name, corpus.name, None, f"encoding failed: {_one_line(error)}"))
                bar.advance(corpus.n_bytes / 1e6)
    return cells


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return f"{type(error).__name__}: {text[:200]}"


def _unk_flags(cells: dict[tuple[str, str], CountCell], threshold: float) -> list[Flag]:
    flags = []
    for (tokenizer, corpus), cell in cells.items():
        lost = cell.n_unk_characters / cell.n_characters if cell.n_characters else 0.0
        if lost > threshold:
            flags.append(Flag(tokenizer, corpus, "unk_character_rate", lost,
                              f"{lost:.0%} of characters are lost to unknown tokens: low token counts here are not compression"))
    return flags


def _viewer_samples(tokenizers: list[Tokenizer], corpora: list[CorpusSample], per_corpus: int) -> list[ViewerSample]:
    samples = []
    for corpus in corpora:
        chosen = [document for document in corpus.documents if 0 < len(document.strip()) <= 400][:per_corpus]
        for text in chosen:
            tokens = {}
            for tokenizer in tokenizers:
                try:
                    ids, spans = tokenizer.encode_with_offsets(text, disallowed_special=())
                except (NotImplementedError, KeyError):  # no offsets for this backend: leave it out of the viewer
                    continue
                tokens[tokenizer.name] = tuple(
                    (token_id, start, end, tokenizer.token_bytes(token_id).hex() if tokenizer.byte_level else "")
                    for token_id, (start, end) in zip(ids, spans)
                )
            samples.append(ViewerSample(corpus.name, text, tokens))
    return samples
