"""Pages of single records: one per paper, one per dataset, and the datasets index."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence

from markupsafe import Markup

from site_builder.bulk import Compared, keyed_by_id, paper_id
from site_builder.models import Dataset, Paper
from site_builder.render.env import render_page, root_of
from site_builder.render.memo import Fragments, RenderMemo
from site_builder.render.paper import SEARCH_PAPERS_UP_TO, PaperView, dataset_list, paper_markdown
from site_builder.render.paper_citations import citation_section
from site_builder.render.rows import tag_chains
from site_builder.render.topics import LIST_LIMIT
from site_builder.sitemodel import SiteModel, own_tags
from site_builder.taxonomy import Facet

CATEGORY_LABELS = {
    "image-text": "Image and text",
    "image-text-audio": "Image, text and audio",
    "video-text": "Video and text",
    "video-audio": "Video and audio",
    "point-cloud": "Point clouds",
    "image-lidar": "Image and LiDAR",
    "audio-text": "Audio and text",
    "medical": "Medical",
    "remote-sensing": "Remote sensing",
    "robotics": "Robotics",
    "tactile": "Touch",
    "multimodal": "Many modalities",
}


def edit_url(model: SiteModel, source: str | None) -> str | None:
    """The repository's edit page for a record file, when mkdocs.yml names the repository."""
    if not model.info.repo_url or not source:
        return None
    return f"{model.info.repo_url}/edit/{model.info.edit_branch}/{source}"


#: Every paper page sits at papers/<id>/index.md.
PAPER_ROOT = root_of("papers/x/index.md")


class TagChains:
    """The taxonomy lines of paper pages: per facet, each own tag's chain (ancestors named, the tag linked).

    Papers share tag combinations, so a facet's line is written once per distinct combination.
    """

    def __init__(self, model: SiteModel) -> None:
        self.facets = list(model.taxonomy.facets.values())
        self.chains = {f.id: tag_chains(f, PAPER_ROOT) for f in self.facets}
        self._lines: dict[tuple[str, tuple[str, ...]], list[Markup]] = {}

    def line(self, facet: Facet, tags: list[str]) -> list[Markup]:
        """The chains of ``tags`` on ``facet`` (unknown tags and tags implied by another one left out)."""
        key = (facet.id, tuple(tags))
        found = self._lines.get(key)
        if found is None:
            own = own_tags(facet, [t for t in tags if t in facet.nodes])
            found = self._lines[key] = [self.chains[facet.id][t] for t in own]
        return found

    def rows(self, paper: Paper) -> list[tuple[Facet, list[Markup]]]:
        """Per facet with tags: the paper's chains."""
        out = []
        for facet in self.facets:
            chains = self.line(facet, paper.tags.of(facet.id))
            if chains:
                out.append((facet, chains))
        return out


def tag_rows(model: SiteModel, paper: Paper, chains: TagChains | None = None) -> list[tuple[Facet, list[Markup]]]:
    """Per facet with tags: each own tag as its chain from the top-level node down."""
    return (chains or TagChains(model)).rows(paper)


def shared_section(model: SiteModel) -> str | None:
    """Without citation data, the citation section every paper page shows (the same note); None with data, when
    each paper's section names other papers."""
    return citation_section(model, model.papers[0]) if model.papers and model.citations is None else None


def paper_page(model: SiteModel, paper: Paper, bibtex: str, chains: TagChains | None = None,
               citations: str | None = None) -> bytes:
    """papers/<id>/index.md (see :mod:`site_builder.render.paper`)."""
    source = model.sources.get(paper.id)
    view = PaperView(
        paper, paper.id in model.hybrid_set, [(f.label, chain) for f, chain in tag_rows(model, paper, chains)],
        dataset_list(paper, model.dataset_by_id),
        citations if citations is not None else citation_section(model, paper), bibtex,
        edit_url(model, source), source or "", unsearched=len(model.papers) > SEARCH_PAPERS_UP_TO)
    return paper_markdown(view).encode("utf-8")


def dataset_page(model: SiteModel, dataset: Dataset, parts: Fragments | None = None) -> bytes:
    """datasets/<id>/index.md."""
    modality = model.taxonomy.facets.get("modality")
    source = model.dataset_sources.get(dataset.id)
    papers = list(map(model.by_id.__getitem__, model.dataset_papers.get(dataset.id, [])))
    root = root_of(f"datasets/{dataset.id}/index.md")
    parts = parts or Fragments(model)
    path = f"datasets/{dataset.id}/index.md"
    rows = parts.kept_rows(path + "#rows", papers[:LIST_LIMIT], root)
    older = parts.kept_rows(path + "#older", papers[LIST_LIMIT:], root, compact=True)
    introduced = model.by_id.get(dataset.paper) if dataset.paper else None
    derived = [model.dataset_by_id[d] for d in dataset.derived_from if d in model.dataset_by_id]
    # Records compare by identity first: unchanged ones cost a pointer comparison.
    key = (parts.taxonomy, model.info, dataset, source, introduced, tuple(derived), rows, older)
    return parts.keep(f"datasets/{dataset.id}/index.md", key, lambda: render_page(
        "dataset.md.j2", f"datasets/{dataset.id}/index.md", dataset=dataset,
        category=CATEGORY_LABELS.get(dataset.category, dataset.category),
        modalities=[modality.nodes[m] for m in dataset.modalities if modality and m in modality.nodes],
        introduced=introduced, derived=derived, paper_rows=rows, older=older,
        edit_url=edit_url(model, source), source=source or "",
    ))


def datasets_index(model: SiteModel) -> bytes:
    """datasets/index.md: every dataset, grouped by category in the order of :data:`CATEGORY_LABELS`."""
    grouped: Mapping[str, list[Dataset]] = defaultdict(list)
    for dataset in model.datasets:
        grouped[dataset.category].append(dataset)
    order = [*CATEGORY_LABELS, *sorted(set(grouped) - set(CATEGORY_LABELS))]
    groups = [(c, CATEGORY_LABELS.get(c, c), grouped[c]) for c in order if grouped.get(c)]
    usage = {d.id: len(model.dataset_papers.get(d.id, [])) for d in model.datasets}
    return render_page("datasets.md.j2", "datasets/index.md", datasets=model.datasets, groups=groups, usage=usage)


def site_context(model: SiteModel, parts: Fragments) -> Hashable:
    """What every paper page depends on besides its paper and the context of :func:`record_pages`."""
    return (parts.taxonomy, model.info, shared_section(model), len(model.papers) > SEARCH_PAPERS_UP_TO)


def record_pages(model: SiteModel, bibtex: Mapping[str, str], parts: Fragments | None = None,
                 papers: Sequence[Paper] | None = None) -> dict[str, bytes]:
    """The pages of ``papers`` (default: every paper), every dataset page and the datasets index."""
    parts = parts or Fragments(model)
    out = paper_pages(model, bibtex, parts, model.papers if papers is None else papers)
    out.update(dataset_pages(model, parts))
    return out


def dataset_pages(model: SiteModel, parts: Fragments) -> dict[str, bytes]:
    """Every dataset page and the datasets index."""
    out = {f"datasets/{d.id}/index.md": dataset_page(model, d, parts) for d in model.datasets}
    out["datasets/index.md"] = datasets_index(model)
    return out


def paper_pages(model: SiteModel, bibtex: Mapping[str, str], parts: Fragments,
                papers: Iterable[Paper]) -> dict[str, bytes]:
    """The pages of ``papers`` (a sequence, or papers handed out while the loop runs: see
    :func:`~site_builder.render.render_site`).

    A paper page is taken over from an earlier render (``parts.memo``) when its paper is the same object and the
    context below is equal: whatever else a paper page shows must be part of that context or of
    :func:`site_context`.
    """
    chains = TagChains(model)
    # Without citation data the section is the same note on every page: written once. With it, each paper's
    # section (which names other papers) is part of what its page depends on.
    same = shared_section(model)
    hybrid, sources, known = model.hybrid_set, model.sources, model.dataset_by_id
    sections = parts.memo.sections.sections(model, functools.partial(citation_section, model)) \
        if same is None else None
    memo = parts.memo
    shared = (same, model.hybrid_set, model.dataset_by_id, sources)
    # Papers whose section may differ (with citation data; without, the section is part of ``shared``).
    redo = memo.sections.changed if sections is not None else set()
    compared = _compared(memo, papers, shared, model.ids if papers is model.papers else None) \
        if redo is not None and isinstance(papers, Sequence) else None
    todo = _changed_papers(compared, redo) if compared is not None and redo is not None else None
    visited: list[Paper] = []
    out: dict[str, bytes] = {}
    if todo is not None and memo.page_loop is not None:
        out = dict(memo.page_loop[2])
        memo.pages_taken_over(out)
    for p in papers if todo is None else todo:
        if todo is None:
            visited.append(p)
        path = f"papers/{p.id}/index.md"
        section = same if sections is None else sections(p)
        # Dataset objects stay the same while their files do not change: the tuple compares by identity first.
        context = (p.id in hybrid, tuple(known[d] for d in p.datasets if d in known), sources.get(p.id), section)
        make = functools.partial(paper_page, model, p, bibtex[p.id], chains, section)
        out[path] = memo.page(path, p, context, make)
    if todo is not None and sections is not None:
        memo.sections.take_over_rest()
    # (A loop over the changed papers only had them compared: ``todo`` and ``compared`` are set together.)
    memo.page_loop = (compared.by_id() if compared is not None else keyed_by_id(visited), shared, out)
    return out


def _compared(memo: RenderMemo, papers: Sequence[Paper], shared: tuple[object, ...],
              ids: list[str] | None) -> Compared | None:
    """``papers`` against those of the last paper page loop, when it had the same collection-wide inputs
    ``shared`` and the same paper ids (in any order); else ``None`` (every page is asked for)."""
    last = memo.page_loop
    if last is None or len(last[0]) != len(papers) or last[1] != shared:
        return None
    compared = Compared(last[0], papers, ids, unique=ids is not None)
    return compared if compared.same_ids() else None


def _changed_papers(compared: Compared, redo: set[str]) -> list[Paper]:
    """The papers whose page may differ from the last paper page loop's: changed objects and the ids ``redo``."""
    papers, before = compared.records, compared.before
    changed = [papers[i] for i in compared.at]
    if not redo:
        return changed
    now = keyed_by_id(changed)
    # The papers of ``redo`` that are unchanged (a changed one is in ``changed`` already; the ids are the same as
    # before, so each is the object ``before`` holds). The order of the pages made does not matter.
    return changed + sorted((before[pid] for pid in redo if pid in before and pid not in now), key=paper_id)
