"""``tokensmith bytes complete`` and ``tokensmith bytes bpb`` on a tiny model saved to disk."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tokensmith.bytes import ByteLM, TokenHealingLM
from tokensmith.cli import main
from tokensmith.models import load_causal_lm, token_bits_per_byte

pytest.importorskip("torch")


@pytest.fixture(scope="module")
def model_folder(tmp_path_factory, tiny_tokenizer, tiny_model):
    folder = tmp_path_factory.mktemp("tiny-byte-model")
    tiny_model.save_pretrained(folder)
    (folder / "tokenizer.json").write_text(tiny_tokenizer.backend.document, encoding="utf-8")
    return folder


def run(capsys, *args):
    code = main(["bytes", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_complete_prints_the_greedy_byte_continuation(capsys, model_folder):
    code, out, err = run(capsys, "complete", "--model", model_folder, "--max-bytes", 5, "--json", "the c")
    assert code == 0, err
    result = json.loads(out)
    lm = load_causal_lm(model_folder)
    expected = ByteLM(lm.model, lm.tokenizer).generate(b"the c", 5, greedy=True)
    assert bytes(result["completion_bytes"]) == expected


def test_complete_with_token_healing_and_an_ensemble(capsys, model_folder):
    code, out, err = run(capsys, "complete", "--model", model_folder, "--method", "healing", "--max-bytes", 3, "--json", "the c")
    assert code == 0, err
    lm = load_causal_lm(model_folder)
    assert bytes(json.loads(out)["completion_bytes"]) == TokenHealingLM(lm.model, lm.tokenizer).generate(b"the c", 3, greedy=True)
    code, out, err = run(capsys, "complete", "--model", model_folder, "--ensemble", model_folder, "--weight", 1, "--weight", 2, "--max-bytes", 2, "--json", "the")
    assert code == 0, err
    assert bytes(json.loads(out)["completion_bytes"]) == ByteLM(lm.model, lm.tokenizer).generate(b"the", 2, greedy=True)


def test_plain_output_is_the_raw_completion_bytes(capsysbinary, model_folder):
    lm = load_causal_lm(model_folder)
    code = main(["bytes", "complete", "--model", str(model_folder), "--max-bytes", "4", "at t"])
    assert code == 0
    assert capsysbinary.readouterr().out == ByteLM(lm.model, lm.tokenizer).generate(b"at t", 4, greedy=True) + b"\n"


def test_bpb_reports_token_and_exact_byte_level_figures(capsys, model_folder, tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("the cat sat on the mat. a rat ate the hat!", encoding="utf-8")
    code, out, err = run(capsys, "bpb", "--model", model_folder, "--corpus", corpus, "--max-bytes", 12, "--json")
    assert code == 0, err
    result = json.loads(out)
    lm = load_causal_lm(model_folder)
    assert result["bytes"] == 12
    assert result["token_bits_per_byte"] == pytest.approx(token_bits_per_byte(lm, "the cat sat ").bits_per_byte)
    assert result["byte_bits_per_byte"] <= result["token_bits_per_byte"]
    assert np.isfinite(result["byte_bits_per_byte"])


def test_bad_inputs_are_one_line_errors(capsys, model_folder, tmp_path):
    code, _, err = run(capsys, "bpb", "--model", model_folder, "--corpus", tmp_path / "missing.txt")
    assert code == 1 and err.startswith("error: ") and "missing.txt" in err and err.count("\n") == 1
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("caf\xe9 au lait".encode("latin-1"))
    code, _, err = run(capsys, "bpb", "--model", model_folder, "--corpus", latin1)
    assert code == 1 and "byte 3 is not valid UTF-8" in err
    code, _, err = run(capsys, "complete", "--model", tmp_path / "nowhere", "hi")
    assert code == 1 and "nowhere" in err
    code, _, err = run(capsys, "complete", "--model", model_folder, "--ensemble", model_folder, "--weight", 1, "hi")
    assert code == 1 and "--weight" in err
