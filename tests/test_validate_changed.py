"""``validate --changed``: only records changed against a git base, plus the clashes that involve them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import KbFactory, dataset_yaml, paper_yaml, run_cli
from tests.gitrepo import git, init_repo


@pytest.fixture
def repo(kb: KbFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean knowledge base committed on main, with a feature branch checked out."""
    monkeypatch.delenv("GITHUB_BASE_REF", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    root = kb({"papers/a.yaml": paper_yaml("a", ids='\n  arxiv: "2101.00001"'),
               "papers/b.yaml": paper_yaml("b", ids='\n  arxiv: "2101.00002"'),
               "papers/old.yaml": paper_yaml("old", summary="Too short.", ids='\n  arxiv: "2101.00003"'),
               "datasets/coco.yaml": dataset_yaml()})
    init_repo(root)
    git(root, "switch", "-q", "-c", "feature")
    return root


def test_reports_changed_untracked_and_staged_records_only(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "papers" / "a.yaml").write_text(paper_yaml("a", ids='\n  arxiv: "2101.00001"', kind="methd"))
    (repo / "papers" / "new.yaml").write_text(paper_yaml("new", ids='\n  arxiv: "2101.00002"'))  # clashes with b
    (repo / "papers" / "staged.yaml").write_text(paper_yaml("staged", ids='\n  arxiv: "2101.00009"',
                                                            venue="ICML 2020"))
    git(repo, "add", "papers/staged.yaml")
    code, out, _ = run_cli(capsys, "validate", "--root", str(repo), "--changed")
    assert code == 1
    # old.yaml's summary warning is not reported: that file did not change
    assert out == (
        "papers/a.yaml:8:7: error [bad-value] kind: text 'methd' is not one of 'method', 'survey', 'analysis', "
        "'benchmark' or 'dataset' (did you mean 'method'?)\n"
        "papers/new.yaml:10:10: error [duplicate-arxiv] arXiv id '2101.00002' is also in papers/b.yaml\n"
        "papers/staged.yaml:7:8: error [venue-year] venue 'ICML 2020' names 2020 but year is 2021\n"
        "3 errors, 0 warnings (changed against main: 3 selected files of 5 papers, 1 dataset)\n")


def test_committed_changes_on_the_branch_count(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "papers" / "c.yaml").write_text(paper_yaml("c", ids='\n  arxiv: "2101.00004"'))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "add c")
    code, out, _ = run_cli(capsys, "validate", "--root", str(repo), "--changed", "--base", "main")
    assert (code, out) == (0, "0 errors, 0 warnings (changed against main: 1 selected file of 4 papers, 1 dataset)\n")


def test_nothing_changed(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "README.md").write_text("not a record\n")
    code, out, _ = run_cli(capsys, "validate", "--root", str(repo), "--changed")
    assert (code, out) == (0, "0 errors, 0 warnings (no changed records against main)\n")


def test_taxonomy_change_validates_everything(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with (repo / "taxonomy.yaml").open("a", encoding="utf-8") as fh:
        fh.write("# a comment\n")
    code, out, _ = run_cli(capsys, "validate", "--root", str(repo), "--changed", "--strict")
    assert code == 1
    assert out.splitlines()[-1] == ("1 error, 0 warnings (taxonomy.yaml changed, so everything: 3 papers, "
                                    "1 dataset)")
    assert "papers/old.yaml" in out


def test_deleting_a_dataset_validates_the_records_that_used_it(repo: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "papers" / "b.yaml").write_text(paper_yaml("b", ids='\n  arxiv: "2101.00002"', datasets="[coco]"))
    git(repo, "commit", "-qam", "b uses coco")
    git(repo, "switch", "-q", "main")
    git(repo, "merge", "-q", "feature")
    git(repo, "switch", "-q", "-c", "drop-coco")
    git(repo, "rm", "-q", "datasets/coco.yaml")
    code, out, _ = run_cli(capsys, "validate", "--root", str(repo), "--changed", "--base", "main")
    assert code == 1
    assert out.splitlines() == [
        "papers/b.yaml:22:12: error [unknown-dataset] no dataset record has id 'coco'",
        "papers/old.yaml:20:10: warning [summary-length] summary has 2 words; write 10 to 80 (one to three sentences)",
        "1 error, 1 warning (datasets/coco.yaml was deleted, so everything: 3 papers, 0 datasets)",
    ]


def test_base_defaults_to_the_pull_request_target(repo: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    git(repo, "update-ref", "refs/remotes/origin/release", "main")
    monkeypatch.setenv("GITHUB_BASE_REF", "release")
    (repo / "papers" / "c.yaml").write_text(paper_yaml("c", ids='\n  arxiv: "2101.00004"'))
    code, out, _ = run_cli(capsys, "validate", "--root", str(repo), "--changed", "--format", "text")
    assert (code, out) == (0, "0 errors, 0 warnings (changed against origin/release: 1 selected file of 4 papers, "
                              "1 dataset)\n")


def test_annotations_under_github_actions(repo: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    (repo / "papers" / "a.yaml").write_text(paper_yaml("a", ids='\n  arxiv: "2101.00001"', venue="ICML 2020"))
    code, out, _ = run_cli(capsys, "validate", "--root", str(repo), "--changed")
    assert code == 1
    assert out.splitlines()[0] == ("::error file=papers/a.yaml,line=7,col=8,title=venue-year::venue 'ICML 2020' "
                                   "names 2020 but year is 2021")


@pytest.mark.parametrize(("args", "message"), [
    (["--changed", "--base", "nope"], "unknown base 'nope': fetch it first (in CI, check out with fetch-depth: 0) "
                                      "or pass --base"),
    (["--base", "main"], "--base only makes sense with --changed"),
    (["--changed", "papers/a.yaml"], "give either --changed or PATHs, not both"),
], ids=["unknown-base", "base-alone", "paths-too"])
def test_usage_errors(repo: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    code, out, err = run_cli(capsys, "validate", "--root", str(repo), *args)
    assert (code, out, err) == (2, "", f"site-builder: error: {message}\n")


def test_outside_git_is_a_usage_error(kb: KbFactory, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    root = kb()
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(root.parent))
    code, _, err = run_cli(capsys, "validate", "--root", str(root), "--changed")
    assert code == 2
    assert err == f"site-builder: error: --changed needs a git checkout; {root} is not inside one\n"
