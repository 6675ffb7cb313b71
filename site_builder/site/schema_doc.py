"""Contributor documentation of the record schema, generated from the pydantic models' field descriptions."""

from __future__ import annotations

import types
import typing
from typing import Any, get_args, get_origin

from pydantic import BaseModel

from site_builder.kb.models import Dataset, Paper

_MARKERS = {"_slug": "id", "_https": "https URL", "_arxiv": "arXiv id", "_doi": "DOI", "_year": "year",
            "_line": "text"}


def _marker(metadata: list[Any]) -> str | None:
    for item in metadata:
        func = getattr(item, "func", None)
        if func is not None and func.__name__ in _MARKERS:
            return _MARKERS[func.__name__]
    return None


def _type_name(annotation: Any) -> str:
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        base, *meta = get_args(annotation)
        return _marker(meta) or _type_name(base)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in get_args(annotation) if a is not type(None))
    if origin is list:
        return f"list of {_type_name(get_args(annotation)[0])}"
    if origin is dict:
        return f"mapping to {_type_name(get_args(annotation)[1])}"
    if origin is typing.Literal:
        return " / ".join(f"`{a}`" for a in get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mapping (below)"
    return {str: "text", int: "number", bool: "true/false"}.get(annotation, getattr(annotation, "__name__", "value"))


def _nested(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _nested(arg)]


def model_table(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Markdown table rows for ``model`` and, after it, its nested models."""
    rows = ["| key | type | required | meaning |", "|---|---|---|---|"]
    nested: list[tuple[str, type[BaseModel]]] = []
    for name, field in model.model_fields.items():
        required = "yes" if field.is_required() else "no"
        kind = _marker(field.metadata) or _type_name(field.annotation)
        rows.append(f"| `{prefix}{name}` | {kind} | {required} | {field.description or ''} |")
        nested += [(f"{prefix}{name}.", m) for m in _nested(field.annotation)]
    out = rows
    for sub_prefix, sub in nested:
        out += ["", f"`{sub_prefix.rstrip('.')}`: {sub.__doc__ or ''}".strip(), ""] + model_table(sub, sub_prefix)
    return out


def schema_markdown() -> str:
    """The record schema reference page."""
    lines = ["# Record schema", "", "Generated from the schema the validator uses; unknown keys are errors.", "",
             "## Paper records (`papers/<id>.yaml`)", ""]
    lines += model_table(Paper)
    lines += ["", "## Dataset records (`datasets/<id>.yaml`)", ""]
    lines += model_table(Dataset)
    return "\n".join(lines) + "\n"
