"""Pages of single records: one per paper, one per dataset, and the datasets index."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from site_builder.models import Dataset, Paper
from site_builder.render.citations import paper_citations
from site_builder.render.env import render_page
from site_builder.sitemodel import SiteModel, own_tags
from site_builder.taxonomy import Facet, Node

CATEGORY_LABELS = {
    "image-text": "Image and text",
    "image-text-audio": "Image, text and audio",
    "video-text": "Video and text",
    "video-audio": "Video and audio",
    "point-cloud": "Point clouds",
    "image-lidar": "Image and LiDAR",
}


def edit_url(model: SiteModel, source: str | None) -> str | None:
    """The repository's edit page for a record file, when mkdocs.yml names the repository."""
    if not model.info.repo_url or not source:
        return None
    return f"{model.info.repo_url}/edit/{model.info.edit_branch}/{source}"


def tag_rows(model: SiteModel, paper: Paper) -> list[tuple[Facet, list[list[Node]]]]:
    """Per facet with tags: each own tag as its chain from the top-level node down."""
    rows: list[tuple[Facet, list[list[Node]]]] = []
    tags = paper.tags.model_dump()
    for facet in model.taxonomy.facets.values():
        chains = []
        for tag in own_tags(facet, [t for t in tags.get(facet.id, []) if t in facet.nodes]):
            path = [*reversed(facet.ancestors(tag)), tag]
            chains.append([facet.nodes[n] for n in path])
        if chains:
            rows.append((facet, chains))
    return rows


def paper_page(model: SiteModel, paper: Paper, bibtex: str) -> bytes:
    """papers/<id>/index.md."""
    path = f"papers/{paper.id}/index.md"
    source = model.sources.get(paper.id)
    return render_page(
        "paper.md.j2", path, paper=paper, model=model, hybrid=paper.id in model.hybrid_set,
        tag_rows=tag_rows(model, paper), bibtex=bibtex,
        datasets=[model.dataset_by_id[d] for d in dict.fromkeys(paper.datasets) if d in model.dataset_by_id],
        **paper_citations(model, paper), edit_url=edit_url(model, source), source=source or "",
    )


def dataset_page(model: SiteModel, dataset: Dataset) -> bytes:
    """datasets/<id>/index.md."""
    modality = model.taxonomy.facets.get("modality")
    source = model.dataset_sources.get(dataset.id)
    return render_page(
        "dataset.md.j2", f"datasets/{dataset.id}/index.md", dataset=dataset,
        category=CATEGORY_LABELS.get(dataset.category, dataset.category),
        modalities=[modality.nodes[m] for m in dataset.modalities if modality and m in modality.nodes],
        introduced=model.by_id.get(dataset.paper) if dataset.paper else None,
        derived=[model.dataset_by_id[d] for d in dataset.derived_from if d in model.dataset_by_id],
        papers=[model.by_id[p] for p in model.dataset_papers.get(dataset.id, [])],
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


def record_pages(model: SiteModel, bibtex: Mapping[str, str]) -> dict[str, bytes]:
    """Every paper page, every dataset page and the datasets index."""
    out = {f"papers/{p.id}/index.md": paper_page(model, p, bibtex[p.id]) for p in model.papers}
    out.update({f"datasets/{d.id}/index.md": dataset_page(model, d) for d in model.datasets})
    out["datasets/index.md"] = datasets_index(model)
    return out
