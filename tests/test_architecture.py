"""docs/architecture.md names every module of the package under its stage folder, and only modules that exist."""

from __future__ import annotations

import re

from tests.conftest import REPO

PACKAGE = REPO / "site_builder"


def documented_modules() -> set[str]:
    """Module paths (relative to site_builder/) named in the "Modules by stage" part of docs/architecture.md."""
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    part = text.split("## Modules by stage", 1)[1].split("\n## ", 1)[0]
    found: set[str] = set()
    folder = sub = ""
    for line in part.splitlines():
        heading = re.match(r"### `([a-z_/]+)/`", line)
        if heading:
            folder, sub = heading.group(1), ""
            continue
        item = re.match(r"(\s*)- `([a-z_]+)(\.py|/)`", line)
        if not item:
            continue
        indent, name, kind = item.groups()
        if kind == "/":
            sub = name
        elif indent:
            found.add(f"{folder}/{sub}/{name}.py")
        else:
            sub = ""
            found.add(f"{folder}/{name}.py")
    return found


def test_every_module_is_named_under_its_stage() -> None:
    actual = {p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")
              if p.name != "__init__.py" and p.parent != PACKAGE}
    actual.add("site/render/__init__.py")  # the render stage's entry point is its package module
    assert documented_modules() == actual


def test_the_package_has_no_flat_modules_beside_its_stages() -> None:
    flat = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert flat == ["__init__.py", "__main__.py"]
