"""The similar-title join kept between runs gives what a fresh join gives, after any sequence of title edits."""

from __future__ import annotations

import random

import pytest

import site_builder.checks.similar as similar
from site_builder.checks.collection import TITLE_JACCARD, similar_pairs
from site_builder.checks.similar import SimilarTitles

#: A small vocabulary (with stopwords, a stem pair and punctuation) so that titles collide often.
WORDS = ["vision", "visions", "audio", "text", "the", "of", "learning", "learn", "pre-training", "pretraining",
         "video", "model", "contrastive", "joint", "space", "a", "speech", "masked"]


def random_title(rng: random.Random) -> str:
    """One to six words of the vocabulary."""
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 6))).title()


@pytest.mark.parametrize("cap", [1, 3, 200])
@pytest.mark.parametrize("seed", range(6))
def test_updated_join_equals_a_fresh_join(seed: int, cap: int) -> None:
    rng = random.Random(seed)
    titles = [random_title(rng) for _ in range(60)]
    join = SimilarTitles(TITLE_JACCARD, cap)
    assert join.pairs(titles) == similar_pairs(titles, cap=cap)
    seen_pairs = 0
    for _ in range(40):
        for i in rng.sample(range(len(titles)), rng.randint(1, 3)):
            titles[i] = rng.choice([random_title(rng), titles[rng.randrange(len(titles))], "The Of A"])
        expected = similar_pairs(titles, cap=cap)
        assert join.pairs(titles) == expected
        seen_pairs += len(expected)
    assert seen_pairs > 0  # the edits did produce near-duplicates to keep track of


def test_added_title_recomputes_and_matches() -> None:
    titles = ["Joint Audio Text Space", "Joint audio-text space", "Masked Video Model"]
    join = SimilarTitles(TITLE_JACCARD, 200)
    assert join.pairs(titles) == [(0, 1)]
    titles.append("Masked Video Models")
    assert join.pairs(titles) == similar_pairs(titles) == [(0, 1), (2, 3)]
    titles[0] = "Speech Model"
    assert join.pairs(titles) == similar_pairs(titles) == [(2, 3)]


def long_title(rng: random.Random) -> str:
    """A title of many words, some of them variants."""
    return " ".join(rng.choice(WORDS) + rng.choice(["", "s", "x"]) for _ in range(rng.randint(5, 12))).title()


@pytest.mark.parametrize("cap", [1, 3, 200])
@pytest.mark.parametrize("seed", range(8))
def test_the_array_join_equals_the_reference(seed: int, cap: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(similar, "VECTOR_FROM", 0)
    rng = random.Random(seed)
    titles = [rng.choice([random_title, long_title])(rng) for _ in range(120)]
    titles += [rng.choice(titles) for _ in range(10)]  # exact repeats
    expected = similar_pairs(titles, cap=cap)
    assert SimilarTitles(TITLE_JACCARD, cap).pairs(titles) == expected
    assert expected, "the titles do hold near-duplicates"
    # The one-by-one join of the same join state finds the same pairs.
    join = SimilarTitles(TITLE_JACCARD, cap)
    join.pairs(titles)
    assert sorted(join._close_pairs()) == sorted(join._close_pairs_vectorised())
    # And updates after edits build on the array join's state.
    for _ in range(10):
        titles[rng.randrange(len(titles))] = random_title(rng)
        assert join.pairs(titles) == similar_pairs(titles, cap=cap)
