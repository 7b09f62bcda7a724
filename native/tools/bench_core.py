"""Time and peak memory of the native core against rustbpe, on perf-corpus prefixes.

Each trainer runs in its own subprocess (peak RSS is per process), on the same text cut into
the same ~1 MB blocks at line ends, with the GPT-4 (cl100k) split and the same vocabulary size.
Run both in one invocation: the machine is shared, so only ratios from one run mean anything.

    python native/tools/bench_core.py --megabytes 10 --vocab 32768 --threads 2 [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "data" / "perf-corpus" / "corpus_100MB.txt"


def load_blocks(megabytes: float, block_bytes: int = 1 << 20) -> list[bytes]:
    """The corpus prefix (cut at the last line end) as blocks of about block_bytes, whole lines."""
    limit = int(megabytes * 10**6)
    blocks: list[bytes] = []
    loaded = 0
    with CORPUS.open("rb") as handle:
        while loaded < limit:
            block = handle.read(min(block_bytes, limit - loaded))
            if not block:
                break
            loaded += len(block)
            block += handle.readline() if loaded < limit else b""
            blocks.append(block)
    last = blocks[-1]
    blocks[-1] = last[: last.rindex(b"\n") + 1]
    return blocks


def run_native(blocks: list[bytes], vocab: int, threads: int) -> dict:
    import numpy as np

    from tokensmith import _native

    started = time.perf_counter()
    counter = _native.PretokenCounter("cl100k", threads=threads)
    counter.add_blocks(blocks)
    joined, lengths, counts = counter.flat_items()
    counted = time.perf_counter()
    units = np.frombuffer(joined, dtype=np.uint8).astype(np.int32)
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    merges = _native.train_merges(units, offsets, counts, np.ones(256, dtype=np.int32), vocab - 256, threads=threads)
    done = time.perf_counter()
    return {"seconds": done - started, "count_seconds": counted - started, "merges": len(merges),
            "distinct": int(len(lengths))}


def run_rustbpe(texts: list[str], vocab: int, threads: int) -> dict:
    import rustbpe

    started = time.perf_counter()
    tokenizer = rustbpe.Tokenizer()
    tokenizer.train_from_iterator(iter(texts), vocab)
    return {"seconds": time.perf_counter() - started, "merges": vocab - 256}


def child(which: str, megabytes: float, vocab: int, threads: int) -> None:
    # Import first, so that "text loaded" covers the interpreter, the libraries and the text.
    if which == "native":
        import numpy  # noqa: F401

        import tokensmith._native  # noqa: F401
    else:
        import rustbpe  # noqa: F401
    blocks = load_blocks(megabytes)
    if which == "rustbpe":
        blocks = [block.decode("utf-8") for block in blocks]
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = (run_native if which == "native" else run_rustbpe)(blocks, vocab, threads)
    result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["rss_before_training_mib"] = baseline / 1024
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=10)
    parser.add_argument("--vocab", type=int, default=32768)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", choices=["native", "rustbpe"])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", choices=["native", "rustbpe"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.megabytes, args.vocab, args.threads)
        return
    env = dict(os.environ, RAYON_NUM_THREADS=str(args.threads))
    results = {}
    for which in [args.only] if args.only else ["rustbpe", "native"]:
        command = [sys.executable, __file__, "--child", which, "--megabytes", str(args.megabytes),
                   "--vocab", str(args.vocab), "--threads", str(args.threads)]
        output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
        results[which] = json.loads(output.strip().splitlines()[-1])
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{args.megabytes} MB, vocab {args.vocab}, {args.threads} threads")
    for which, r in results.items():
        print(f"{which:8s} {r['seconds']:7.2f} s  peak RSS {r['peak_rss_mib']:7.1f} MiB "
              f"(text loaded: {r['rss_before_training_mib']:.1f} MiB)")
    if len(results) == 2:
        print(f"native / rustbpe: time {results['native']['seconds'] / results['rustbpe']['seconds']:.2f}, "
              f"peak RSS {results['native']['peak_rss_mib'] / results['rustbpe']['peak_rss_mib']:.2f}")
        print(f"native counting: {results['native']['count_seconds']:.2f} s, {results['native']['distinct']} distinct")


if __name__ == "__main__":
    main()
