"""PaperSets.reordered gives the masks that naming the same sets over the new order gives."""

from __future__ import annotations

import random

import pytest

from site_builder.site.paperset import PaperSets


@pytest.mark.parametrize("size", [0, 1, 7, 8, 9, 300])
def test_reordered_masks_equal_masks_made_over_the_new_order(size: int) -> None:
    rng = random.Random(size)
    ids = [f"p{i}" for i in range(size)]
    groups = {f"g{k}": rng.sample(ids, rng.randint(0, size)) for k in range(5)}
    before = PaperSets(ids)
    for key, members in groups.items():
        before.name(key, members)
    order = rng.sample(ids, size)
    fresh = PaperSets(order)
    for key, members in groups.items():
        fresh.name(key, members)
    moved = before.reordered(order)
    assert moved.position == fresh.position
    assert {k: moved.named(k) for k in groups} == {k: fresh.named(k) for k in groups}


@pytest.mark.parametrize("size", [0, 1, 7, 8, 9, 300])
def test_a_mask_has_the_bits_of_its_papers_places(size: int) -> None:
    rng = random.Random(size)
    ids = [f"p{i}" for i in range(size)]
    sets = PaperSets(ids)
    members = rng.sample(ids, rng.randint(0, size))
    assert sets.mask(members + ["not-a-paper"]) == sum(1 << ids.index(m) for m in members)
    assert sets.mask(members + members) == sets.mask(members)  # a paper counts once
    assert sets.mask(ids) == (1 << size) - 1
