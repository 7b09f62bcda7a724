"""``tokensmith bytes``: byte-level completion and bits per byte with a local causal LM."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from .._errors import CorpusError, TokensmithError, TokensmithFileNotFoundError
from ..bytes._interface import SamplingOptions
from ._options import json_option, print_json

_DEFAULTS = SamplingOptions()
_METHODS = ("exact", "healing", "naive")


@click.group(name="bytes")
def command() -> None:
    """Exact next-byte probabilities from a token-level language model (Phan et al., 2024)."""


def _model_option(function):  # type: ignore[no-untyped-def]
    return click.option(
        "--model",
        "model_path",
        required=True,
        type=click.Path(path_type=Path),
        help="A Hugging Face model folder, a .gguf file, or a folder holding one.",
    )(function)


def _byte_model(model_path: Path, method: str, non_canonical: str):  # type: ignore[no-untyped-def]
    from ..bytes import ByteLM, NaiveTokenLM, TokenHealingLM
    from ..models import load_causal_lm

    lm = load_causal_lm(model_path)
    if method == "exact":
        return ByteLM(lm.model, lm.tokenizer, non_canonical=non_canonical, context_token_id=lm.context_token_id)  # type: ignore[arg-type]
    baseline = TokenHealingLM if method == "healing" else NaiveTokenLM
    return baseline(lm.model, lm.tokenizer, context_token_id=lm.context_token_id)


@command.command(name="complete")
@_model_option
@click.argument("prompt")
@click.option("--max-bytes", default=32, show_default=True, type=click.IntRange(min=1), help="Bytes to generate.")
@click.option("--method", type=click.Choice(_METHODS), default="exact", show_default=True,
              help="exact: sum over canonical token covers; healing: token healing; naive: plain token-level.")
@click.option("--ensemble", "ensemble_paths", multiple=True, type=click.Path(path_type=Path),
              help="Another model to mix in byte by byte (repeatable; any tokenizer).")
@click.option("--weight", "weights", multiple=True, type=click.FloatRange(min=0),
              help="Mixture weights, one per model (the --model first); default equal.")
@click.option("--greedy/--sample", default=True, show_default=True, help="Most probable byte, or sample.")
@click.option("--temperature", default=_DEFAULTS.temperature, show_default=True, type=float)
@click.option("--top-p", default=_DEFAULTS.top_p, show_default=True, type=float)
@click.option("--seed", default=_DEFAULTS.seed, type=int, help="Seed for sampling.")
@click.option("--non-canonical", type=click.Choice(["drop", "renormalize"]), default="drop", show_default=True,
              help="drop: leave out non-canonical token sequences (the paper); renormalize: mask them at every step.")
@json_option
def complete(
    model_path: Path,
    prompt: str,
    max_bytes: int,
    method: str,
    ensemble_paths: tuple[Path, ...],
    weights: tuple[float, ...],
    greedy: bool,
    temperature: float,
    top_p: float,
    seed: int | None,
    non_canonical: str,
    as_json: bool,
) -> None:
    """Continue PROMPT, which may end in the middle of a word, one byte at a time.

    \b
    Examples:
      tokensmith bytes complete --model SmolLM2-135M-Instruct.Q4_1.gguf "The capital of France is Pa"
      tokensmith bytes complete --model a/ --ensemble b/ --weight 0.7 --weight 0.3 "def add(a, b): ret"
    """
    from ..bytes import ByteEnsemble

    model = _byte_model(model_path, method, non_canonical)
    if ensemble_paths:
        members = [model, *(_byte_model(path, method, non_canonical) for path in ensemble_paths)]
        if weights and len(weights) != len(members):
            raise TokensmithError(f"--weight given {len(weights)} times for {len(members)} models; give one per model or none")
        model = ByteEnsemble(members, list(weights) or None)
    started = time.perf_counter()
    data = prompt.encode("utf-8")
    completion = model.generate(data, max_bytes, temperature=temperature, top_p=top_p, greedy=greedy, seed=seed)
    elapsed = time.perf_counter() - started
    if as_json:
        print_json({
            "prompt": prompt,
            "completion": completion.decode("utf-8", errors="replace"),
            "completion_bytes": list(completion),
            "method": method,
            "elapsed_seconds": round(elapsed, 3),
        })
        return
    sys.stdout.buffer.write(completion + b"\n")
    sys.stdout.flush()


@command.command(name="bpb")
@_model_option
@click.option("--corpus", "corpus_path", required=True, type=click.Path(path_type=Path), help="A UTF-8 text file.")
@click.option("--max-bytes", default=2000, show_default=True, type=click.IntRange(min=1),
              help="Score only the first N bytes (cut at a character boundary); byte-level scoring costs one step per byte.")
@click.option("--non-canonical", type=click.Choice(["drop", "renormalize"]), default="drop", show_default=True)
@json_option
def bpb(model_path: Path, corpus_path: Path, max_bytes: int, non_canonical: str, as_json: bool) -> None:
    """Bits per byte of a corpus: canonical token-level, and exact byte-level.

    The byte-level figure is never higher: it sums over every canonical tokenization of each
    prefix, the token-level one scores the single canonical tokenization of the whole text.
    """
    from ..bytes import ByteLM
    from ..models import load_causal_lm, token_bits_per_byte

    text = _read_corpus(corpus_path, max_bytes)
    lm = load_causal_lm(model_path)
    started = time.perf_counter()
    token_level = token_bits_per_byte(lm, text)
    token_seconds = time.perf_counter() - started
    byte_lm = ByteLM(lm.model, lm.tokenizer, non_canonical=non_canonical, context_token_id=lm.context_token_id)  # type: ignore[arg-type]
    started = time.perf_counter()
    byte_level = byte_lm.bits_per_byte(text.encode("utf-8"))
    byte_seconds = time.perf_counter() - started
    if as_json:
        print_json({
            "corpus": str(corpus_path),
            "bytes": token_level.n_bytes,
            "tokens": token_level.n_tokens,
            "token_bits_per_byte": token_level.bits_per_byte,
            "byte_bits_per_byte": byte_level,
            "token_seconds": round(token_seconds, 3),
            "byte_seconds": round(byte_seconds, 3),
            "model_calls": byte_lm.model_calls,
        })
        return
    click.echo(f"{'method':<12}{'bytes':>8}{'bits/byte':>12}{'seconds':>10}")
    click.echo(f"{'token':<12}{token_level.n_bytes:>8}{token_level.bits_per_byte:>12.4f}{token_seconds:>10.1f}")
    click.echo(f"{'exact byte':<12}{token_level.n_bytes:>8}{byte_level:>12.4f}{byte_seconds:>10.1f}")


def _read_corpus(path: Path, max_bytes: int) -> str:
    if not path.is_file():
        raise TokensmithFileNotFoundError(path, what="corpus file")
    data = path.read_bytes()[: max_bytes + 3]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < max_bytes:
            raise CorpusError(f"{path}: byte {error.start} is not valid UTF-8 ({error.reason}); pass a UTF-8 text file") from None
        text = data[: error.start].decode("utf-8")
    encoded = text.encode("utf-8")
    while len(encoded) > max_bytes:
        text = text[:-1]
        encoded = text.encode("utf-8")
    if not text:
        raise CorpusError(f"{path}: the corpus is empty; pass a file with text")
    return text
