"""The schema of papers.json, declared once: pydantic models give the JSON Schema download and the docs table.

Bump :data:`SCHEMA_VERSION` when a field is removed or changes meaning; adding a field keeps the version.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from site_builder.kb.models import Paper

SCHEMA_VERSION = 1
#: The licence of the records' contents (papers/, datasets/), and so of papers.json: see LICENSE-DATA.
DATA_LICENSE = "CC-BY-4.0"


class ExportNode(BaseModel):
    """A taxonomy node as exported."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(description="node id, as used in a paper's tags")
    label: str = Field(description="display name")
    parent: str | None = Field(description="id of the parent node, null for a top-level node")


class ExportFacet(BaseModel):
    """A taxonomy facet as exported."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(description="facet id, a key of each paper's tags")
    label: str = Field(description="display name")
    nodes: list[ExportNode] = Field(description="every node, parents before children")


class ExportPaper(Paper):
    """A paper of papers.json: every field of the paper record, plus its page."""

    page: str = Field(description="the paper's page, relative to the site root (e.g. papers/clip/)")


class PapersExport(BaseModel):
    """papers.json."""

    model_config = ConfigDict(extra="forbid")
    version: Literal[1] = Field(description="schema version; changes when a field is removed or changes meaning")
    license: Literal["CC-BY-4.0"] = Field(description="SPDX id of the data's licence (Creative Commons Attribution "
                                                      "4.0; the code is MIT)")
    count: int = Field(description="number of papers")
    facets: list[ExportFacet] = Field(description="the taxonomy: a tag on a node implies all its ancestors")
    papers: list[ExportPaper] = Field(description="every paper, newest year first, then by title")


def json_schema() -> dict[str, Any]:
    """The JSON Schema of papers.json (published as papers.schema.json)."""
    schema = PapersExport.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def field_rows(model: type[BaseModel] = ExportPaper, prefix: str = "") -> list[tuple[str, str]]:
    """(dotted field name, description) for every field of ``model``, nested models expanded, in declared order."""
    rows: list[tuple[str, str]] = []
    for name, info in model.model_fields.items():
        rows.append((prefix + name, info.description or ""))
        nested = _nested_model(info.annotation)
        if nested is not None:
            rows.extend(field_rows(nested, prefix + name + ("[]." if _is_list(info.annotation) else ".")))
    return rows


def _is_list(annotation: Any) -> bool:
    return getattr(annotation, "__origin__", None) is list


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    candidates = getattr(annotation, "__args__", None) or (annotation,)
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None
