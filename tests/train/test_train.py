"""train_bpe end to end: against the reference trainer and the reference encoder, determinism, edge cases."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import regex

from tokensmith import CorpusError, TrainingError
from tokensmith._patterns import PATTERNS
from tokensmith.train import BpeTrainingOptions, train_bpe
from tokensmith.train.reference import apply_merges, reference_train_from_text


def _merge_table(tokenizer) -> dict[tuple[int, int], tuple[int, int]]:
    id_of = tokenizer.mergeable_ranks()
    return {
        (id_of[left], id_of[right]): (rank, id_of[left + right]) for rank, (left, right) in enumerate(tokenizer.merges)
    }


def assert_encodes_like_reference(tokenizer, text: str) -> None:
    """Each pre-token encodes as the reference encoder applies the merge list, and decodes back."""
    table = _merge_table(tokenizer)
    for piece in set(regex.findall(tokenizer.pattern, text)):
        assert tokenizer.encode_ordinary(piece) == apply_merges(list(piece.encode("utf-8")), table), piece
    assert tokenizer.decode(tokenizer.encode_ordinary(text)) == text


@pytest.mark.parametrize("pattern", ["cl100k", "o200k", r"\S+|\s+"])
def test_training_equals_reference_trainer(genesis: Callable[[str, int], str], corpus_file: Callable[[str], Path], pattern: str) -> None:
    text = genesis("english-kjv", 40_000)
    result = train_bpe(corpus_file(text), BpeTrainingOptions(vocab_size=256 + 100 + 1, pattern=pattern, min_pair_count=1))
    expected = reference_train_from_text(text, 256 + 100, PATTERNS.get(pattern, pattern))
    assert list(result.merges) == expected
    tokenizer = result.tokenizer
    assert [tokenizer.token_bytes(byte) for byte in range(256)] == [bytes([byte]) for byte in range(256)]
    assert [tokenizer.token_bytes(256 + k) for k in range(100)] == [left + right for left, right in expected]
    assert tokenizer.special_tokens == {"<|endoftext|>": 356}
    assert not result.stopped_early and result.vocab_size == 357


def test_trained_tokenizer_encodes_held_out_text_like_the_reference_encoder(
    genesis: Callable[[str, int], str], corpus_file: Callable[[str], Path]
) -> None:
    result = train_bpe(corpus_file(genesis("english-kjv", 60_000)), BpeTrainingOptions(vocab_size=600))
    assert_encodes_like_reference(result.tokenizer, genesis("german", 20_000) + genesis("english-web", 20_000))


def test_same_output_for_one_and_two_threads_and_across_runs(genesis: Callable[[str, int], str], corpus_file: Callable[[str], Path]) -> None:
    path = corpus_file(genesis("french", 80_000) + genesis("swedish", 80_000))
    documents = [
        train_bpe(path, BpeTrainingOptions(vocab_size=900, threads=threads)).tokenizer.backend.document for threads in (1, 2, 2, 1)
    ]
    assert len(set(documents)) == 1


def test_small_corpus_stops_early_and_says_so(corpus_file: Callable[[str], Path]) -> None:
    result = train_bpe(corpus_file("hello hello hello world\n"), BpeTrainingOptions(vocab_size=1000))
    assert result.stopped_early
    # Pairs seen at least twice: (h,e) (e,l) (l,l) (l,o) in " hello"/"hello" -> merges until none repeats.
    assert 256 < result.vocab_size < 1000 and result.vocab_size == result.tokenizer.n_vocab
    assert result.stop_reason and "min_pair_count" not in result.stop_reason and "2 times" in result.stop_reason
    assert result.warnings and str(result.vocab_size) in result.warnings[0]


def test_empty_corpus_is_refused(corpus_file: Callable[[str], Path]) -> None:
    with pytest.raises(CorpusError, match="empty"):
        train_bpe(corpus_file(""), BpeTrainingOptions(vocab_size=300))


def test_non_utf8_corpus_is_refused_with_its_offset(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("caf\u00e9 ok\n".encode("latin-1"))
    with pytest.raises(CorpusError, match="latin1.txt.*3"):
        train_bpe(path, BpeTrainingOptions(vocab_size=300))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"vocab_size": 200}, "at least 257"),
        ({"vocab_size": 258, "special_tokens": ("<a>", "<b>", "<c>")}, "at least 259"),
        ({"pattern": "(unclosed"}, "not a valid split pattern"),
        ({"digits": "left4"}, "digits"),
        ({"special_tokens": ("<s>", "<s>")}, "twice"),
        ({"max_token_chars": 4}, "character_level"),
        ({"character_level": True, "max_token_bytes": 4}, "max_token_chars"),
        ({"threads": -1}, "threads"),
        ({"protected_terms": ("",)}, "non-empty"),
    ],
)
def test_bad_options_are_refused_with_one_line(changes: dict, message: str) -> None:
    with pytest.raises(TrainingError, match=message) as caught:
        BpeTrainingOptions(**{"vocab_size": 1000, **changes})
    assert "\n" not in str(caught.value)


def test_progress_bar_runs_and_an_interrupt_stops_training(
    genesis: Callable[[str, int], str], corpus_file: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import contextlib

    from tokensmith.train import trainer

    path = corpus_file(genesis("english-kjv", 150_000))
    result = train_bpe(path, BpeTrainingOptions(vocab_size=1500), show_progress=True)
    assert result.vocab_size == 1500 and "learning merges" not in capsys.readouterr().out  # the bar is on stderr
    calls: list[float] = []

    class Interrupting:
        def advance(self, amount: float = 1.0) -> None:
            calls.append(amount)
            raise KeyboardInterrupt  # what Ctrl-C raises inside the progress callback

    @contextlib.contextmanager
    def fake_progress(*args: object, **kwargs: object):
        yield Interrupting()

    monkeypatch.setattr(trainer, "progress", fake_progress)
    with pytest.raises(KeyboardInterrupt):
        train_bpe(path, BpeTrainingOptions(vocab_size=1500))
    assert calls == [1000]  # stopped at the first report, 1,000 merges in
