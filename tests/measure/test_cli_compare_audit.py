"""``tokensmith compare`` and ``tokensmith audit`` in-process."""

from __future__ import annotations

import json

from tokensmith.cli import main


def test_compare_with_no_arguments_prints_table_and_writes_report(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["compare"]) == 0
    captured = capsys.readouterr()
    for expected in ("gpt2", "cl100k_base", "o200k_base", "cmn*", "amh", "tha"):
        assert expected in captured.out
    assert "report: tokensmith-report.html" in captured.err
    html = (tmp_path / "tokensmith-report.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "UDHR" in captured.err
    assert main(["compare"]) == 0  # the default report is rewritten, not refused


def test_compare_json_csv_and_explicit_report(tmp_path, capsys):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "eng.txt").write_text("The cat sat.\nA dog ran.\n", encoding="utf-8")
    (folder / "tur.txt").write_text("Kedi oturdu.\nBir köpek koştu.\n", encoding="utf-8")
    report = tmp_path / "out.html"
    assert main(["compare", "gpt2", "--corpus", str(folder), "--baseline", "cl100k_base", "--json",
                 "--report", str(report), "--csv", str(tmp_path / "out.csv")]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [t["name"] for t in document["tokenizers"]] == ["gpt2", "cl100k_base"]
    assert document["configuration"]["baseline"] == "cl100k_base" and document["configuration"]["pivot"] == "eng"
    assert report.exists() and (tmp_path / "out.csv").read_text().startswith("tokenizer,corpus,metric")
    assert main(["compare", "gpt2", "--corpus", str(folder), "--report", str(report)]) == 1
    assert "already exists" in capsys.readouterr().err


def test_compare_bad_pivot_is_one_error_line(tmp_path, capsys):
    (tmp_path / "eng.txt").write_text("x\n", encoding="utf-8")
    assert main(["compare", "gpt2", "--corpus", str(tmp_path), "--pivot", "xx", "--no-report"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["error: pivot language 'xx' is not among the corpora; choose one of: eng"]


def test_audit_json(capsys, ascii_bpe, tmp_path):
    assert main(["audit", "cl100k_base", "--json", "--no-reachability"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["digit_scheme"] == "left-to-right groups of 3"
    assert sum(sum(counts.values()) for counts in document["composition"].values()) == 100256 + 5
    assert main(["audit", "gpt2"]) == 0
    out = capsys.readouterr().out
    assert "unreachable id 124" in out and "merges that can never fire" in out
