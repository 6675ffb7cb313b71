"""Named checks over a loaded knowledge base: a registry that is listable and selectable (``--checks``)."""

from __future__ import annotations

from site_builder.checks import collection as _collection  # noqa: F401  (registers checks)
from site_builder.checks import per_record as _per_record  # noqa: F401  (registers checks)
from site_builder.checks.registry import REGISTRY, Check, run_checks

__all__ = ["REGISTRY", "Check", "run_checks"]
