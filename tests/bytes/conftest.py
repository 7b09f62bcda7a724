"""Tiny tokenizers and tiny random models for exhaustive byte-level tests (no downloads).

Two byte-level BPEs are trained here with a textbook BPE loop (Sennrich et al. 2016) on a few
sentences: an ordinary one with GPT-2's split pattern, and a superword one (SuperBPE-style, Liu et
al. 2025) whose pattern only splits off digit groups and punctuation runs, so merges cross spaces.
Each gets a LlamaConfig model of a few thousand parameters with a fixed seed.
"""

from __future__ import annotations

from collections import Counter

import pytest
import regex

from tokensmith._patterns import PATTERNS
from tokensmith.formats.hf_json import byte_level_bpe_tokenizer

CORPUS = (
    "the cat sat on the mat. the cat ate the rat. a rat sat on a hat, then the hat sat on the cat! "
    "that is the thing: the mat, the hat and the cat're there; 12 cats, 345 rats. "
)
SUPERWORD_PATTERN = r"\p{N}{1,3}|[^\p{N}.,!?;:]+|[.,!?;:]+"
BOS = "<|bos|>"


def train_bpe(corpus: str, pattern: str, n_merges: int) -> list[tuple[bytes, bytes]]:
    """Most-frequent-pair BPE over the pattern's pieces; ties go to the smallest pair (deterministic)."""
    words = Counter(tuple(bytes([b]) for b in piece.encode()) for piece in regex.findall(pattern, corpus))
    merges: list[tuple[bytes, bytes]] = []
    for _ in range(n_merges):
        pairs: Counter[tuple[bytes, bytes]] = Counter()
        for word, count in words.items():
            for pair in zip(word, word[1:]):
                pairs[pair] += count
        if not pairs:
            break
        best = min(pairs, key=lambda pair: (-pairs[pair], pair))
        merges.append(best)
        merged: Counter[tuple[bytes, ...]] = Counter()
        for word, count in words.items():
            parts: list[bytes] = []
            index = 0
            while index < len(word):
                if index + 1 < len(word) and (word[index], word[index + 1]) == best:
                    parts.append(word[index] + word[index + 1])
                    index += 2
                else:
                    parts.append(word[index])
                    index += 1
            merged[tuple(parts)] += count
        words = merged
    return merges


def build_tokenizer(name: str, pattern: str, n_merges: int):
    merges = train_bpe(CORPUS, pattern, n_merges)
    vocab = {byte: bytes([byte]) for byte in range(256)}
    for left, right in merges:
        vocab[len(vocab)] = left + right
    return byte_level_bpe_tokenizer(name, vocab, merges, pattern, {BOS: len(vocab)})


def build_model(tokenizer, seed: int):
    torch = pytest.importorskip("torch")
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(
        vocab_size=tokenizer.n_vocab,
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=1,
        max_position_embeddings=128,
        bos_token_id=tokenizer.special_tokens[BOS],
        eos_token_id=tokenizer.special_tokens[BOS],
        pad_token_id=tokenizer.special_tokens[BOS],
        tie_word_embeddings=False,
        initializer_range=0.5,
    )
    # Tiny matrices: one thread avoids OpenMP spin-waiting on a busy shared machine.
    torch.set_num_threads(1)
    torch.manual_seed(seed)
    model = LlamaForCausalLM(config)
    model.eval()
    return model


@pytest.fixture(scope="session")
def tiny_tokenizer():
    return build_tokenizer("tiny-gpt2-split", PATTERNS["gpt2"], 40)


@pytest.fixture(scope="session")
def superword_tokenizer():
    return build_tokenizer("tiny-superword", SUPERWORD_PATTERN, 60)


@pytest.fixture(scope="session")
def tiny_model(tiny_tokenizer):
    return build_model(tiny_tokenizer, seed=0)


@pytest.fixture(scope="session")
def tiny_model_other(tiny_tokenizer):
    return build_model(tiny_tokenizer, seed=1)


@pytest.fixture(scope="session")
def superword_model(superword_tokenizer):
    return build_model(superword_tokenizer, seed=2)
