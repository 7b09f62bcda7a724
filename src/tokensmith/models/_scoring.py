"""Exact token-level probabilities from a causal LM: a prefix cache that reuses keys and values,
and canonical token-level bits per byte.

Bits per byte (BPB) divides the total information content, ``-sum log2 p(t_i | t_<i)`` over the
tokenizer's own (canonical) encoding of a text, by the number of UTF-8 bytes of the text, so
models with different vocabularies are compared on the same unit (as in Gao et al., "The Pile",
and the byte-level evaluation of Phan et al.).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .._errors import TokensmithError
from ._loading import import_torch

if TYPE_CHECKING:
    from ._loading import CausalLM

__all__ = ["TokenPrefixCache", "TokenScore", "token_bits_per_byte", "token_log_probabilities"]


class _Chunk:
    """Keys and values of one forward call: per layer, tensors of shape (1, heads, n, dim)."""

    __slots__ = ("layers",)

    def __init__(self, layers: list[tuple[Any, Any]]) -> None:
        self.layers = layers


class _Node:
    __slots__ = ("chunk", "log_probs", "offset", "parent")

    def __init__(self, parent: _Node | None, chunk: _Chunk | None, offset: int, log_probs: np.ndarray | None) -> None:
        self.parent = parent
        self.chunk = chunk  # where this node's own token's keys/values live
        self.offset = offset  # index of that token inside the chunk
        self.log_probs = log_probs  # next-token log-probabilities after this prefix


class TokenPrefixCache:
    """Next-token log-probabilities for many token prefixes, sharing work between them.

    Prefixes form a tree; each computed prefix keeps the keys and values of its last token, so a
    prefix that extends a known one costs one forward call over the new tokens only. Byte-level
    inference asks for many prefixes that differ in their last few tokens, which is why a single
    linear KV cache is not enough. ``model_calls`` counts forward calls (the benchmark's unit).

    Every prefix is preceded by ``lm.context_token_id`` (BOS), so the empty prefix is valid.
    At most ``max_prefixes`` next-token distributions are kept (least recently used go first; a
    forgotten prefix is recomputed on demand, reusing the keys and values its descendants hold).
    """

    def __init__(self, lm: CausalLM, *, max_prefixes: int = 1024) -> None:
        if lm.context_token_id is None:
            raise TokensmithError(f"{lm.source}: the model has neither a BOS nor an end-of-text token to start a context with")
        self.lm = lm
        self.model_calls = 0
        self._torch = import_torch("scoring with a language model")
        self.max_prefixes = max_prefixes
        self._nodes: OrderedDict[tuple[int, ...], _Node] = OrderedDict()
        self._max_positions = int(getattr(lm.model.config, "max_position_embeddings", 1 << 30))

    def __len__(self) -> int:
        return len(self._nodes)

    def clear(self) -> None:
        """Forget every cached prefix (frees memory between unrelated texts)."""
        self._nodes.clear()

    def log_probs(self, prefix: Sequence[int]) -> np.ndarray:
        """``log p(next | BOS, prefix)`` over the model's whole output vocabulary (float32)."""
        key = tuple(prefix)
        node = self._nodes.get(key)
        if node is not None:
            self._nodes.move_to_end(key)
            assert node.log_probs is not None
            return node.log_probs
        known = len(key)
        while known > 0 and key[:known] not in self._nodes:
            known -= 1
        if not key[:known] and () not in self._nodes:
            self._run(None, (self.lm.context_token_id, *key), key)
        else:
            self._run(self._nodes[key[:known]], key[known:], key)
        result = self._nodes[key].log_probs
        assert result is not None
        while len(self._nodes) > self.max_prefixes:
            _, evicted = self._nodes.popitem(last=False)
            evicted.log_probs = None  # the node stays in its descendants' chains for its keys/values
        return result

    def _run(self, parent: _Node | None, new_tokens: Sequence[int], key: tuple[int, ...]) -> None:
        """One forward call over ``new_tokens`` after ``parent``; adds a node per new prefix."""
        torch = self._torch
        past_length = len(key) - len(new_tokens) + 1  # +1 for the context token
        if past_length + len(new_tokens) > self._max_positions:
            raise TokensmithError(
                f"{self.lm.source}: {past_length + len(new_tokens)} tokens exceed the model's "
                f"{self._max_positions} positions; score shorter texts"
            )
        cache = None
        if parent is not None:
            from transformers import DynamicCache

            cache = DynamicCache(ddp_cache_data=self._gather(parent))
        with torch.inference_mode():
            output = self.lm.model(
                input_ids=torch.tensor([list(new_tokens)], dtype=torch.long),
                past_key_values=cache,
                use_cache=True,
            )
        self.model_calls += 1
        log_probs = torch.log_softmax(output.logits[0].float(), dim=-1).numpy()
        chunk = _Chunk([(layer.keys[:, :, -len(new_tokens):], layer.values[:, :, -len(new_tokens):]) for layer in output.past_key_values.layers])
        start = len(key) - len(new_tokens)
        node = parent
        if parent is None:
            # The first token is the context token itself: it owns the empty prefix.
            node = _Node(None, chunk, 0, log_probs[0])
            self._nodes[()] = node
            new_tokens = new_tokens[1:]
            start, offset_base = 0, 1
        else:
            offset_base = 0
        for index in range(len(new_tokens)):
            node = _Node(node, chunk, offset_base + index, log_probs[offset_base + index])
            self._nodes[key[: start + index + 1]] = node

    @staticmethod
    def _gather(node: _Node) -> list[tuple[Any, Any]]:
        """Concatenate the keys and values along the path from the root to ``node``."""
        import torch

        segments: list[tuple[_Chunk, int, int]] = []  # (chunk, first offset, last offset + 1)
        current: _Node | None = node
        while current is not None:
            assert current.chunk is not None
            if segments and segments[-1][0] is current.chunk and segments[-1][1] == current.offset + 1:
                chunk, _, end = segments[-1]
                segments[-1] = (chunk, current.offset, end)
            else:
                segments.append((current.chunk, current.offset, current.offset + 1))
            current = current.parent
        segments.reverse()
        n_layers = len(segments[0][0].layers)
        gathered = []
        for layer in range(n_layers):
            keys = [chunk.layers[layer][0][:, :, begin:end] for chunk, begin, end in segments]
            values = [chunk.layers[layer][1][:, :, begin:end] for chunk, begin, end in segments]
            gathered.append((torch.cat(keys, dim=2), torch.cat(values, dim=2)))
        return gathered


def token_log_probabilities(lm: CausalLM, token_ids: Sequence[int], *, window: int | None = None) -> np.ndarray:
    """``log p(t_i | BOS, t_<i)`` (natural log) for every token, without any cache.

    Texts longer than the model's context are scored in overlapping windows: each window after the
    first re-reads the previous half window as context, so every token sees at least half a
    window of left context (the usual strided evaluation).
    """
    torch = import_torch("scoring with a language model")
    if lm.context_token_id is None:
        raise TokensmithError(f"{lm.source}: the model has neither a BOS nor an end-of-text token to start a context with")
    limit = window or min(int(getattr(lm.model.config, "max_position_embeddings", 2048)), 2048)
    ids = [lm.context_token_id, *token_ids]
    scores = np.empty(len(token_ids), dtype=np.float64)
    stride = max(1, limit // 2)
    scored = 0  # tokens of token_ids already scored
    while scored < len(token_ids):
        begin = 0 if scored == 0 else max(0, scored + 1 - stride)
        end = min(len(ids), begin + limit)
        with torch.inference_mode():
            logits = lm.model(input_ids=torch.tensor([ids[begin:end]], dtype=torch.long)).logits[0]
        log_probs = torch.log_softmax(logits.double(), dim=-1)
        targets = torch.tensor(ids[begin + 1 : end], dtype=torch.long)
        picked = log_probs[:-1].gather(1, targets[:, None])[:, 0].numpy()
        # picked[k] scores ids[begin + 1 + k], i.e. token_ids[begin + k].
        first_new = scored - begin
        scores[scored : begin + len(picked)] = picked[first_new:]
        scored = begin + len(picked)
    return scores


@dataclass(frozen=True)
class TokenScore:
    """Information content of a text under a model, in bits, and per byte."""

    n_tokens: int
    n_bytes: int
    total_bits: float

    @property
    def bits_per_byte(self) -> float:
        return self.total_bits / self.n_bytes if self.n_bytes else float("nan")


def token_bits_per_byte(lm: CausalLM, text: str | bytes) -> TokenScore:
    """Bits per byte of ``text`` under ``lm`` using the tokenizer's canonical encoding.

    Bytes that are not valid UTF-8 are refused: the canonical encoding is defined on text.
    """
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    ids = lm.tokenizer.encode_ordinary(data.decode("utf-8"))
    log_probs = token_log_probabilities(lm, ids)
    return TokenScore(n_tokens=len(ids), n_bytes=len(data), total_bits=float(-log_probs.sum() / np.log(2.0)))
