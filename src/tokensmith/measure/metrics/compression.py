"""Compression metrics: how much text one token carries."""

from __future__ import annotations

from ..counts import CountCell
from . import MetricContext, metric

_RUST = "Rust et al. (2021), How Good is Your Tokenizer? On the Monolingual Performance of Multilingual Language Models"


@metric("token_count", unit="tokens", source="-")
def token_count(context: MetricContext, cell: CountCell) -> float:
    """Number of tokens the corpus encodes to (no BOS/EOS or template tokens)."""
    return float(cell.n_tokens)


@metric("bytes_per_token", unit="bytes/token", higher_is_better=True, source="-")
def bytes_per_token(context: MetricContext, cell: CountCell) -> float | None:
    """UTF-8 bytes of the corpus divided by its token count: bytes / tokens."""
    return cell.n_bytes / cell.n_tokens if cell.n_tokens else None


@metric("characters_per_token", unit="chars/token", higher_is_better=True, source="-")
def characters_per_token(context: MetricContext, cell: CountCell) -> float | None:
    """Unicode code points of the corpus divided by its token count: characters / tokens."""
    return cell.n_characters / cell.n_tokens if cell.n_tokens else None


@metric("fertility", unit="tokens/word", higher_is_better=False, source=_RUST)
def fertility(context: MetricContext, cell: CountCell) -> float | None:
    """Tokens per word: tokens / words, words counted by the named segmentation.

    The segmentation (``whitespace``, ``characters`` for scripts written without spaces, or
    ``uax29``) is reported with the value as ``word_segmentation``, because whitespace words
    make Chinese look far worse than character words do.
    """
    return cell.n_tokens / cell.n_words if cell.n_words else None


@metric("continued_word_rate", unit="fraction", higher_is_better=False, source=_RUST)
def continued_word_rate(context: MetricContext, cell: CountCell) -> float | None:
    """Share of words split into two or more tokens: continued words / words.

    A word is continued when a token boundary falls strictly inside its byte span. Needs token
    byte spans, so it is reported for byte-level tokenizers only.
    """
    if cell.n_continued_words is None or not cell.n_words:
        return None
    return cell.n_continued_words / cell.n_words
