"""Named split (pre-tokenization) patterns used by known tokenizers and by our trainer.

The strings are the published ones (tiktoken's ``openai_public.py``, Llama 3's tokenizer.json);
they are data, and the native scanner is proven equal to ``regex`` on each of them.
"""

from __future__ import annotations

__all__ = ["PATTERNS", "pattern_by_name"]

# tiktoken's faster equivalent of the original GPT-2 pattern (same pieces on every text).
_GPT2 = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s"""

_CL100K = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)

_O200K = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)

_LLAMA3 = (
    r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"""
    r"""|\s*[\r\n]+|\s+(?!\S)|\s+"""
)

PATTERNS: dict[str, str] = {
    "gpt2": _GPT2,
    "r50k": _GPT2,
    "cl100k": _CL100K,
    "o200k": _O200K,
    "llama3": _LLAMA3,
}


def pattern_by_name(name_or_pattern: str) -> str:
    """Return the pattern for a preset name, or the argument itself if it is not a preset name."""
    return PATTERNS.get(name_or_pattern, name_or_pattern)
