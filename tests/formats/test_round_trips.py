"""decode(encode(x)) == x for every byte-level tokenizer, and the special-token policy."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tokensmith

BYTE_LEVEL_NAMES = ("gpt2", "cl100k_base", "o200k_base", "llama3.2", "qwen", "tekken")

# Any Unicode text Python can encode as UTF-8 (lone surrogates cannot be).
unicode_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)

TARGETED = {
    "emoji ZWJ": "👩‍👩‍👧‍👦 👨🏽‍💻 🏳️‍⚧️ 🧑‍🤝‍🧑",
    "combining marks": "e\u0301\u0302\u0303 Z\u0351\u0352\u0353a\u0354l\u0355g\u0356o \u1100\u1161\u11a8",
    "right to left": "مرحبا بالعالم — עִבְרִית \u202eevil\u202c \u200fRTL\u200f",
    "NUL and controls": "a\x00b\x00\x00c\x01\x1f\x7f",
    "100,000 identical characters": "a" * 100_000,
    "100,000 spaces": " " * 100_000,
    "astral": "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𓀀𓀁 \U0010fffd",
}


@pytest.fixture(scope="module", params=BYTE_LEVEL_NAMES)
def byte_level_tokenizer(request) -> tokensmith.Tokenizer:
    tokenizer = tokensmith.load(request.param)
    assert tokenizer.byte_level
    return tokenizer


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=unicode_text)
def test_decode_encode_round_trip(byte_level_tokenizer: tokensmith.Tokenizer, text: str) -> None:
    ids = byte_level_tokenizer.encode_ordinary(text)
    assert byte_level_tokenizer.decode(ids) == text
    assert byte_level_tokenizer.decode_bytes(ids) == text.encode("utf-8")


@pytest.mark.parametrize("case", list(TARGETED))
def test_targeted_round_trip(byte_level_tokenizer: tokensmith.Tokenizer, case: str) -> None:
    text = TARGETED[case]
    assert byte_level_tokenizer.decode(byte_level_tokenizer.encode_ordinary(text)) == text


def test_special_token_text_is_refused_by_default(byte_level_tokenizer: tokensmith.Tokenizer) -> None:
    special = min(byte_level_tokenizer.special_tokens)
    with pytest.raises(tokensmith.SpecialTokenError, match="allowed_special"):
        byte_level_tokenizer.encode(f"before {special} after")


def test_special_token_text_as_text_or_as_special(byte_level_tokenizer: tokensmith.Tokenizer) -> None:
    special = min(byte_level_tokenizer.special_tokens)
    as_text = byte_level_tokenizer.encode(special, disallowed_special=())
    assert byte_level_tokenizer.special_tokens[special] not in as_text
    assert byte_level_tokenizer.decode(as_text) == special
    assert byte_level_tokenizer.encode(special, allowed_special="all") == [byte_level_tokenizer.special_tokens[special]]


def test_special_tokens_match_stock_tiktoken(stock_tiktoken) -> None:
    reference = stock_tiktoken("cl100k_base")
    ours = tokensmith.load("cl100k_base")
    text = "x<|endoftext|>y<|fim_prefix|>"
    assert ours.encode(text, allowed_special="all") == reference.encode(text, allowed_special="all")
    assert ours.encode(text, disallowed_special=()) == reference.encode(text, disallowed_special=())
    assert ours.encode(text, allowed_special={"<|endoftext|>"}, disallowed_special=()) == reference.encode(
        text, allowed_special={"<|endoftext|>"}, disallowed_special=()
    )


@pytest.fixture(scope="module")
def converted_cl100k(cl100k_json) -> tokensmith.Tokenizer:
    return tokensmith.load(cl100k_json)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=unicode_text)
def test_converted_tokenizer_json_equals_rank_rule_on_any_text(converted_cl100k: tokensmith.Tokenizer, text: str) -> None:
    # The merge list recovered from ranks must reproduce tiktoken's rule, not just on the sample.
    ids = converted_cl100k.encode_ordinary(text)
    assert ids == tokensmith.load("cl100k_base").encode_ordinary(text)
    assert converted_cl100k.decode(ids) == text
