"""The bulk passes over records, against plain Python written the obvious way."""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from site_builder.bulk import Compared, keyed_by_id

# An edit script: each step keeps, replaces (a new object, same id), drops or adds a record.
_STEPS = st.lists(st.sampled_from(["keep", "replace", "drop", "add", "twice"]), min_size=0, max_size=30)


@given(_STEPS, st.randoms(use_true_random=False))
def test_compared_matches_the_obvious_computation(steps: list[str], rng: object) -> None:
    before = [SimpleNamespace(id=f"p{i}") for i in range(len(steps))]
    after: list[SimpleNamespace] = []
    for i, step in enumerate(steps):
        if step == "keep":
            after.append(before[i])
        elif step == "replace":
            after.append(SimpleNamespace(id=before[i].id))
        elif step == "add":
            after.append(SimpleNamespace(id=f"new{i}"))
        elif step == "twice" and after:  # a clash: an id that the list already holds
            after.append(SimpleNamespace(id=after[0].id))
    rng.shuffle(after)  # type: ignore[attr-defined]
    old = keyed_by_id(before)
    compared = Compared(old, after)
    assert compared.ids == [r.id for r in after]
    assert compared.was == [old.get(r.id) for r in after]
    assert compared.at == [i for i, r in enumerate(after) if old.get(r.id) is not r]
    assert compared.same_ids() == ({r.id for r in after} == set(old) and len(after) == len(old))
    made = compared.by_id()
    assert made == keyed_by_id(after)  # in whichever order: the dict is looked up, never listed
    given = Compared(old, after, [r.id for r in after], unique=True)
    assert given.ids == compared.ids and given.at == compared.at
    assert old == keyed_by_id(before), "the earlier dict is left as it was"


def test_few_changed_tells_when_to_start_afresh() -> None:
    from site_builder.bulk import few_changed

    a, b, c = object(), object(), object()
    assert few_changed([a, b, c], [a, b, c]) == []
    assert few_changed([a, c, c], [a, b, c]) == [1]
    assert few_changed([a, c, b], [a, b, c], most=1) is None  # more places differ than allowed
    assert few_changed([a, b], [a, b, c]) is None and few_changed([a], None) is None
