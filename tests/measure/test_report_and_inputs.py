"""Report outputs (JSON, CSV, HTML) and bad inputs: clear errors or clearly marked gaps."""

from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest

from tokensmith import BackendSpec, CorpusError, OutputExistsError, Tokenizer
from tokensmith.measure import EvaluationOptions, evaluate, read_corpora

CORPORA = {"eng": ["The cat sat on the mat.", "It was happy."], "deu": ["Die Katze saß auf der Matte.", "Sie war glücklich."]}


@pytest.fixture(scope="module")
def small_report(builtin):
    return evaluate([builtin("gpt2"), builtin("o200k_base")], CORPORA)


def test_json_is_versioned_and_carries_configuration_and_hashes(small_report, builtin):
    document = json.loads(small_report.to_json())
    assert document["schema_version"] == 1
    assert document["configuration"]["pivot"] == "eng" and document["configuration"]["renyi_alpha"] == 2.5
    assert document["configuration"]["line_aligned"] is True
    digest = hashlib.sha256("".join(line + "\n" for line in CORPORA["deu"]).encode()).hexdigest()
    assert {corpus["name"]: corpus["sha256"] for corpus in document["corpora"]}["deu"] == digest
    again = evaluate([builtin("gpt2")], {"x": ["y"]})
    assert again.tokenizers[0].sha256 == small_report.tokenizers[0].sha256 != small_report.tokenizers[1].sha256
    assert len(document["results"]) == 4
    assert all(entry["definition"] and entry["source"] for entry in document["metrics"].values())
    row = next(r for r in document["results"] if r["tokenizer"] == "gpt2" and r["corpus"] == "deu")
    assert row["word_segmentation"] == "whitespace" and row["counts"]["words"] == 9


def test_csv_has_one_row_per_value(small_report):
    rows = list(csv.DictReader(io.StringIO(small_report.to_csv())))
    assert len(rows) == 4 * len(small_report.values[("gpt2", "eng")]) + len(small_report.gaps) + len(small_report.flags)
    premium = next(r for r in rows if (r["tokenizer"], r["corpus"], r["metric"]) == ("gpt2", "deu", "token_premium"))
    assert float(premium["value"]) == small_report.value("gpt2", "deu", "token_premium")


def test_html_is_self_contained(small_report, tmp_path):
    import re

    html = small_report.to_html()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<script src" not in html and "<link" not in html
    for expected in ("token premium heatmap", "Token viewer", "vocabulary by script", "Die Katze"):
        assert expected.lower() in html.lower()
    path = small_report.save(tmp_path / "report.html")
    assert path.read_text(encoding="utf-8") == html
    with pytest.raises(OutputExistsError):
        small_report.save(tmp_path / "report.html")


def test_mixed_encodings_in_a_folder_are_an_error_naming_the_file(tmp_path):
    (tmp_path / "eng.txt").write_text("plain text\n", encoding="utf-8")
    (tmp_path / "fra.txt").write_bytes("premi\u00e8re ligne\ndeuxi\u00e8me\n".encode("latin-1"))
    with pytest.raises(CorpusError, match=r"fra\.txt: invalid UTF-8 at byte offset 5 .*convert the file to UTF-8"):
        read_corpora(tmp_path)


def test_empty_file_is_a_marked_gap(builtin, tmp_path):
    (tmp_path / "eng.txt").write_text("Hello there.\n", encoding="utf-8")
    (tmp_path / "deu.txt").write_text("Hallo zusammen.\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    report = evaluate([builtin("gpt2")], tmp_path)
    assert [(gap.corpus, gap.reason.endswith("corpus is empty")) for gap in report.gaps if gap.corpus] == [("empty", True)]
    assert report.value("gpt2", "empty", "token_count") is None
    assert "gap" in report.to_html()


def test_missing_pivot_is_an_error_listing_the_choices(builtin):
    with pytest.raises(CorpusError, match=r"pivot language 'fin' is not among the corpora; choose one of: eng, deu"):
        evaluate([builtin("gpt2")], CORPORA, EvaluationOptions(pivot="fin"))


def test_a_tokenizer_that_fails_leaves_marked_gaps_not_numbers(builtin):
    broken = Tokenizer(name="broken-spm", family="sentencepiece", byte_level=False, token_bytes_by_id={0: b"<unk>"},
                       special_tokens={}, backend=BackendSpec("sentencepiece", b"not a model"))
    report = evaluate([builtin("gpt2"), broken], CORPORA)
    assert {(gap.tokenizer, gap.corpus) for gap in report.gaps} == {("broken-spm", "eng"), ("broken-spm", "deu")}
    assert report.value("broken-spm", "deu", "token_premium") is None
    assert report.value("gpt2", "deu", "token_premium") is not None
    from rich.console import Console

    console = Console(file=io.StringIO(), width=200)
    console.print(report.table())
    assert "gap" in console.file.getvalue()


def test_unaligned_corpora_give_no_per_sentence_premium(builtin):
    report = evaluate([builtin("gpt2")], {"eng": ["a b", "c"], "deu": ["d e f"]})
    assert report.value("gpt2", "deu", "token_premium") is not None
    assert report.value("gpt2", "deu", "token_premium_per_sentence") is None
    assert any(gap.metric == "token_premium_per_sentence" for gap in report.gaps)


def test_ntrex_folder_names(shared_data):
    corpora = {corpus.name: corpus for corpus in read_corpora(shared_data / "ntrex-128" / "NTREX-128")}
    assert len(corpora) == 129 and {"spa", "spa@ref-2", "eng-US", "eng@src"} <= set(corpora)
    assert corpora["spa"].origin.endswith("newstest2019-ref.spa.txt")
    assert {len(corpus.documents) for corpus in corpora.values()} == {1997}
