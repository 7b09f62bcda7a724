"""Fidelity and speed: what is lost or degraded on the way from text to tokens."""

from __future__ import annotations

from ..counts import CountCell
from . import MetricContext, metric


@metric("unk_rate", unit="fraction", higher_is_better=False, source="-")
def unk_rate(context: MetricContext, cell: CountCell) -> float | None:
    """Share of tokens that are the unknown token: UNK tokens / tokens (0 for byte-level BPE)."""
    return cell.n_unk_tokens / cell.n_tokens if cell.n_tokens else None


@metric("unk_character_rate", unit="fraction", higher_is_better=False, source="-")
def unk_character_rate(context: MetricContext, cell: CountCell) -> float | None:
    """Share of characters swallowed by unknown tokens: characters under UNK spans / characters.

    Above 10 % the report flags the language, because a low token count bought by mapping text
    to UNK is a loss, not compression.
    """
    return cell.n_unk_characters / cell.n_characters if cell.n_characters else None


@metric("byte_fallback_rate", unit="fraction", higher_is_better=False, source="-")
def byte_fallback_rate(context: MetricContext, cell: CountCell) -> float | None:
    """Share of tokens that are byte-fallback pieces (``<0xNN>``, SentencePiece-style)."""
    return cell.n_byte_fallback_tokens / cell.n_tokens if cell.n_tokens else None


@metric("partial_utf8_rate", unit="fraction", higher_is_better=False, source="-")
def partial_utf8_rate(context: MetricContext, cell: CountCell) -> float | None:
    """Share of tokens of a byte-level tokenizer whose bytes are not valid UTF-8 on their own."""
    return cell.n_partial_utf8_tokens / cell.n_tokens if cell.n_tokens else None


@metric("round_trip_rate", unit="fraction", higher_is_better=True, source="-")
def round_trip_rate(context: MetricContext, cell: CountCell) -> float | None:
    """Share of documents for which decode(encode(text)) == text exactly."""
    return cell.n_lossless_documents / cell.n_documents if cell.n_documents else None


@metric("throughput_bytes_per_second", unit="bytes/s", higher_is_better=True, source="-")
def throughput(context: MetricContext, cell: CountCell) -> float | None:
    """Encode speed of the tokenizer as loaded: corpus bytes / seconds of the batch encode call.

    Measured in the same pass as the counts, with the evaluation's thread count; depends on the
    machine and its load, so compare tokenizers only within one report.
    """
    return cell.n_bytes / cell.encode_seconds if cell.encode_seconds > 0 else None
