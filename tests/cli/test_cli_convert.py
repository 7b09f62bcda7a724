"""``tokensmith convert``: converted files give identical ids (checked by peer libraries) and
outputs are never overwritten by accident."""

from __future__ import annotations

import json

import pytest

import tokensmith


def _ids(output: str) -> list[int]:
    return [int(token) for token in output.split()]


def test_gpt2_tokenizer_json_gives_stock_ids_in_the_tokenizers_library(gpt2_conversions, stock_tiktoken, sample_texts) -> None:
    import tokenizers

    peer = tokenizers.Tokenizer.from_file(str(gpt2_conversions["json"]))
    reference = stock_tiktoken("gpt2")
    for text in sample_texts:
        assert peer.encode(text, add_special_tokens=False).ids == reference.encode(text), text[:40]


@pytest.mark.parametrize("kind", ["json", "tiktoken", "json-then-tiktoken", "tiktoken-then-json"])
def test_every_conversion_keeps_ids(kind, gpt2_conversions, stock_tiktoken, sample_texts) -> None:
    # Loaded once through the library; the CLI path for a file is checked on one text below.
    converted = tokensmith.load(gpt2_conversions[kind])
    reference = stock_tiktoken("gpt2")
    assert converted.encode_batch(sample_texts) == reference.encode_batch(sample_texts)


def test_encode_accepts_a_converted_file(gpt2_conversions, run_cli, stock_tiktoken, sample_texts) -> None:
    text = sample_texts[-1]
    for kind in ("json", "tiktoken"):
        result = run_cli("encode", "-t", str(gpt2_conversions[kind]), text)
        assert result.exit_code == 0, result.stderr
        assert _ids(result.stdout) == stock_tiktoken("gpt2").encode(text)


def test_explicit_format_overrides_the_name(run_cli, tmp_path) -> None:
    path = tmp_path / "vocab.bin"
    result = run_cli("convert", "gpt2", str(path), "--format", "tiktoken", "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["verified"] is True and report["n_vocab"] == 50257
    assert path.read_bytes().split(b"\n", 1)[0].split()[1] == b"0"  # base64 token, rank 0


def test_existing_dest_is_refused_without_force(run_cli, tmp_path) -> None:
    dest = tmp_path / "tokenizer.json"
    dest.write_text("precious", encoding="utf-8")
    result = run_cli("convert", "gpt2", str(dest))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {dest}: output already exists")
    assert result.stderr.count("\n") == 1
    assert dest.read_text(encoding="utf-8") == "precious"
    forced = run_cli("convert", "gpt2", str(dest), "--force")
    assert forced.exit_code == 0, forced.stderr
    assert json.loads(dest.read_text(encoding="utf-8"))["model"]["type"] == "BPE"


def test_dest_equal_to_source_is_refused_even_with_force(run_cli, gpt2_conversions) -> None:
    path = gpt2_conversions["json"]
    before = path.read_bytes()
    result = run_cli("convert", str(path), str(path), "--force")
    assert result.exit_code == 1 and "DEST is SOURCE" in result.stderr
    assert path.read_bytes() == before


def test_missing_source_leaves_nothing_behind(run_cli, tmp_path) -> None:
    dest = tmp_path / "out" / "tokenizer.json"
    result = run_cli("convert", str(tmp_path / "absent.json"), str(dest))
    assert result.exit_code == 1 and result.stderr.startswith("error: ")
    assert not dest.exists()


def test_unknown_format_is_a_usage_error(run_cli, tmp_path) -> None:
    result = run_cli("convert", "gpt2", str(tmp_path / "x"), "--format", "onnx")
    assert result.exit_code == 2
    assert "'onnx' is not one of" in result.stderr
