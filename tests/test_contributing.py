"""The worked example of CONTRIBUTING.md, run as written, ends with a record that validates.

Blocks preceded by ``<!-- run -->`` are shell sessions: each ``$ `` line is run in a copy of the repository's
knowledge base (a fresh git repository on ``main``) and its output must match the lines shown (``...`` stands for
any text, e.g. counts that grow with the collection). Blocks preceded by ``<!-- file: PATH -->`` are written to
PATH, as the contributor does by saving a download or editing in an editor.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import REPO
from tests.gitrepo import GIT_ENV, init_repo

DOC = REPO / "CONTRIBUTING.md"
MARK = re.compile(r"^<!-- (run|file: (\S+)) -->\n```[a-z]*\n(.*?)^```$", re.S | re.M)


@dataclass
class Step:
    kind: str  # "run" or "file"
    target: str
    body: str


def steps() -> list[Step]:
    return [Step("file" if m.group(2) else "run", m.group(2) or "", m.group(3))
            for m in MARK.finditer(DOC.read_text(encoding="utf-8"))]


def sessions(body: str) -> list[tuple[str, list[str]]]:
    """(command, expected output lines) for each ``$ `` line of a console block."""
    out: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            out.append((line[2:], []))
        else:
            out[-1][1].append(line)
    return out


def matches(expected: list[str], actual: list[str]) -> bool:
    if len(expected) != len(actual):
        return False
    return all(re.fullmatch(".*".join(re.escape(p) for p in e.split("...")), a) for e, a in zip(expected, actual,
                                                                                            strict=True))


def test_the_worked_example_runs_as_written(tmp_path: Path) -> None:
    work = tmp_path / "kb"
    work.mkdir()
    for name in ("taxonomy.yaml", "papers", "datasets", "data", ".gitignore"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, work / name)
    init_repo(work)
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "site-builder").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m site_builder "$@"\n')
    (shim / "site-builder").chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env.update(GIT_ENV, PATH=f"{shim}{os.pathsep}{env['PATH']}", PYTHONPATH=str(REPO),
               SITE_BUILDER_TODAY="2026-11-28")
    plan = steps()
    assert [s.kind for s in plan].count("run") >= 4 and any(s.target.startswith("papers/") for s in plan)
    last_validate: int | None = None
    for step in plan:
        if step.kind == "file":
            (work / step.target).write_text(step.body, encoding="utf-8")
            continue
        for command, expected in sessions(step.body):
            proc = subprocess.run(["bash", "-c", command], cwd=work, env=env, capture_output=True, text=True)
            actual = (proc.stdout + proc.stderr).splitlines()
            assert matches(expected, actual), f"$ {command}\nexpected:\n" + "\n".join(expected) + \
                "\ngot:\n" + "\n".join(actual)
            if command.startswith("site-builder validate"):
                last_validate = proc.returncode
    assert last_validate == 0, "the example must end with a record that validates"
    final = subprocess.run([sys.executable, "-m", "site_builder", "validate", "--strict"], cwd=work, env=env,
                           capture_output=True, text=True)
    assert (final.returncode, final.stdout.splitlines()[-1][:18]) == (0, "0 errors, 0 warnin")
    status = subprocess.run(["git", "status", "--porcelain"], cwd=work, env=env, capture_output=True, text=True)
    assert status.stdout == ""
