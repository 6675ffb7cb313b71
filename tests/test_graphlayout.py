"""The citation graph's layout: years as columns, neighbours near each other, the same picture every time."""

from __future__ import annotations

from site_builder.site.graphlayout import CELL, year_layout


def two_families() -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Two classic papers of 2018 (a0, b0) and twenty papers of 2020, each citing one of them: a1..a10 cite a0,
    b1..b10 cite b0. Ids interleave so that id order alone would mix the families."""
    years = {"a0": 2018, "b0": 2018}
    edges = []
    for i in range(1, 11):
        years[f"a{i}"] = years[f"b{i}"] = 2020
        edges += [(f"a{i}", "a0"), (f"b{i}", "b0")]
    return years, edges


def test_columns_follow_the_years() -> None:
    years, edges = two_families()
    layout = year_layout(years, edges)
    assert [year for year, _ in layout.years] == [2018, 2020]
    old = {layout.positions[p][0] for p in ("a0", "b0")}
    new = {layout.positions[p][0] for p in years if years[p] == 2020}
    assert max(old) < min(new)
    assert all(0 <= x <= layout.width and 0 <= y <= layout.height for x, y in layout.positions.values())
    assert len(set(layout.positions.values())) == len(years)


def test_papers_sit_near_what_they_cite() -> None:
    years, edges = two_families()
    layout = year_layout(years, edges)
    a_side = layout.positions["a0"][1] < layout.positions["b0"][1]
    for i in range(1, 11):
        a, b = layout.positions[f"a{i}"][1], layout.positions[f"b{i}"][1]
        assert (a <= b) if a_side else (a >= b)  # every a-paper on the a0 side of every b-paper's row
    tops = sorted(layout.positions[p][1] for p in years if p.startswith("a") and p != "a0")
    bottoms = sorted(layout.positions[p][1] for p in years if p.startswith("b") and p != "b0")
    assert max(tops) <= min(bottoms) if a_side else max(bottoms) <= min(tops)


def test_same_graph_same_picture_whatever_the_input_order() -> None:
    years, edges = two_families()
    first = year_layout(years, edges)
    again = year_layout(dict(reversed(list(years.items()))), [(b, a) for a, b in reversed(edges)])
    assert first == again


def test_empty_and_single_paper() -> None:
    assert year_layout({}, []).positions == {}
    single = year_layout({"x": 2021}, [("x", "x"), ("x", "gone")])
    assert single.positions == {"x": (CELL // 2, CELL // 2)} and single.years == [(2021, CELL // 2)]


def test_numbered_citations_give_the_same_layout() -> None:
    import random

    import numpy as np

    from site_builder.site.graphlayout import year_layout, year_layout_arrays

    rng = random.Random(3)
    ids = [f"q{i:03d}" for i in range(400)]
    years = {pid: rng.randint(2015, 2024) for pid in ids}
    edges = sorted({(a, b) for a in ids for b in rng.sample(ids, 6) if a != b})
    order = rng.sample(ids, len(ids))  # any numbering of the papers
    number = {pid: i for i, pid in enumerate(order)}
    sources = np.array([number[a] for a, _ in edges], dtype=np.int64)
    targets = np.array([number[b] for _, b in edges], dtype=np.int64)
    assert year_layout_arrays(years, order, sources, targets) == year_layout(years, edges)
