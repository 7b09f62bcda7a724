"""ByteLM against brute force on tiny tokenizers and tiny random models.

Each identity is checked for an ordinary BPE (GPT-2 split) and a superword BPE whose tokens span
spaces. Tolerances are 1e-6: the model's log-probabilities pass through float32.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from brute_force_reference import BruteForce

from tokensmith.bytes import ByteEnsemble, ByteLM, NaiveTokenLM

pytest.importorskip("torch")

KINDS = {
    "gpt2-split": ("tiny_tokenizer", "tiny_model"),
    "superword": ("superword_tokenizer", "superword_model"),
}
PREFIXES = [b"", b"the c", b" the cat s", b"at the ", b"cat're", b"12 cats, 3", b"a rat\xc3", b"hat,  th"]


@pytest.fixture(params=list(KINDS), scope="module")
def setup(request):
    tokenizer_name, model_name = KINDS[request.param]
    return request.param, request.getfixturevalue(tokenizer_name), request.getfixturevalue(model_name)


@pytest.mark.parametrize("policy", ["drop", "renormalize"])
def test_next_byte_distribution_equals_brute_force(setup, policy):
    _, tokenizer, model = setup
    byte_lm = ByteLM(model, tokenizer, non_canonical=policy)
    brute = BruteForce(model, tokenizer, renormalize=policy == "renormalize")
    for prefix in PREFIXES:
        distribution = byte_lm.next_byte_distribution(prefix)
        assert distribution.shape == (256,)
        assert distribution.sum() == pytest.approx(1.0, abs=1e-12)
        np.testing.assert_allclose(distribution, brute.next_byte_distribution(prefix), atol=1e-6, err_msg=repr(prefix))


@pytest.mark.parametrize("text", [b"the cat sat", b"a rat's hat", b" 345 mats."])
def test_product_of_next_byte_probabilities_equals_sum_over_canonical_covers(setup, text):
    _, tokenizer, model = setup
    byte_lm = ByteLM(model, tokenizer, non_canonical="renormalize")
    brute = BruteForce(model, tokenizer, renormalize=True)
    assert byte_lm.logprob(text) == pytest.approx(brute.prefix_log_probability(text), abs=1e-5)


def test_result_does_not_depend_on_where_the_prompt_is_cut(setup):
    _, tokenizer, model = setup
    text = b"the hat sat on"
    brute = BruteForce(model, tokenizer, renormalize=True)
    whole = brute.prefix_log_probability(text)
    for cut in range(len(text)):
        byte_lm = ByteLM(model, tokenizer, non_canonical="renormalize")  # fresh caches per cut
        continuation = byte_lm.logprob(text[cut:], prefix=text[:cut])
        assert continuation == pytest.approx(whole - brute.prefix_log_probability(text[:cut]), abs=1e-5), cut


def test_naive_prompting_differs_from_exact_when_the_prompt_ends_mid_token(tiny_tokenizer, tiny_model):
    """The tokenization bias the exact method removes: a control showing the comparisons can fail."""
    naive = NaiveTokenLM(tiny_model, tiny_tokenizer)
    brute = BruteForce(tiny_model, tiny_tokenizer, renormalize=False)
    gap = np.abs(naive.next_byte_distribution(b"the c") - brute.next_byte_distribution(b"the c")).max()
    assert gap > 1e-3


def test_superword_covers_span_whitespace(superword_tokenizer, superword_model):
    brute = BruteForce(superword_model, superword_tokenizer, renormalize=False)
    covers = brute.covers(b" the cat s")
    spanning = [cover for cover in covers if any(b" " in brute.vocab[t].strip(b" ") for t in cover)]
    assert spanning, "expected a cover whose token holds an inner space"


def test_invalid_utf8_prefixes_are_fine(setup):
    _, tokenizer, model = setup
    byte_lm = ByteLM(model, tokenizer)
    for prefix in (b"\xff", b"the \xc3", b"\x80\x80a"):
        assert byte_lm.next_byte_distribution(prefix).sum() == pytest.approx(1.0)


def test_ensemble_of_a_model_with_itself_equals_the_model(setup):
    _, tokenizer, model = setup
    byte_lm = ByteLM(model, tokenizer)
    ensemble = ByteEnsemble([byte_lm, ByteLM(model, tokenizer)], weights=[0.3, 0.7])
    for prefix in PREFIXES[:4]:
        np.testing.assert_allclose(ensemble.next_byte_distribution(prefix), byte_lm.next_byte_distribution(prefix), atol=1e-12)


def test_ensemble_of_different_vocabularies_is_the_weighted_mixture(tiny_tokenizer, tiny_model, superword_tokenizer, superword_model):
    first = BruteForce(tiny_model, tiny_tokenizer, renormalize=False)
    second = BruteForce(superword_model, superword_tokenizer, renormalize=False)
    ensemble = ByteEnsemble([ByteLM(tiny_model, tiny_tokenizer), ByteLM(superword_model, superword_tokenizer)], weights=[1, 3])
    for prefix in (b"the c", b"at the "):
        expected = 0.25 * first.next_byte_distribution(prefix) + 0.75 * second.next_byte_distribution(prefix)
        np.testing.assert_allclose(ensemble.next_byte_distribution(prefix), expected, atol=1e-6)


@pytest.mark.parametrize("policy", ["drop", "renormalize"])
def test_byte_level_bpb_is_never_worse_than_token_level_bpb(setup, policy):
    from tokensmith.models import token_bits_per_byte

    _, tokenizer, model = setup
    byte_lm = ByteLM(model, tokenizer, non_canonical=policy)
    for text in ("the cat sat on the mat.", "12 rats ate a hat!"):
        token_level = token_bits_per_byte(byte_lm.lm, text).bits_per_byte
        assert byte_lm.bits_per_byte(text.encode()) <= token_level + 1e-9


def test_generation_is_greedy_argmax_and_seeded_sampling_repeats(tiny_tokenizer, tiny_model):
    byte_lm = ByteLM(tiny_model, tiny_tokenizer)
    greedy = byte_lm.generate(b"the c", 4, greedy=True)
    expected = b""
    for _ in range(4):
        expected += bytes([int(np.argmax(byte_lm.next_byte_distribution(b"the c" + expected)))])
    assert greedy == expected
    assert byte_lm.generate(b"the c", 5, seed=7) == byte_lm.generate(b"the c", 5, seed=7)
    assert byte_lm.generate(b"the c", 4, top_p=1e-9, seed=3) == greedy
    assert len(byte_lm.generate(b"", 6, temperature=0.5, top_p=0.9, seed=1)) == 6


def test_logprob_of_empty_text_is_zero_and_chain_rule_holds(tiny_tokenizer, tiny_model):
    byte_lm = ByteLM(tiny_model, tiny_tokenizer, non_canonical="renormalize")
    assert byte_lm.logprob(b"") == 0.0
    direct = sum(math.log(byte_lm.next_byte_distribution(b"the "[:i])[b"the "[i]]) for i in range(4))
    assert byte_lm.logprob(b"the ") == pytest.approx(direct)
