"""The shared summary sentences kept after edits are those worked out afresh."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.checks.sentences import SharedSentences, shared_sentences

Row = tuple[str, str | None]
SENTENCES = ["One.", "Two!", "Three?", "one.", "Four.", "TODO: write me."]
summary = st.lists(st.sampled_from(SENTENCES), max_size=4).map(" ".join) | st.none()
row = st.tuples(st.sampled_from(["papers/a.yaml", "papers/b.yaml", "papers/c.yaml", "papers/d.yaml"]), summary)


@settings(max_examples=300, deadline=None)
@given(st.lists(row, min_size=1, max_size=8),
       st.lists(st.tuples(st.integers(min_value=0), row), min_size=1, max_size=6))
def test_kept_sentences_follow_edits(rows: list[Row], edits: list[tuple[int, Row]]) -> None:
    shared = SharedSentences()
    assert shared(tuple(rows)) == shared_sentences(tuple(rows))
    for at, new in edits:
        rows[at % len(rows)] = new  # one record edited (its summary, or the file it sits in)
        assert shared(tuple(rows)) == shared_sentences(tuple(rows))
    rows.append(("papers/e.yaml", "One. Two!"))  # another record: worked out afresh
    assert shared(tuple(rows)) == shared_sentences(tuple(rows))


def test_a_sentence_shared_by_later_records_points_at_the_first() -> None:
    rows = (("papers/a.yaml", "Alpha. Shared words."), ("papers/b.yaml", "Shared words. Beta."),
            ("papers/c.yaml", "Shared  WORDS. Shared words."))
    assert shared_sentences(rows) == [(1, 0, "shared words."), (2, 0, "shared words."), (2, 0, "shared words.")]
    shared = SharedSentences()
    shared(rows)
    edited = (("papers/a.yaml", "Alpha."), *rows[1:])  # the first holder drops it: b is first now
    assert shared(edited) == [(2, 1, "shared words."), (2, 1, "shared words.")]
