"""open_corpus reads back exactly the text the test wrote, in every format and compression.

The files are written here with the standard library's gzip/bz2/lzma, zstandard and pyarrow,
so the reference is the text itself, not anything tokensmith produced.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import json
import lzma
from pathlib import Path

import pytest
import zstandard

from tokensmith import Corpus, CorpusError, open_corpus

DOCUMENTS = [
    "Hello world.\nSecond line of the first document.\n",
    "Ünïcödé: 日本語のテキスト, Ελληνικά, العربية, emoji 🙂\n",
    "",
    "tabs\tand  spaces  \r\nand CRLF\r\n",
    "no trailing newline",
]

COMPRESSORS = {
    "": lambda data: data,
    ".gz": gzip.compress,
    ".bz2": bz2.compress,
    ".xz": lzma.compress,
    ".zst": lambda data: zstandard.ZstdCompressor().compress(data),
}


def _write(path: Path, data: bytes) -> Path:
    compress = COMPRESSORS[next((s for s in COMPRESSORS if s and path.name.endswith(s)), "")]
    path.write_bytes(compress(data))
    return path


@pytest.mark.parametrize("compression", list(COMPRESSORS))
def test_plain_text_round_trips(tmp_path: Path, compression: str) -> None:
    text = "".join(DOCUMENTS) * 50
    path = _write(tmp_path / f"corpus.txt{compression}", text.encode("utf-8"))
    corpus = open_corpus(path)
    assert "".join(corpus.iter_documents()) == text
    assert b"".join(corpus.iter_text_blocks(target_bytes=300)).decode("utf-8") == text


@pytest.mark.parametrize("compression", list(COMPRESSORS))
def test_jsonl_yields_one_document_per_record(tmp_path: Path, compression: str) -> None:
    lines = [json.dumps({"id": i, "body": doc}, ensure_ascii=i % 2 == 0) for i, doc in enumerate(DOCUMENTS)]
    path = _write(tmp_path / f"records.jsonl{compression}", ("\n".join(lines) + "\n").encode("utf-8"))
    corpus = open_corpus(path, text_field="body")
    assert list(corpus.iter_documents()) == DOCUMENTS
    # Each non-empty record is its own block: documents are never joined.
    assert list(corpus.iter_text_blocks()) == [doc.encode("utf-8") for doc in DOCUMENTS if doc]


@pytest.mark.parametrize("compression", list(COMPRESSORS))
def test_parquet_yields_one_document_per_row(tmp_path: Path, compression: str) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    plain = tmp_path / "table.parquet"
    pq.write_table(pa.table({"n": list(range(len(DOCUMENTS))), "content": DOCUMENTS}), plain, row_group_size=2)
    path = _write(tmp_path / f"rows.parquet{compression}", plain.read_bytes()) if compression else plain
    corpus = open_corpus(path, text_field="content")
    assert list(corpus.iter_documents()) == DOCUMENTS


def test_streamed_zstd_frames_without_sizes(tmp_path: Path) -> None:
    # A streaming writer leaves the content size out of the frame header; two frames back to back.
    path = tmp_path / "frames.txt.zst"
    parts = ["first frame " * 5000, "second frame\n" * 3000]
    with path.open("wb") as handle:
        for part in parts:
            with zstandard.ZstdCompressor().stream_writer(handle, closefd=False) as writer:
                writer.write(part.encode("utf-8"))
    assert "".join(open_corpus(path).iter_documents()) == "".join(parts)


def test_long_record_is_split_but_reassembles(tmp_path: Path) -> None:
    doc = "word " * 10_000
    path = tmp_path / "long.jsonl"
    path.write_text(json.dumps({"text": doc}) + "\n", encoding="utf-8")
    blocks = list(open_corpus(path).iter_text_blocks(target_bytes=1000))
    assert len(blocks) > 40
    assert all(len(block) <= 1000 for block in blocks)
    assert b"".join(blocks).decode("utf-8") == doc


def test_bom_at_file_start_is_dropped_elsewhere_kept(tmp_path: Path) -> None:
    text = "first\ufeffmiddle\n"
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert "".join(open_corpus(path).iter_documents()) == text
    jsonl = tmp_path / "bom.jsonl"
    jsonl.write_bytes(b"\xef\xbb\xbf" + json.dumps({"text": text}).encode("utf-8"))
    assert list(open_corpus(jsonl).iter_documents()) == [text]


def test_folder_is_sorted_recursive_and_skips_unsupported(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("two", encoding="utf-8")
    (tmp_path / "a.txt.gz").write_bytes(gzip.compress(b"one"))
    (tmp_path / "c.jsonl").write_text('{"text": "three"}\n', encoding="utf-8")
    (tmp_path / "README.md").write_text("not data", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("not data", encoding="utf-8")
    corpus = open_corpus(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in corpus.files] == ["a.txt.gz", "b/2.txt", "c.jsonl"]
    assert list(corpus.iter_documents()) == ["one", "two", "three"]


def test_glob_and_sequence_sources(tmp_path: Path) -> None:
    for name in ["x1.txt", "x2.txt", "y.txt"]:
        (tmp_path / name).write_text(name, encoding="utf-8")
    by_glob = open_corpus(str(tmp_path / "x*.txt"))
    assert [p.name for p in by_glob.files] == ["x1.txt", "x2.txt"]
    by_list = open_corpus([tmp_path / "y.txt", str(tmp_path / "x*.txt")])
    assert list(by_list.iter_documents()) == ["y.txt", "x1.txt", "x2.txt"]


def test_explicit_file_with_unknown_suffix_is_plain_text(tmp_path: Path) -> None:
    path = tmp_path / "notes.raw"
    path.write_text("raw text", encoding="utf-8")
    assert list(open_corpus(path).iter_documents()) == ["raw text"]


def test_fingerprint_matches_hashlib_and_sizes(tmp_path: Path) -> None:
    first = _write(tmp_path / "a.txt", b"alpha\n")
    second = _write(tmp_path / "b.jsonl.gz", b'{"text": "beta"}\n')
    corpus = open_corpus([first, second])
    record = corpus.fingerprint()
    json.dumps(record)  # must be serialisable for training records
    expected = [(str(p), p.stat().st_size, hashlib.sha256(p.read_bytes()).hexdigest()) for p in (first, second)]
    assert [(f["path"], f["size_bytes"], f["sha256"]) for f in record["files"]] == expected
    assert corpus.total_bytes_hint == sum(size for _, size, _ in expected)
    assert "2 files" in corpus.describe()


def test_fingerprint_of_perf_corpus_matches_its_published_sha256(shared_data: Path) -> None:
    # shared/README.md publishes the prefix of this file's SHA-256.
    (record,) = open_corpus(shared_data / "perf-corpus" / "corpus_100MB.txt").fingerprint()["files"]
    assert record["sha256"].startswith("7cf2d0af99cf")
    assert record["size_bytes"] == 99_999_995


def test_corpus_is_immutable_and_reiterable(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.txt", b"same text twice")
    corpus = open_corpus(path)
    assert isinstance(corpus, Corpus)
    with pytest.raises(AttributeError):
        corpus.errors = "replace"  # type: ignore[misc]
    assert list(corpus.iter_documents()) == list(corpus.iter_documents())


def test_errors_option_is_checked(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.txt", b"text")
    with pytest.raises(CorpusError, match="errors must be"):
        open_corpus(path, errors="ignore")
