"""RenderMemo.keep: outputs kept while an enclosing output is taken over stay remembered for later renders."""

from __future__ import annotations

import pytest

from site_builder.render.memo import RenderMemo


def test_inner_outputs_survive_renders_that_take_the_outer_one_over() -> None:
    memo = RenderMemo()
    made: list[str] = []

    def inner() -> str:
        made.append("inner")
        return "i"

    def outer(key: str) -> str:
        def make() -> str:
            made.append("outer")
            return "<" + memo.keep("inner", "same", inner) + ">"
        return memo.keep("outer", key, make)

    for key in ("a", "a", "a", "b"):
        memo.start(None)
        assert outer(key) == "<i>"
        memo.finish([])
    # the outer output was made for "a" and "b"; the inner one, whose key never changed, only once
    assert made == ["outer", "inner", "outer"]


def test_outputs_not_asked_for_are_forgotten() -> None:
    memo = RenderMemo()
    made: list[str] = []
    memo.start(None)
    memo.keep("page", 1, lambda: made.append("page"))
    memo.finish([])
    memo.start(None)
    memo.finish([])
    memo.start(None)
    memo.keep("page", 1, lambda: made.append("page"))
    assert made == ["page", "page"]


def test_field_values_follow_edits_and_new_orders() -> None:
    from dataclasses import dataclass

    @dataclass(eq=False)
    class P:
        id: str
        title: str
        year: int

    def fresh(papers: list[P]) -> dict[str, tuple[object, ...]]:
        return {p.id: (p.id, p.title, p.year) for p in papers}

    memo = RenderMemo()
    papers = [P(f"p{i}", f"T{i}", 2000 + i % 7) for i in range(50)]
    names = ("title", "year")
    assert memo.field_values(names, papers) == fresh(papers)  # type: ignore[arg-type]
    edited = P("p7", "A new title", papers[7].year)  # an edit: a new object, moved to the front
    reordered = [edited] + [p for p in papers if p.id != "p7"]
    assert memo.field_values(names, reordered) == fresh(reordered)  # type: ignore[arg-type]
    swapped = reordered[1:] + reordered[:1]  # the same objects in another order
    assert memo.field_values(names, swapped) == fresh(swapped)  # type: ignore[arg-type]
    one_less = [p for p in swapped if p.id != "p3"] + [P("p99", "Added", 2024)]  # one removed, one added
    assert memo.field_values(names, one_less) == fresh(one_less)  # type: ignore[arg-type]
    renamed = [P("p98", p.title, p.year) if p.id == "p5" else p for p in one_less]  # an id changed in place
    assert memo.field_values(names, renamed) == fresh(renamed)  # type: ignore[arg-type]
    moved = renamed[25:] + [P("p0", "Edited", 1999)] + [p for p in renamed[:25] if p.id != "p0"]
    assert memo.field_values(names, moved) == fresh(moved)  # type: ignore[arg-type]


def test_any_order_keys_compare_rows_as_a_set() -> None:
    from site_builder.render.keys import AnyOrder

    rows = tuple((f"p{i}", ["contrastive"], 2000 + i) for i in range(5))
    assert AnyOrder(rows) == AnyOrder(rows[::-1])  # the same rows in another order
    assert AnyOrder(rows) == AnyOrder(tuple((r[0], list(r[1]), r[2]) for r in rows))  # equal values, new objects
    changed = (*rows[:4], ("p4", ["masked"], 2004))
    assert AnyOrder(rows) != AnyOrder(changed)  # one paper's value changed
    assert AnyOrder(rows) != AnyOrder((*rows[:4], ("p9", ["contrastive"], 2004)))  # another paper
    assert AnyOrder(rows) != AnyOrder(rows[:4]) and AnyOrder(rows) != rows


def test_values_by_id_survive_renders_that_take_the_outer_output_over() -> None:
    memo = RenderMemo()
    made: list[str] = []

    def render(inputs: dict[str, object], outer_key: object) -> object:
        memo.start(None)

        def outer() -> dict[str, str]:
            return memo.by_id("rows", "k", inputs, lambda pid: made.append(pid) or f"row {pid}")  # type: ignore[func-returns-value]

        value = memo.keep("page", outer_key, outer)
        memo.finish([])
        return value

    a, b, c = object(), object(), object()
    render({"a": a, "b": b}, 1)
    assert made == ["a", "b"]
    render({"a": a, "b": b}, 1)  # the page is taken over: its rows are not asked for
    render({"a": a, "b": c}, 2)  # the page is made again: only b's row
    assert made == ["a", "b", "b"]


def test_output_order_is_sorted_and_follows_the_set_of_paths() -> None:
    memo = RenderMemo()
    first = memo.output_order({"b.md": b"", "a.md": b"", "c/d.md": b""})
    assert first == ["a.md", "b.md", "c/d.md"]
    assert memo.output_order({"c/d.md": b"x", "a.md": b"y", "b.md": b"z"}) is first  # the same paths: kept
    assert memo.output_order({"c/d.md": b"", "a.md": b"", "e.md": b""}) == ["a.md", "c/d.md", "e.md"]  # one swapped


def test_one_render_compares_the_papers_with_a_kept_list_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import dataclass

    import site_builder.render.memo as memo_module

    @dataclass(eq=False)
    class P:
        id: str
        title: str

    calls: list[int] = []
    real = memo_module.differing

    def counting(a: list[object], b: list[object]) -> list[int]:
        calls.append(len(a))
        return real(a, b)

    monkeypatch.setattr(memo_module, "differing", counting)
    memo = RenderMemo()

    def render(papers: list[P], kinds: tuple[str, ...]) -> dict[str, object]:
        memo.start(None)
        out: dict[str, object] = {k: memo.pieces(papers, k, lambda p, k=k: f"{k}:{p.title}") for k in kinds}  # type: ignore[arg-type,misc]
        out["fields"] = memo.field_values(("title",), papers)  # type: ignore[arg-type]
        memo.finish(papers)  # type: ignore[arg-type]
        return out

    papers = [P(f"p{i}", f"T{i}") for i in range(30)]
    render(papers, ("a", "b"))
    assert calls == []
    edited = list(papers)
    edited[4] = P("p4", "Edited")
    out = render(edited, ("a", "b"))
    assert calls == [30], "the two piece lists and the field values share one comparison"
    assert out["a"][4] == "a:Edited" and out["b"][4] == "b:Edited"  # type: ignore[index]
    assert out["fields"]["p4"] == ("p4", "Edited")  # type: ignore[index]
    calls.clear()
    again = list(edited)
    again[7] = P("p7", "Also edited")
    out = render(again, ("a",))  # "b" is not asked for: its list is dropped
    assert calls == [30] and out["a"][7] == "a:Also edited" and out["a"][4] == "a:Edited"  # type: ignore[index]
    calls.clear()
    out = render(again, ("a", "b"))  # "b" made anew, "a" and the fields compared once with the same kept list
    assert calls == [30] and out["b"] == [f"b:{p.title}" for p in again]
