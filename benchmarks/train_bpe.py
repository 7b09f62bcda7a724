"""Benchmark: byte-level BPE training time and peak memory, tokensmith vs rustbpe and HF tokenizers.

Each trainer runs on prefixes of the shared perf corpus (N MB = N * 10**6 bytes, cut at the last
newline before the limit) with the GPT-4 (cl100k) split pattern, vocabulary 32,768 (256 bytes
included, no special tokens) and 2 threads. Every run is a fresh subprocess, so its peak RSS
(``os.wait4``'s ``ru_maxrss``) is its own; time is measured inside the child around training only
(reading the corpus included, since streaming is part of training). The peers are fed the
corpus's own text blocks (1 MiB, cut where pre-tokens cannot straddle), so they see exactly the
text we count.

    python benchmarks/train_bpe.py --sizes 10,50,100 --repeat 1 [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
PERF_CORPUS = Path(os.environ.get("TOKENSMITH_SHARED", PROJECT.parent / "shared")) / "data/perf-corpus/corpus_100MB.txt"
VOCAB_SIZE = 32_768
THREADS = 2
TRAINERS = ("tokensmith", "rustbpe", "hf_tokenizers")


def prefix_file(megabytes: int, folder: Path) -> Path:
    """The corpus cut at the last newline before ``megabytes * 10**6`` bytes (written once)."""
    path = folder / f"perf_{megabytes}MB.txt"
    if not path.exists():
        with open(PERF_CORPUS, "rb") as handle:
            data = handle.read(megabytes * 10**6)
        path.write_bytes(data[: data.rfind(b"\n") + 1])
    return path


def _blocks(path: Path):
    from tokensmith.corpora import open_corpus

    for block in open_corpus(path).iter_text_blocks(2**20):
        yield block.decode("utf-8")


def _train(trainer: str, path: Path) -> float:
    """Train once in this process; return seconds."""
    from tokensmith._patterns import PATTERNS
    from tokensmith.formats.hf_json import oniguruma_pattern

    started = time.perf_counter()
    if trainer == "tokensmith":
        from tokensmith.train import BpeTrainingOptions, train_bpe

        result = train_bpe(path, BpeTrainingOptions(vocab_size=VOCAB_SIZE, pattern="cl100k", special_tokens=(), threads=THREADS))
        assert result.vocab_size == VOCAB_SIZE, result.vocab_size
    elif trainer == "rustbpe":
        import rustbpe

        tokenizer = rustbpe.Tokenizer()
        tokenizer.train_from_iterator(_blocks(path), VOCAB_SIZE, pattern=PATTERNS["cl100k"])
    else:
        from tokenizers import Regex, Tokenizer, models, pre_tokenizers, trainers

        tokenizer = Tokenizer(models.BPE())
        tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
            [
                pre_tokenizers.Split(Regex(oniguruma_pattern(PATTERNS["cl100k"])), behavior="isolated"),
                pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
            ]
        )
        trainer_object = trainers.BpeTrainer(
            vocab_size=VOCAB_SIZE, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False
        )
        tokenizer.train_from_iterator(_blocks(path), trainer=trainer_object)
    return time.perf_counter() - started


def run_child(trainer: str, path: Path) -> tuple[float, float]:
    """Run one training in a fresh interpreter; return (seconds, peak RSS in MiB)."""
    env = dict(os.environ, RAYON_NUM_THREADS=str(THREADS), TOKENIZERS_PARALLELISM="true")
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", trainer, str(path)], stdout=subprocess.PIPE, env=env
    )
    output = process.stdout.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise SystemExit(f"{trainer} on {path.name} failed (status {status})")
    return float(json.loads(output)["seconds"]), usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,50,100", help="Corpus prefixes in MB (10**6 bytes), comma-separated.")
    parser.add_argument("--repeat", type=int, default=1, help="Runs per trainer and size; the median time and max RSS are shown.")
    parser.add_argument("--trainers", default=",".join(TRAINERS), help="Subset of: " + ", ".join(TRAINERS))
    parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps({"seconds": _train(args.child[0], Path(args.child[1]))}))
        return
    trainers = args.trainers.split(",")
    rows = []
    with tempfile.TemporaryDirectory(prefix="tokensmith-bench-") as folder:
        for size in [int(value) for value in args.sizes.split(",")]:
            path = prefix_file(size, Path(folder))
            row: dict[str, object] = {"megabytes": size, "bytes": path.stat().st_size, "vocab_size": VOCAB_SIZE, "threads": THREADS}
            runs: dict[str, list[tuple[float, float]]] = {trainer: [] for trainer in trainers}
            for _ in range(args.repeat):
                for trainer in trainers:  # interleaved, so load drift hits every trainer alike
                    runs[trainer].append(run_child(trainer, path))
            for trainer in trainers:
                row[f"{trainer}_seconds"] = round(statistics.median(seconds for seconds, _ in runs[trainer]), 2)
                row[f"{trainer}_peak_rss_mib"] = round(max(rss for _, rss in runs[trainer]), 1)
            for peer in ("rustbpe", "hf_tokenizers"):
                if peer in trainers and "tokensmith" in trainers:
                    row[f"time_ratio_vs_{peer}"] = round(row["tokensmith_seconds"] / row[f"{peer}_seconds"], 3)  # type: ignore[operator]
                    row[f"rss_ratio_vs_{peer}"] = round(row["tokensmith_peak_rss_mib"] / row[f"{peer}_peak_rss_mib"], 3)  # type: ignore[operator]
            rows.append(row)
            if not args.json:
                print(_format_row(row, trainers), flush=True)
    if args.json:
        print(json.dumps(rows, indent=2))


def _format_row(row: dict[str, object], trainers: list[str]) -> str:
    parts = [f"{row['megabytes']:>4} MB"]
    for trainer in trainers:
        parts.append(f"{trainer} {row[f'{trainer}_seconds']:>6.2f} s {row[f'{trainer}_peak_rss_mib']:>7.1f} MiB")
    for peer in ("rustbpe", "hf_tokenizers"):
        if f"time_ratio_vs_{peer}" in row:
            parts.append(f"ours/{peer}: time {row[f'time_ratio_vs_{peer}']:.2f} rss {row[f'rss_ratio_vs_{peer}']:.2f}")
    return " | ".join(parts)


if __name__ == "__main__":
    main()
