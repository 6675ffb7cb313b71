"""Incremental regeneration is one mechanism: every regeneration renders every page from the current records and
writes the files whose bytes changed. Whatever sequence of edits a long-running ``serve`` sees, the pages it leaves
are byte for byte those of a fresh build of the same records."""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder.build.pipeline import generate
from site_builder.kb.project import Project
from tests.conftest import make_site_project


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def fresh_build(project: Project, where: Path) -> dict[str, bytes]:
    """The generated files of the same records, built in a fresh copy (no generated pages, no cache)."""
    shutil.rmtree(where, ignore_errors=True)
    shutil.copytree(project.root, where, ignore=shutil.ignore_patterns(".cache", "site"))
    for name in ("index.md", "papers", "topics", "datasets", "explore", "trends", "cited-by", "downloads",
                 "reference", "graph", "candidates"):
        target = where / "docs" / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    result = generate(Project(where))
    assert not result.failed
    return tree(where / "docs")


class NotApplicable(Exception):
    """A change whose text an earlier change of the same sequence already replaced."""


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if old not in text:
        raise NotApplicable(f"{old!r} not in {path}")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _add_paper(root: Path) -> None:
    text = (root / "papers" / "echo.yaml").read_text(encoding="utf-8")
    text = text.replace("id: echo", "id: foxtrot").replace("Echo Robust", "Foxtrot Robust")
    (root / "papers" / "foxtrot.yaml").write_text(text.replace("10.1109/TPAMI.2020.0000001", "10.1109/x.1"),
                                                  encoding="utf-8")


#: Changes of every kind a memo could miss: each one changes what some kept output reads. (paper alpha has
#: citations inside the collection: its title and venue show in the citation sections of other papers.)
CHANGES = {
    "year": lambda root: _replace(root / "papers/alpha.yaml", "year: 2021\nvenue: ICML 2021",
                                  "year: 2018\nvenue: ICML 2018"),
    "cited title": lambda root: _replace(root / "papers/alpha.yaml", "title: Alpha", "title: Zulu"),
    "venue": lambda root: _replace(root / "papers/alpha.yaml", "venue: ICML 2021", "venue: NeurIPS 2021"),
    "kind": lambda root: _replace(root / "papers/alpha.yaml", "kind: method", "kind: analysis"),
    "other facet tag": lambda root: _replace(root / "papers/alpha.yaml", "modality: [image, text]",
                                             "modality: [image, audio, text]"),
    "datasets": lambda root: _replace(root / "papers/echo.yaml", "summary: Contrasts", "datasets: [pairs]\nsummary: "
                                      "Contrasts"),
    "kind of a hybrid": lambda root: _replace(root / "papers/bravo.yaml", "kind: method", "kind: analysis"),
    "hybrid objectives": lambda root: _replace(root / "papers/bravo.yaml", "matching, auto-encoding]", "matching]"),
    "added date": lambda root: _replace(root / "papers/echo.yaml", "added: 2026-01-10", "added: 2026-12-10"),
    "code link": lambda root: _replace(root / "papers/echo.yaml", "official: true", "official: false"),
    "dataset record": lambda root: _replace(root / "datasets/pairs.yaml", "name: Pairs", "name: Pair Set"),
    "taxonomy label": lambda root: _replace(root / "taxonomy.yaml", "label: Contrastive\n",
                                            "label: Contrastive learning\n"),
    "taxonomy description": lambda root: _replace(root / "taxonomy.yaml", "pushes other pairs apart.",
                                                  "pushes the other pairs apart."),
    "snapshot": lambda root: _replace(root / "data/semantic-scholar/alpha.json", '"citationCount": 1520',
                                      '"citationCount": 1620'),
    "added paper": _add_paper,
    "removed paper": lambda root: (root / "papers" / "delta.yaml").unlink(),
}




def _undo(root: Path, original: dict[str, bytes]) -> None:
    """Put the records back as they were (the generated pages are left as the last regeneration wrote them)."""
    for path in {k for k in tree(root) if not k.startswith(("docs/", ".cache/"))} - original.keys():
        (root / path).unlink()
    for path, data in original.items():
        target = root / path
        if not target.exists() or target.read_bytes() != data:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(sorted(CHANGES)), st.booleans()), min_size=1, max_size=4))
def test_any_sequence_of_edits_gives_the_pages_of_a_fresh_build(tmp_path_factory: object,
                                                                steps: list[tuple[str, bool]]) -> None:
    base = Path(tmp_path_factory.mktemp("session"))  # type: ignore[attr-defined]
    project = Project(make_site_project(base / "kb"))
    assert not generate(project).failed
    original = {k: v for k, v in tree(project.root).items() if not k.startswith(("docs/", ".cache/"))}
    applied: set[str] = set()
    for change, undo_first in steps:
        if undo_first or change in applied:  # a change applies once; undoing returns to the original records
            _undo(project.root, original)
            applied.clear()
        try:
            CHANGES[change](project.root)
        except NotApplicable:  # it overlaps an earlier change of this sequence: start again from the original
            _undo(project.root, original)
            applied.clear()
            CHANGES[change](project.root)
        applied.add(change)
        result = generate(project)
        assert not result.failed, [str(p) for p in result.problems if p.severity == "error"]
        assert tree(project.docs) == fresh_build(project, base / "fresh"), f"after {change!r}"
    _undo(project.root, original)
    assert not generate(project).failed
    assert tree(project.docs) == fresh_build(project, base / "fresh")


def test_a_regeneration_rewrites_only_the_files_whose_bytes_changed(tmp_path: Path) -> None:
    project = Project(make_site_project(tmp_path / "kb"))
    assert not generate(project).failed
    before = tree(project.docs)
    CHANGES["code link"](project.root)
    result = generate(project)
    after = tree(project.docs)
    changed = {k for k in after.keys() | before.keys() if before.get(k) != after.get(k)}
    assert changed and result.stats is not None
    assert result.stats.written + result.stats.removed == len(changed)
    assert result.stats.unchanged == result.generated - result.stats.written
