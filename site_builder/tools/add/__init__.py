"""Scaffolding new paper records (``site-builder add``): sources -> drafts -> checks -> YAML files."""

from __future__ import annotations
