"""The repository's own knowledge base passes its own strictest checks."""

from __future__ import annotations

from site_builder.checks.validate import validate
from site_builder.kb.project import Project
from tests.conftest import REPO


def test_repository_validates_strictly() -> None:
    result = validate(Project(REPO), strict=True)
    assert [p.as_text() for p in result.problems] == []


def test_every_repository_record_and_node_has_a_page() -> None:
    from site_builder.kb.records import load_knowledge_base
    from site_builder.site.config import read_site_info
    from site_builder.site.model import build_model
    from site_builder.site.render import render_site

    project = Project(REPO)
    kb, _ = load_knowledge_base(project)
    assert kb is not None
    outputs = render_site(build_model(kb, read_site_info(project)))
    missing = [f"papers/{p}" for p in kb.papers if f"papers/{p}/index.md" not in outputs]
    missing += [f"datasets/{d}" for d in kb.datasets if f"datasets/{d}/index.md" not in outputs]
    missing += [f"topics/{n.facet}/{n.id}" for n in kb.taxonomy.all_nodes()
                if f"topics/{n.facet}/{n.id}/index.md" not in outputs]
    assert missing == []
    assert len(kb.papers) > 100
