"""The character n-gram (Markov) baseline: counts, smoothing, losses and table sizes."""

from __future__ import annotations

import math

import numpy as np
import pytest

import rnnviz.tasks.ngram as ngram_module
from rnnviz.tasks.ngram import CharNGram
from rnnviz.tasks.text import TextTask, Vocabulary


@pytest.fixture(scope="module")
def classroom() -> TextTask:
    return TextTask()


def test_probabilities_by_hand():
    # "abab": V = 2, N = 4; unigram C(a) = C(b) = 2; bigrams C(ab) = 2, C(ba) = 1
    alpha = 0.5
    model = CharNGram("abab", order=2, alpha=alpha)
    p0 = 0.5
    p1_a = (2 + alpha * p0) / (4 + alpha)
    p1_b = (2 + alpha * p0) / (4 + alpha)
    # after "a": C(a·) = 2 (both followed by b)
    p2_b_after_a = (2 + alpha * p1_b) / (2 + alpha)
    p2_a_after_a = (0 + alpha * p1_a) / (2 + alpha)
    np.testing.assert_allclose(model.next_char_probs("a"), [p2_a_after_a, p2_b_after_a])
    # after "b": C(b·) = 1 (the last b is followed by nothing)
    p2_a_after_b = (1 + alpha * p1_a) / (1 + alpha)
    np.testing.assert_allclose(model.next_char_probs("b"), [p2_a_after_b, 1 - p2_a_after_b])
    # log_probs of "ba" after "a": P(b | a) then P(a | b)
    np.testing.assert_allclose(
        model.log_probs("ba", context="a"), np.log([p2_b_after_a, p2_a_after_b])
    )
    # the first character of a text has no context: the unigram estimate
    np.testing.assert_allclose(model.log_probs("a"), np.log([p1_a]))


def test_table_size_counts_distinct_grams_and_contexts():
    model = CharNGram("abab", order=2)
    # unigrams {a, b} + their one empty context + bigrams {ab, ba} + contexts {a, b}
    assert model.table_size == 2 + 1 + 2 + 2
    assert model.dense_table_size == 2 + 2**2
    # the bigram table itself: the bigrams that occur, of the V² there could be
    assert (model.entries, model.possible_entries) == (2, 2**2)
    assert (CharNGram("abcab", order=3).entries, CharNGram("abcab", order=3).possible_entries) == (
        3,  # abc, bca, cab
        3**3,
    )


@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_next_char_probs_are_a_distribution_matching_log_probs(classroom, order):
    model = (
        classroom.ngram(order)
        if order <= 3
        else CharNGram(classroom.train_text, order=4, vocab=classroom.vocab)
    )
    for context in ["", "t", "the c", "walking ho", "zzzq"]:
        p = model.next_char_probs(context)
        assert p.shape == (classroom.vocab.size,)
        assert (p > 0).all()
        assert p.sum() == pytest.approx(1.0, abs=1e-12)
        # the vectorised scorer gives the same numbers, character by character
        for c in "a \ns":
            lp = model.log_probs(c, context=context)[0]
            assert lp == pytest.approx(math.log(p[classroom.vocab.index(c)]), abs=1e-12)


def test_unseen_context_falls_back_to_the_shorter_one(classroom):
    tri, bi = classroom.ngram(3), classroom.ngram(2)
    assert "qz" not in classroom.train_text
    # the context "qz" never occurred: the trigram estimate is the bigram one after "z"
    np.testing.assert_allclose(tri.next_char_probs("qz"), bi.next_char_probs("z"), rtol=1e-12)


def test_losses_are_ordered_on_the_classroom_corpus(classroom):
    val = classroom.validation_text
    losses = [classroom.ngram(n).loss(val) for n in (1, 2, 3)]
    uniform = math.log(classroom.vocab.size)
    unigram, bigram, trigram = losses
    assert trigram < bigram < unigram < uniform
    # clear steps, not rounding noise: each context character is worth a lot on this grammar
    assert bigram < unigram - 0.5 and trigram < bigram - 0.5
    assert classroom.baselines() == {
        "uniform": uniform,
        "unigram": unigram,
        "bigram": bigram,
        "trigram": trigram,
    }


def test_table_sizes_grow_with_the_order_but_stay_below_all_combinations(classroom):
    V = classroom.vocab.size
    sizes = [classroom.ngram(n).table_size for n in (1, 2, 3)]
    dense = [classroom.ngram(n).dense_table_size for n in (1, 2, 3)]
    assert dense == [V, V + V**2, V + V**2 + V**3]
    assert sizes[0] < sizes[1] < sizes[2]
    assert all(s < d for s, d in zip(sizes[1:], dense[1:], strict=True))
    # the unigram table is every character once plus the one empty context
    assert sizes[0] == V + 1


def test_loss_is_the_mean_of_the_log_probs_and_chunking_changes_nothing(classroom, monkeypatch):
    model = classroom.ngram(3)
    text = classroom.validation_text[:5000]
    expected = -model.log_probs(text[1:], context=text[:1]).mean()
    assert model.loss(text) == pytest.approx(expected, rel=1e-12)
    monkeypatch.setattr(ngram_module, "_CHUNK", 77)  # many chunks, each needing context
    assert model.loss(text) == pytest.approx(expected, rel=1e-12)


def test_sentence_log_prob_reads_a_line(classroom):
    model = classroom.ngram(3)
    lp = model.log_prob("the cat is small")
    assert lp == pytest.approx(model.log_probs("the cat is small\n", context="\n").sum())
    # the Markov model already knows local word order and word choice on this corpus
    assert lp > model.log_prob("small is the cat")
    assert model.log_prob("walking home after school") > model.log_prob(
        "walking house after school"
    )


def test_characters_missing_from_the_training_text_get_a_probability():
    vocab = Vocabulary("abcz")
    model = CharNGram("abcabcabc", order=3, vocab=vocab)
    p = model.next_char_probs("ab")
    assert p[vocab.index("z")] > 0
    assert p.argmax() == vocab.index("c")
    with pytest.raises(ValueError, match=r"'q'.*not in the vocabulary"):
        model.loss("abq")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"order": 0}, "order must be a whole number"),
        ({"order": 2.0}, "order must be a whole number"),
        ({"alpha": 0}, "alpha must be a number > 0"),
        ({"alpha": float("nan")}, "alpha must be a number > 0"),
        ({"order": 40}, "too high"),
    ],
)
def test_bad_settings_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        CharNGram("the cat is small\n", **kwargs)


def test_too_short_texts_are_refused():
    with pytest.raises(ValueError, match="at least 2 characters"):
        CharNGram("a")
    with pytest.raises(ValueError, match="at least 2 characters"):
        CharNGram("ab").loss("a")
