"""``BpeTrainingOptions``: every choice a BPE training run makes, validated once, defaults written once.

The CLI builds its ``train`` flags from these fields (their ``metadata["help"]`` is the flag's
help text), so a default changed here changes everywhere.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from .._errors import TrainingError
from .._patterns import PATTERNS

__all__ = ["DIGIT_MODES", "BpeTrainingOptions", "DigitMode"]

DigitMode = Literal["pattern", "single", "left3", "right3"]
DIGIT_MODES: tuple[str, ...] = ("pattern", "single", "left3", "right3")
BYTE_TOKENS = 256


def _help(text: str) -> dict[str, str]:
    return {"help": text}


@dataclass(frozen=True)
class BpeTrainingOptions:
    """How to train a byte-level BPE tokenizer.

    Id layout of the result, in order: the 256 byte tokens (id = byte value); in character-level
    mode the tokens that assemble multi-byte characters from their bytes; the learned merges
    (protected terms included); the special tokens; the padding tokens. Special and padding
    tokens therefore sit *after* the learned vocabulary, so a model resized later keeps every
    learned id.
    """

    vocab_size: int = field(metadata=_help("Target vocabulary size, special tokens included (padding comes on top)."))
    pattern: str = field(
        default="cl100k",
        metadata=_help(f"Split pattern: a preset ({', '.join(sorted(PATTERNS))}) or a custom regex."),
    )
    special_tokens: tuple[str, ...] = field(
        default=("<|endoftext|>",),
        metadata=_help("Special tokens, given ids after the learned vocabulary; never produced from text unless allowed."),
    )
    min_pretoken_count: int = field(default=1, metadata=_help("Ignore pre-tokens seen fewer times than this."))
    min_pair_count: int = field(default=2, metadata=_help("Stop when the most frequent pair occurs fewer times than this."))
    max_token_bytes: int | None = field(default=None, metadata=_help("Longest token in bytes (byte-level training)."))
    max_token_chars: int | None = field(
        default=None, metadata=_help("Longest token in characters (needs character-level training).")
    )
    character_level: bool = field(
        default=False,
        metadata=_help("Use characters, not bytes, as base units (rare characters fall back to bytes)."),
    )
    protected_terms: tuple[str, ...] = field(
        default=(), metadata=_help("Terms that always become exactly one token (learned as merges, not added tokens).")
    )
    digits: DigitMode = field(
        default="pattern", metadata=_help("How numbers are split: pattern, single, left3 or right3.")
    )
    pad_to_multiple_of: int = field(
        default=1, metadata=_help("Add padding tokens so the vocabulary size is a multiple of this.")
    )
    threads: int = field(default=0, metadata=_help("Worker threads; 0 means one per available core."))
    name: str = field(default="trained-bpe", metadata=_help("Name recorded in the tokenizer."))

    def __post_init__(self) -> None:
        object.__setattr__(self, "special_tokens", tuple(self.special_tokens))
        object.__setattr__(self, "protected_terms", tuple(self.protected_terms))
        self._check_numbers()
        self._check_tokens()
        self._check_lengths()
        if self.digits not in DIGIT_MODES:
            raise TrainingError(f"option digits: {self.digits!r} is not one of {', '.join(DIGIT_MODES)}")
        if self.pattern not in PATTERNS:
            check_custom_pattern(self.pattern)

    def _check_numbers(self) -> None:
        for name in ("vocab_size", "min_pretoken_count", "min_pair_count", "pad_to_multiple_of"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise TrainingError(f"option {name}: {value!r} must be a positive integer")
        if isinstance(self.threads, bool) or not isinstance(self.threads, int) or self.threads < 0:
            raise TrainingError(f"option threads: {self.threads!r} must be 0 (all cores) or a positive integer")
        minimum = BYTE_TOKENS + len(self.special_tokens)
        if self.vocab_size < minimum:
            raise TrainingError(
                f"option vocab_size: {self.vocab_size} is below the {BYTE_TOKENS} byte tokens + "
                f"{len(self.special_tokens)} special tokens; ask for at least {minimum}"
            )

    def _check_tokens(self) -> None:
        for option, values in (("special_tokens", self.special_tokens), ("protected_terms", self.protected_terms)):
            seen: set[str] = set()
            for value in values:
                if not isinstance(value, str) or not value:
                    raise TrainingError(f"option {option}: {value!r} must be a non-empty string")
                if value in seen:
                    raise TrainingError(f"option {option}: {value!r} is listed twice; list it once")
                seen.add(value)
        clash = sorted(set(self.special_tokens) & set(self.protected_terms))
        if clash:
            raise TrainingError(
                f"option protected_terms: {clash[0]!r} is also a special token; a string is one or the other"
            )

    def _check_lengths(self) -> None:
        for name in ("max_token_bytes", "max_token_chars"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise TrainingError(f"option {name}: {value!r} must be a positive integer or None")
        if self.character_level and self.max_token_bytes is not None:
            raise TrainingError(
                "option max_token_bytes: character-level training caps tokens in characters; use max_token_chars"
            )
        if not self.character_level and self.max_token_chars is not None:
            raise TrainingError(
                "option max_token_chars: needs character_level=True (byte-level training caps tokens with max_token_bytes)"
            )
        for term in self.protected_terms:
            if self.max_token_bytes is not None and len(term.encode("utf-8")) > self.max_token_bytes:
                raise TrainingError(
                    f"option protected_terms: {term!r} is {len(term.encode('utf-8'))} bytes, longer than "
                    f"max_token_bytes={self.max_token_bytes}; raise the cap or drop the term"
                )
            if self.max_token_chars is not None and len(term) > self.max_token_chars:
                raise TrainingError(
                    f"option protected_terms: {term!r} is {len(term)} characters, longer than "
                    f"max_token_chars={self.max_token_chars}; raise the cap or drop the term"
                )

    @property
    def max_token_length(self) -> int:
        """The cap handed to the merge loop (0 = none), in the unit of the base tokens."""
        cap = self.max_token_chars if self.character_level else self.max_token_bytes
        return cap or 0

    @property
    def resolved_threads(self) -> int:
        if self.threads:
            return self.threads
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1

    @property
    def uses_preset_scanner(self) -> bool:
        """True when the native scanner can split the text (a preset and no protected terms)."""
        return self.pattern in PATTERNS and not self.protected_terms

    def as_record(self) -> dict[str, Any]:
        """The options as JSON-ready data, for training.json."""
        return {key: list(value) if isinstance(value, tuple) else value for key, value in asdict(self).items()}


def check_custom_pattern(pattern: str) -> None:
    """Refuse a split pattern that any of the three regex engines we hand it to cannot compile.

    Training runs the pattern with ``regex``; the saved tokenizer.json runs it with Oniguruma
    (``tokenizers``) and the .tiktoken file with fancy-regex (``tiktoken``). Checking all three
    up front beats discovering the problem after an hour of training.
    """
    import regex
    import tiktoken
    import tokenizers

    engine = "regex"
    try:
        regex.compile(pattern)
        engine = "tokenizers (Oniguruma)"
        tokenizers.Regex(pattern)
        engine = "tiktoken (fancy-regex)"
        tiktoken.Encoding(
            name="pattern-check",
            pat_str=pattern,
            mergeable_ranks={bytes([byte]): byte for byte in range(BYTE_TOKENS)},
            special_tokens={},
        )
    except Exception as error:  # each engine raises its own type; all mean "bad pattern"
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise TrainingError(
            f"option pattern: {pattern!r} is not a valid split pattern for {engine} ({reason}); "
            f"fix the regex or use a preset ({', '.join(sorted(PATTERNS))})"
        ) from None
