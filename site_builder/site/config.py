"""Read the few settings of mkdocs.yml that generated pages need (site name, repository, site URL).

mkdocs.yml is the one place these are configured; the site generator reads the rest of it. Tags such as
``!!python/name:`` (used by some Markdown extension settings) and ``!ENV`` are read as plain values, never run.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from site_builder.kb.problems import SiteBuilderError
from site_builder.kb.project import Project
from site_builder.safe.files import read_file
from site_builder.site.escape import safe_href
from site_builder.site.model import SiteInfo

CONFIG = "mkdocs.yml"


class _TolerantLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A safe loader that turns any application tag into its plain scalar, sequence or mapping value (LibYAML's
    parser when PyYAML has it: every regeneration of ``serve`` reads mkdocs.yml again)."""


def _plain(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node)
    return None


_TolerantLoader.add_multi_constructor("", _plain)


#: mkdocs.yml is a page of settings; anything larger is not one.
MAX_CONFIG_BYTES = 1024 * 1024


def config_path(project: Project) -> Path:
    """Where the site generator's configuration lives."""
    return project.root / CONFIG


def read_site_info(project: Project) -> SiteInfo:
    """Site name, repository URL and site URL from mkdocs.yml; a missing or unreadable file is an error."""
    path = config_path(project)
    if not os.path.lexists(path):
        raise SiteBuilderError(f"{CONFIG} not found in {project.root}: the site needs it (see the README)")
    raw, problems = read_file(path, CONFIG, root=project.root, max_bytes=MAX_CONFIG_BYTES, what="configuration files")
    if raw is None:
        raise SiteBuilderError(f"{CONFIG} cannot be read; nothing was written", problems)
    try:
        data = yaml.load(raw.decode("utf-8"), Loader=_TolerantLoader)  # a SafeLoader subclass
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise SiteBuilderError(f"{CONFIG}: cannot be read: {exc}") from exc
    if not isinstance(data, dict):
        raise SiteBuilderError(f"{CONFIG}: expected a mapping of settings")
    name = str(data.get("site_name") or "Knowledge base")
    repo = _url(data.get("repo_url"), "repo_url")
    site = _url(data.get("site_url"), "site_url")
    return SiteInfo(site_name=name, repo_url=repo.rstrip("/") if repo else None,
                    site_url=(site.rstrip("/") + "/") if site else None)


def _url(value: object, key: str) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or safe_href(value) is None or not value.startswith(("https://", "http://")):
        raise SiteBuilderError(f"{CONFIG}: {key} must be an http(s) URL, not {value!r}")
    return value
