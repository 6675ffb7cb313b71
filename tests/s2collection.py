"""Synthetic knowledge bases served by the fake Semantic Scholar API: records and their S2 papers in step."""

from __future__ import annotations

from typing import Any

from tests.conftest import paper_yaml
from tests.s2fake import FakeS2, edge, s2_paper

SURVEY = "ssml-survey"
UNRESOLVED = {"paperId": None, "title": "An Unresolved Bibliography Entry", "year": None, "externalIds": None}


def record_id(i: int) -> str:
    """Record id of the i-th synthetic paper (0 is the survey)."""
    return SURVEY if i == 0 else f"paper-{i:03d}"


def record(pid: str, title: str, arxiv: str | None = None, doi: str | None = None, year: int = 2021) -> str:
    """A paper record's YAML with the given identifying fields."""
    ids = "".join([f'\n  arxiv: "{arxiv}"' if arxiv else "", f"\n  doi: {doi}" if doi else ""]) or "{}"
    return paper_yaml(pid, title=f'"{title}"', ids=ids, year=str(year))


def collection(fake: FakeS2, n: int) -> dict[str, str]:
    """``n`` records (the survey and n-1 papers) with arXiv ids; paper i cites papers i-1 and i-2, one of five
    outside papers, and an unresolved entry; papers 1..3 cite the survey."""
    files: dict[str, str] = {}
    members: list[dict[str, Any]] = []
    for i in range(n):
        pid, arxiv = record_id(i), f"2101.{i:05d}"
        members.append(fake.add(s2_paper(pid, i, title=f"Synthetic Paper {pid}", arxiv=arxiv)))
        files[f"papers/{pid}.yaml"] = record(pid, f"Synthetic Paper {pid}", arxiv)
    outside = [fake.add(s2_paper(f"outside-{j}", 1000 + j, title=f"Outside Paper {j}")) for j in range(5)]
    for i, member in enumerate(members):
        cited = [members[k] for k in (i - 1, i - 2) if k >= 0] + [outside[i % 5]]
        fake.references[member["paperId"]] = [edge("citedPaper", c, influential=k == 0) for k, c in enumerate(cited)]
        fake.references[member["paperId"]].append(edge("citedPaper", UNRESOLVED))
    fake.citations[members[0]["paperId"]] = [edge("citingPaper", m) for m in members[1:4]]
    return files
