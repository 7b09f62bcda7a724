"""pattern_with_digits gives patterns that regex, tiktoken and HF tokenizers all load and agree on."""

from __future__ import annotations

import pytest
import regex
import tiktoken
from tokenizers import Regex, pre_tokenizers

from tokensmith._errors import TrainingError
from tokensmith._patterns import DIGIT_MODES, PATTERNS, pattern_with_digits

SAMPLE = "In 2024, 1234567 people paid $3.50 (or 12,345.678) on line 7\n  x 99 \u0663\u0664\u0665\u0666"


def tiktoken_pieces(pattern: str, text: str, expected: list[str]) -> list[bytes]:
    # tiktoken emits a whole regex piece as one token when that piece is in the vocabulary, so
    # with every expected piece in the vocabulary, decoding token by token shows its split.
    vocabulary = {bytes([b]) for b in range(256)} | {piece.encode() for piece in expected}
    ranks = {token: rank for rank, token in enumerate(sorted(vocabulary, key=lambda t: (len(t), t)))}
    encoding = tiktoken.Encoding("digits-check", pat_str=pattern, mergeable_ranks=ranks, special_tokens={})
    return [encoding.decode_single_token_bytes(t) for t in encoding.encode_ordinary(text)]


@pytest.mark.parametrize("preset", ["gpt2", "cl100k", "o200k", "llama3"])
@pytest.mark.parametrize("mode", DIGIT_MODES)
def test_three_engines_load_and_agree(preset: str, mode: str) -> None:
    pattern = pattern_with_digits(preset, mode)
    expected = regex.findall(pattern, SAMPLE)
    assert tiktoken_pieces(pattern, SAMPLE, expected) == [piece.encode() for piece in expected]
    split = pre_tokenizers.Split(Regex(pattern), behavior="isolated")
    hf_pieces = [piece for piece, _ in split.pre_tokenize_str(SAMPLE)]
    if (preset, mode) == ("cl100k", "pattern"):
        # Oniguruma reads cl100k's possessive "{1,3}+" as "{1,3}" repeated, so stock cl100k
        # itself splits numbers differently in HF tokenizers; the digit modes avoid "{m,n}+".
        assert hf_pieces != expected
    else:
        assert hf_pieces == expected


def test_pattern_mode_is_the_preset() -> None:
    for preset, pattern in PATTERNS.items():
        assert pattern_with_digits(preset, "pattern") == pattern


def test_right3_groups_from_the_right() -> None:
    pattern = pattern_with_digits("cl100k", "right3")
    assert regex.findall(pattern, "1234567 12 123456") == ["1", "234", "567", " ", "12", " ", "123", "456"]


def test_unknown_names_are_typed_errors() -> None:
    with pytest.raises(TrainingError, match="unknown split preset 'gpt5'"):
        pattern_with_digits("gpt5", "single")
    with pytest.raises(TrainingError, match="unknown digits mode 'right4'"):
        pattern_with_digits("gpt2", "right4")
