"""SentencePiece-style tokenizer.json (Metaspace BPE, Unigram, byte fallback) made by the library.

The documents are trained here by ``tokenizers`` itself, so the reference ids and spellings come
from the library, not from us.
"""

from __future__ import annotations

import json

import pytest

import tokensmith

CORPUS = [
    "Hello world, this is a small corpus.",
    "Tokenizers split text into pieces; pieces into tokens.",
    "Привет мир. Γειά σου Κόσμε. 你好世界.",
] * 20
TEXTS = ["Hello tokens, world!", "pieces Привет 你好", "unseen ✓ characters\nand a newline", "  two  spaces"]


def _trained(kind: str) -> str:
    from tokenizers import SentencePieceBPETokenizer, SentencePieceUnigramTokenizer

    if kind == "bpe":
        trainer = SentencePieceBPETokenizer(unk_token="<unk>")
        trainer.train_from_iterator(CORPUS, vocab_size=150, min_frequency=1, special_tokens=["<unk>"], show_progress=False)
    else:
        trainer = SentencePieceUnigramTokenizer()
        trainer.train_from_iterator(CORPUS, vocab_size=90, special_tokens=["<unk>"], unk_token="<unk>", show_progress=False)
    return trainer._tokenizer.to_str()


def _with_byte_fallback(document_text: str) -> str:
    document = json.loads(document_text)
    vocab = document["model"]["vocab"]
    for byte in range(256):
        vocab.setdefault(f"<0x{byte:02X}>", len(vocab))
    document["model"]["byte_fallback"] = True
    return json.dumps(document, ensure_ascii=False)


@pytest.mark.parametrize(("kind", "family"), [("bpe", "sentencepiece"), ("unigram", "unigram"), ("fallback", "sentencepiece")])
def test_sentencepiece_style_documents(kind: str, family: str, tmp_path) -> None:
    from tokenizers import Tokenizer as HFTokenizer

    text = _trained("bpe") if kind == "fallback" else _trained(kind)
    if kind == "fallback":
        text = _with_byte_fallback(text)
    path = tmp_path / "tokenizer.json"
    path.write_text(text, encoding="utf-8")
    library = HFTokenizer.from_file(str(path))
    ours = tokensmith.load(path)
    assert ours.family == family and not ours.byte_level and ours.backend.kind == "huggingface"
    for sample in TEXTS:
        expected = library.encode(sample, add_special_tokens=False).ids
        assert ours.encode_ordinary(sample) == expected
        assert ours.decode(expected) == library.decode(expected, skip_special_tokens=False)
    for spelling, token_id in library.get_vocab(with_added_tokens=False).items():
        if spelling.startswith("<0x") and len(spelling) == 6:
            assert ours.token_bytes(token_id) == bytes([int(spelling[3:5], 16)])
        else:
            assert ours.token_bytes(token_id) == spelling.replace("\u2581", " ").encode("utf-8")
    assert dict(ours.normalizer or {}) == json.loads(text)["normalizer"]
