"""save_training_output: stock libraries load the folder and agree with the trained tokenizer."""

from __future__ import annotations

import ast
import json
from collections.abc import Callable
from pathlib import Path

import pytest

import tokensmith
from tokensmith import ConversionError, OutputExistsError
from tokensmith.train import BpeTrainingOptions, save_training_output, train_bpe
from tokensmith.train import output as output_module


@pytest.fixture
def trained(genesis: Callable[[str, int], str], corpus_file: Callable[[str], Path]):
    options = BpeTrainingOptions(vocab_size=700, protected_terms=("Abimelech",), pad_to_multiple_of=16)
    return train_bpe(corpus_file(genesis("english-kjv", 120_000)), options)


def test_saved_folder_loads_in_stock_libraries_with_identical_ids(trained, genesis: Callable[[str, int], str], tmp_path: Path) -> None:
    import tiktoken
    import tiktoken.load
    import tokenizers
    import transformers

    folder = save_training_output(trained, tmp_path / "out")
    assert sorted(path.name for path in folder.iterdir()) == [
        "tokenizer.json", "tokenizer.tiktoken", "tokenizer.tiktoken.json", "training.json", "vocab.txt"
    ]
    text = genesis("english-web", 30_000) + "Numbers 1234567 and ünïcödé 🙂\n"
    expected = trained.tokenizer.encode_ordinary(text)
    assert tokenizers.Tokenizer.from_file(str(folder / "tokenizer.json")).encode(text, add_special_tokens=False).ids == expected
    # Oniguruma must cut digit runs in threes as the other engines do (the cl100k rule).
    stock = tokenizers.Tokenizer.from_file(str(folder / "tokenizer.json"))
    assert [piece for piece, _ in stock.pre_tokenizer.pre_tokenize_str("1234567")] == ["123", "456", "7"]
    fast = transformers.PreTrainedTokenizerFast(tokenizer_file=str(folder / "tokenizer.json"))
    assert fast.encode(text, add_special_tokens=False) == expected
    sidecar = json.loads((folder / "tokenizer.tiktoken.json").read_text())
    encoding = tiktoken.Encoding(
        name="check", pat_str=sidecar["pattern"], mergeable_ranks=tiktoken.load.load_tiktoken_bpe(str(folder / "tokenizer.tiktoken")),
        special_tokens=sidecar["special_tokens"],
    )
    assert encoding.encode_ordinary(text) == expected
    assert encoding.encode("<|endoftext|>", allowed_special="all") == [trained.tokenizer.special_tokens["<|endoftext|>"]]
    assert tokensmith.load(folder / "tokenizer.json").encode_ordinary(text) == expected


def test_vocabulary_listing_and_training_record(trained, tmp_path: Path) -> None:
    folder = save_training_output(trained, tmp_path / "out")
    tokenizer = trained.tokenizer
    lines = (folder / "vocab.txt").read_text(encoding="utf-8").splitlines()[1:]
    assert len(lines) == tokenizer.n_vocab == 704
    for line in lines:
        token_id, literal, made_by = line.split("\t")
        data = ast.literal_eval(literal)
        assert data == tokenizer.token_bytes(int(token_id))
        if " + " in made_by:
            left, right = (tokenizer.token_bytes(int(part)) for part in made_by.split(" + "))
            assert left + right == data
    record = json.loads((folder / "training.json").read_text(encoding="utf-8"))
    assert BpeTrainingOptions(**record["options"]) == trained.options
    assert record["vocab_size"] == 704 and record["pattern"] == tokenizer.pattern
    assert record["corpus"]["fingerprint"] == dict(trained.corpus_fingerprint) and record["tool"]["version"] == tokensmith.__version__


def test_existing_folder_is_refused_unless_overwrite(trained, tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    with pytest.raises(OutputExistsError):
        save_training_output(trained, target)
    assert [path.name for path in target.iterdir()] == ["keep.txt"]
    save_training_output(trained, target, overwrite=True)
    assert (target / "tokenizer.json").exists() and not (target / "keep.txt").exists()


def test_failed_verification_leaves_nothing(trained, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def disagree(*args: object) -> None:
        raise ConversionError("simulated disagreement")

    monkeypatch.setattr(output_module, "_verify", disagree)
    parent = tmp_path / "outputs"
    parent.mkdir()
    with pytest.raises(ConversionError):
        save_training_output(trained, parent / "out")
    assert list(parent.iterdir()) == []


def test_saved_files_are_identical_for_one_and_two_threads(genesis: Callable[[str, int], str], corpus_file: Callable[[str], Path], tmp_path: Path) -> None:
    path = corpus_file(genesis("portuguese", 100_000))
    folders = [
        save_training_output(train_bpe(path, BpeTrainingOptions(vocab_size=800, threads=threads)), tmp_path / f"t{threads}")
        for threads in (1, 2)
    ]
    for name in ("tokenizer.json", "tokenizer.tiktoken", "tokenizer.tiktoken.json", "vocab.txt"):
        assert (folders[0] / name).read_bytes() == (folders[1] / name).read_bytes(), name
