"""Where things live in a knowledge base checkout."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from site_builder.kb.problems import UsageError

TAXONOMY = "taxonomy.yaml"


@dataclass(frozen=True)
class Project:
    """A knowledge-base root and the fixed layout below it."""

    root: Path

    @property
    def taxonomy(self) -> Path:
        """taxonomy.yaml"""
        return self.root / TAXONOMY

    @property
    def papers(self) -> Path:
        """Folder of paper records."""
        return self.root / "papers"

    @property
    def datasets(self) -> Path:
        """Folder of dataset records."""
        return self.root / "datasets"

    @property
    def cited_by(self) -> Path:
        """Curated list of papers citing the survey."""
        return self.root / "data" / "cited-by-survey.yaml"

    @property
    def snapshot(self) -> Path:
        """Semantic Scholar snapshot folder (machine-written by ``enrich``)."""
        return self.root / "data" / "semantic-scholar"

    @property
    def docs(self) -> Path:
        """Hand-written pages; generated pages go to git-ignored folders inside."""
        return self.root / "docs"

    @property
    def site(self) -> Path:
        """Built static site."""
        return self.root / "site"

    @property
    def cache(self) -> Path:
        """Private cache folder: ``$SITE_BUILDER_CACHE`` when set (the tests point it at a temporary folder),
        else ``.cache/site-builder`` in the checkout (git-ignored)."""
        configured = os.environ.get("SITE_BUILDER_CACHE")
        return Path(configured) if configured else self.root / ".cache" / "site-builder"

    def rel(self, path: Path) -> str:
        """``path`` relative to the root with POSIX separators, or as given when outside the root."""
        root = self.root.resolve()
        try:  # by the path as written: a link is named where it sits, not where it leads
            return Path(os.path.abspath(path)).relative_to(root).as_posix()
        except ValueError:
            pass
        try:
            return path.resolve().relative_to(root).as_posix()
        except (ValueError, OSError, RuntimeError):  # outside, or a symlink loop
            return path.as_posix()


def find_root(start: Path | None = None) -> Project:
    """The nearest folder at or above ``start`` (default: the working directory) that holds taxonomy.yaml."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / TAXONOMY).is_file():
            return Project(candidate)
    raise UsageError(f"no {TAXONOMY} found in {here} or any parent folder; run inside a knowledge base or pass --root")


def open_project(root: Path | None) -> Project:
    """The project at ``root`` if given (it must hold taxonomy.yaml), else the one found from the working dir."""
    if root is None:
        return find_root()
    if not os.path.lexists(root / TAXONOMY):  # a link or pipe there is reported by the safe read, with its path
        raise UsageError(f"{root} is not a knowledge base: it has no {TAXONOMY}")
    return Project(root.resolve())
