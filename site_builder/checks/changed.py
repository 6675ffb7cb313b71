"""Which records a branch changes, according to git: what ``validate --changed`` (and PR CI) checks.

The base defaults to the pull request's target under GitHub Actions (``origin/$GITHUB_BASE_REF``), else the first
of ``origin/main``, ``main``, ``origin/master``, ``master`` that exists. Files are compared between the merge base
of that ref and HEAD *and* the working tree, so committed, staged, unstaged and untracked (not ignored) changes all
count. A change to taxonomy.yaml, or a deleted or renamed record, can break any other record, so it selects the
whole knowledge base.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from site_builder.kb.problems import UsageError
from site_builder.kb.project import TAXONOMY, Project

FALLBACK_BASES = ("origin/main", "main", "origin/master", "master")
RECORD_DIRS = ("papers/", "datasets/")
CURATED = ("data/cited-by-survey.yaml",)


@dataclass(frozen=True)
class Changes:
    """Changed files that validation cares about, relative to the knowledge-base root."""

    base: str
    files: tuple[str, ...]
    everything: bool
    reason: str = ""


def _git(project: Project, *args: str) -> str:
    try:
        proc = subprocess.run(["git", *args], cwd=project.root, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise UsageError("--changed needs git, which is not installed") from None
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, args, proc.stdout, proc.stderr)
    return proc.stdout


def _ref_exists(project: Project, ref: str) -> bool:
    try:
        _git(project, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except subprocess.CalledProcessError:
        return False
    return True


def default_base(project: Project) -> str:
    """The ref ``--changed`` compares against when ``--base`` is not given."""
    target = os.environ.get("GITHUB_BASE_REF", "").strip()
    candidates = ([f"origin/{target}"] if target else []) + list(FALLBACK_BASES)
    for ref in candidates:
        if _ref_exists(project, ref):
            return ref
    raise UsageError(f"no base to compare with: none of {', '.join(candidates)} exists; pass --base REF "
                     "(in CI, check out with fetch-depth: 0)")


def _relevant(path: str) -> bool:
    return path == TAXONOMY or path in CURATED or (path.startswith(RECORD_DIRS) and path.endswith(".yaml"))


def changed_records(project: Project, base: str | None = None) -> Changes:
    """The records changed on this branch (see the module docstring for what counts)."""
    try:
        _git(project, "rev-parse", "--is-inside-work-tree")
    except subprocess.CalledProcessError:
        raise UsageError(f"--changed needs a git checkout; {project.root} is not inside one") from None
    ref = base or default_base(project)
    if not _ref_exists(project, ref):
        raise UsageError(f"unknown base {ref!r}: fetch it first (in CI, check out with fetch-depth: 0) or pass --base")
    try:
        start = _git(project, "merge-base", ref, "HEAD").strip() if _ref_exists(project, "HEAD") else ref
    except subprocess.CalledProcessError:
        start = ref  # unrelated histories: compare with the ref itself
    diff = _git(project, "diff", "--name-status", "--no-renames", "--relative", "-z", start, "--", ".")
    fields = diff.split("\0")
    changed: dict[str, str] = {}
    for status, path in zip(fields[0::2], fields[1::2], strict=False):
        if path and _relevant(path):
            changed[path] = status
    for path in _git(project, "ls-files", "--others", "--exclude-standard", "-z", "--", ".").split("\0"):
        if path and _relevant(path):
            changed[path] = "A"
    if TAXONOMY in changed:
        return Changes(ref, tuple(sorted(changed)), True, f"{TAXONOMY} changed")
    deleted = sorted(p for p, s in changed.items() if s == "D")
    if deleted:
        return Changes(ref, tuple(sorted(changed)), True, f"{deleted[0]} was deleted")
    return Changes(ref, tuple(sorted(changed)), False)


def changed_paths(project: Project, changes: Changes) -> list[Path]:
    """The changed files that exist, as paths (what ``validate`` reports on)."""
    return [project.root / p for p in changes.files if (project.root / p).is_file()]
