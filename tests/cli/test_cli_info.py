"""``tokensmith info``: facts agree with stock tiktoken's encodings and with the loaded object."""

from __future__ import annotations

import json

import pytest

import tokensmith


@pytest.mark.parametrize("name", ["gpt2", "cl100k_base", "o200k_base"])
def test_json_facts_match_stock_tiktoken(name, run_cli, stock_tiktoken) -> None:
    reference = stock_tiktoken(name)
    result = run_cli("info", name, "--json")
    assert result.exit_code == 0, result.stderr
    facts = json.loads(result.stdout)
    assert facts["n_vocab"] == reference.n_vocab
    assert facts["special_tokens"] == reference._special_tokens
    assert facts["pattern"] == reference._pat_str
    assert facts["family"] == "bpe"
    assert facts["byte_level"] is True
    assert facts["normalizer"] is None


def test_json_facts_match_the_loaded_tokenizer(run_cli) -> None:
    tokenizer = tokensmith.load("gpt2")
    facts = json.loads(run_cli("info", "gpt2", "--json").stdout)
    assert facts["backend"] == tokenizer.backend.kind
    assert facts["merge_semantics"] == tokenizer.merge_semantics
    assert facts["merges"] == (len(tokenizer.merges) if tokenizer.merges is not None else None)
    assert facts["source"] == tokenizer.source


def test_text_output_lists_the_facts(run_cli) -> None:
    result = run_cli("info", "cl100k_base")
    assert result.exit_code == 0, result.stderr
    rows = dict(line.split(None, 1) for line in result.stdout.splitlines() if line and not line[0].isspace())
    assert rows["family"] == "bpe"
    assert rows["n_vocab"].startswith("100,277 ")
    assert rows["byte_level"] == "yes"
    assert rows["specials"] == "5"
    assert "100276  <|endofprompt|>" in result.stdout


def test_info_of_a_file_names_it_as_source(run_cli, gpt2_conversions) -> None:
    path = gpt2_conversions["json"]
    facts = json.loads(run_cli("info", str(path), "--json").stdout)
    assert facts["n_vocab"] == 50257
    assert facts["backend"] == "huggingface"
    assert str(path) in (facts["source"] or "")


def test_missing_tokenizer_argument_is_a_usage_error(run_cli) -> None:
    result = run_cli("info")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: Missing argument 'TOKENIZER'")
