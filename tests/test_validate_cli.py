"""The validate command: exact output, exit codes and formats."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from site_builder.cli.commands import main
from tests.conftest import KbFactory, dataset_yaml, paper_yaml


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_clean_kb_exits_zero(kb: KbFactory, capsys: pytest.CaptureFixture[str]) -> None:
    root = kb({"papers/clip.yaml": paper_yaml(), "datasets/coco.yaml": dataset_yaml()})
    code, out, _ = run(capsys, "validate", "--root", str(root))
    assert (code, out) == (0, "0 errors, 0 warnings (1 paper, 1 dataset)\n")


def test_misspelt_tag_gives_one_error_with_line_and_hint(kb: KbFactory, capsys: pytest.CaptureFixture[str]) -> None:
    tags = "\n  objective: [contrastiv]\n  architecture: [fusion-free]\n  modality: [image, text]"
    root = kb({"papers/clip.yaml": paper_yaml(tags=tags)})
    code, out, _ = run(capsys, "validate", "--root", str(root))
    assert code == 1
    assert out == (
        "papers/clip.yaml:17:15: error [unknown-tag] 'contrastiv' is not a node of facet 'objective' "
        "(did you mean 'contrastive'?)\n"
        "1 error, 0 warnings (1 paper, 0 datasets)\n"
    )


def test_alias_used_as_tag_points_to_the_id(kb: KbFactory, capsys: pytest.CaptureFixture[str]) -> None:
    tags = "\n  objective: [contrastive]\n  architecture: [dual-encoder]\n  modality: [image]"
    root = kb({"papers/clip.yaml": paper_yaml(tags=tags)})
    code, out, _ = run(capsys, "validate", "--root", str(root))
    assert code == 1
    assert "[unknown-tag] 'dual-encoder' is not a node of facet 'architecture'; it is an alias of 'fusion-free'" in out


def test_duplicate_key_names_key_and_line(kb: KbFactory, capsys: pytest.CaptureFixture[str]) -> None:
    text = paper_yaml() + "year: 2020\n"
    root = kb({"papers/clip.yaml": text})
    code, out, _ = run(capsys, "validate", "--root", str(root))
    assert code == 1
    assert out.splitlines()[:2] == [  # the duplicate hides nothing: the later value is checked as YAML keeps it
        "papers/clip.yaml:7:8: error [venue-year] venue 'ICML 2021' names 2021 but year is 2020",
        "papers/clip.yaml:22:1: error [duplicate-key] duplicate key 'year' (first at line 6): "
        "YAML would silently keep only the last one"]


def test_warnings_fail_only_with_strict(kb: KbFactory, capsys: pytest.CaptureFixture[str]) -> None:
    root = kb({"papers/clip.yaml": paper_yaml(summary="Too short.")})
    code, out, _ = run(capsys, "validate", "--root", str(root))
    assert code == 0
    assert "warning [summary-length] summary has 2 words" in out
    code, out, _ = run(capsys, "validate", "--root", str(root), "--strict")
    assert code == 1
    assert "papers/clip.yaml:20:10: error [summary-length]" in out


def test_collects_problems_from_every_file(kb: KbFactory, capsys: pytest.CaptureFixture[str]) -> None:
    root = kb({
        "papers/a.yaml": paper_yaml("a", year="1800"),
        "papers/b.yaml": paper_yaml("b", kind="methd"),
        "papers/c.yaml": paper_yaml("x"),
    })
    code, out, _ = run(capsys, "validate", "--root", str(root))
    assert code == 1
    codes = [line.split("[")[1].split("]")[0] for line in out.splitlines()[:-1]]
    assert codes == ["bad-year", "bad-value", "id-mismatch"]


def test_json_is_one_document_with_every_problem(kb: KbFactory, capsys: pytest.CaptureFixture[str]) -> None:
    root = kb({"papers/a.yaml": paper_yaml("a", year="1800"), "papers/b.yaml": paper_yaml("b", kind="methd")})
    code, out, _ = run(capsys, "validate", "--root", str(root), "--format", "json")
    doc = json.loads(out)
    assert code == 1
    assert doc["errors"] == 2 and doc["ok"] is False
    assert [(p["path"], p["line"], p["code"]) for p in doc["problems"]] == [
        ("papers/a.yaml", 6, "bad-year"), ("papers/b.yaml", 8, "bad-value")]


def test_github_format_is_default_under_actions(kb: KbFactory, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    root = kb({"papers/a.yaml": paper_yaml("a", venue="'ICML, 2020'")})
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    code, out, _ = run(capsys, "validate", "--root", str(root))
    assert code == 1
    assert out.splitlines()[0] == (
        "::error file=papers/a.yaml,line=7,col=8,title=venue-year::venue 'ICML, 2020' names 2020 but year is 2021")


def test_paths_restrict_the_report_but_keep_clashes(kb: KbFactory, capsys: pytest.CaptureFixture[str]) -> None:
    root = kb({"papers/a.yaml": paper_yaml("a"), "papers/b.yaml": paper_yaml("b", year="1800"),
               "papers/c.yaml": paper_yaml("c")})
    code, out, _ = run(capsys, "validate", "--root", str(root), str(root / "papers/a.yaml"))
    # a and c share the arXiv id: the clash is reported on c, which names a
    assert code == 1
    assert out == ("papers/c.yaml:10:10: error [duplicate-arxiv] arXiv id '2103.00020' is also in papers/a.yaml\n"
                   "1 error, 0 warnings (1 selected file of 3 papers, 0 datasets)\n")


def test_checks_option_selects_named_checks(kb: KbFactory, capsys: pytest.CaptureFixture[str]) -> None:
    root = kb({"papers/a.yaml": paper_yaml("a"), "papers/c.yaml": paper_yaml("c", venue="ICML 2020")})
    code, out, _ = run(capsys, "validate", "--root", str(root), "--checks", "venue-year")
    assert code == 1
    assert "[venue-year]" in out and "[duplicate-arxiv]" not in out


def test_unknown_check_is_a_usage_error(kb: KbFactory, capsys: pytest.CaptureFixture[str]) -> None:
    root = kb()
    code, out, err = run(capsys, "validate", "--root", str(root), "--checks", "venue-yaer")
    assert (code, out) == (2, "")
    assert err == "site-builder: error: unknown check 'venue-yaer' (did you mean 'venue-year'?); see --list-checks\n"


def test_list_checks_names_every_registered_check(capsys: pytest.CaptureFixture[str]) -> None:
    from site_builder.checks import REGISTRY

    code, out, _ = run(capsys, "validate", "--list-checks")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == list(REGISTRY)
    for required in ("duplicate-id", "duplicate-arxiv", "duplicate-doi", "similar-title", "duplicate-code",
                     "unknown-dataset"):
        assert required in REGISTRY


def test_missing_path_is_a_usage_error(kb: KbFactory, capsys: pytest.CaptureFixture[str]) -> None:
    root = kb()
    code, _, err = run(capsys, "validate", "--root", str(root), str(root / "papers/nope.yaml"))
    assert code == 2 and "no such file" in err


def test_no_knowledge_base_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "validate", "--root", str(tmp_path))
    assert code == 2 and "has no taxonomy.yaml" in err


def test_bad_option_exits_two() -> None:
    proc = subprocess.run([sys.executable, "-m", "site_builder", "validate", "--format", "xml"],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "invalid choice: 'xml'" in proc.stderr


def test_console_script_runs_in_the_repository() -> None:
    proc = subprocess.run(["site-builder", "validate", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0
    assert "--list-checks" in proc.stdout


def test_one_file_gets_its_yaml_schema_and_check_problems_in_one_run(kb: KbFactory,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    text = paper_yaml(
        links="\n  paper: https://arxiv.org/abs/2103.00020\n  code:\n    - url: ftp://example.org/code\n"
              "      official: true",
        tags="\n  objective: [contrastiv]\n  architecture: [fusion-free]\n  modality: [image, text]",
        authors="\n  - Ada Lovelace\n  - others",
    ) + "kind: method\n"
    root = kb({"papers/clip.yaml": text, "papers/syntax.yaml": "id: syntax\ntitle: \"Unclosed\nyear: 2021\n"})
    code, out, _ = run(capsys, "validate", "--root", str(root))
    assert code == 1
    assert out == (
        "papers/clip.yaml:5:5: error [truncated-authors] author 'others' stands for authors left out: list every "
        "author in published order (from the paper or DBLP)\n"
        "papers/clip.yaml:14:12: error [bad-url] links.code[0].url: 'ftp://example.org/code' is not an https URL "
        "(scheme 'ftp' is not allowed)\n"
        "papers/clip.yaml:17:15: error [unknown-tag] 'contrastiv' is not a node of facet 'objective' (did you mean "
        "'contrastive'?)\n"
        "papers/clip.yaml:22:1: error [duplicate-key] duplicate key 'kind' (first at line 8): YAML would silently "
        "keep only the last one\n"
        "papers/syntax.yaml:2:8: error [yaml-syntax] while scanning a quoted scalar: found unexpected end of stream "
        "(the parser stopped at line 4, column 1)\n"
        "5 errors, 0 warnings (2 papers, 0 datasets)\n")
