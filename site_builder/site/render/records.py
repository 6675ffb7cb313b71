"""Pages of single records: one per paper, one per dataset, and the datasets index."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from markupsafe import Markup

from site_builder.kb.models import Dataset, Paper
from site_builder.kb.taxonomy import Facet
from site_builder.site.model import SiteModel, own_tags
from site_builder.site.render.env import render_page, root_of
from site_builder.site.render.paper import (
    PaperView,
    dataset_list,
    paper_markdown,
    similar_section,
)
from site_builder.site.render.paper_citations import citation_section
from site_builder.site.render.pieces import Fragments
from site_builder.site.render.rows import tag_chains
from site_builder.site.render.topics import LIST_LIMIT

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
    """papers/<id>/index.md (see :mod:`site_builder.site.render.paper`)."""
    source = model.sources.get(paper.id)
    view = PaperView(
        paper, paper.id in model.hybrid_set, [(f.label, chain) for f, chain in tag_rows(model, paper, chains)],
        dataset_list(paper, model.dataset_by_id),
        citations if citations is not None else citation_section(model, paper),
        similar_section([(s.id, model.by_id[s.id].title, s.reason) for s in model.similar.get(paper.id, ())]),
        len(model.citations.papers[paper.id].cited_by) if model.citations is not None else None, bibtex,
        edit_url(model, source), source or "")
    return paper_markdown(view).encode("utf-8")


def dataset_page(model: SiteModel, dataset: Dataset, parts: Fragments | None = None) -> bytes:
    """datasets/<id>/index.md: every paper using the dataset, the first LIST_LIMIT as table rows, the rest as
    links."""
    modality = model.taxonomy.facets.get("modality")
    source = model.dataset_sources.get(dataset.id)
    papers = list(map(model.by_id.__getitem__, model.dataset_papers.get(dataset.id, [])))
    path = f"datasets/{dataset.id}/index.md"
    root = root_of(path)
    parts = parts or Fragments(model)
    return render_page(
        "dataset.md.j2", path, dataset=dataset,
        category=CATEGORY_LABELS.get(dataset.category, dataset.category),
        modalities=[modality.nodes[m] for m in dataset.modalities if modality and m in modality.nodes],
        introduced=model.by_id.get(dataset.paper) if dataset.paper else None,
        derived=[model.dataset_by_id[d] for d in dataset.derived_from if d in model.dataset_by_id],
        paper_rows=parts.table_body(papers[:LIST_LIMIT], root), older=parts.compact(papers[LIST_LIMIT:], root),
        edit_url=edit_url(model, source), source=source or "",
    )


def datasets_index(model: SiteModel) -> bytes:
    """datasets/index.md: every dataset, grouped by category in the order of :data:`CATEGORY_LABELS`."""
    grouped: Mapping[str, list[Dataset]] = defaultdict(list)
    for dataset in model.datasets:
        grouped[dataset.category].append(dataset)
    order = [*CATEGORY_LABELS, *sorted(set(grouped) - set(CATEGORY_LABELS))]
    groups = [(c, CATEGORY_LABELS.get(c, c), grouped[c]) for c in order if grouped.get(c)]
    usage = {d.id: len(model.dataset_papers.get(d.id, [])) for d in model.datasets}
    return render_page("datasets.md.j2", "datasets/index.md", datasets=model.datasets, groups=groups, usage=usage)


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
    """The pages of ``papers``."""
    chains = TagChains(model)
    same = shared_section(model)  # without citation data, every page shows the same note: written once
    return {f"papers/{p.id}/index.md": paper_page(model, p, bibtex[p.id], chains, same) for p in papers}
