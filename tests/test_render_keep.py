"""RenderMemo.keep: outputs kept while an enclosing output is taken over stay remembered for later renders."""

from __future__ import annotations

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
