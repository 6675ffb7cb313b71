"""``add`` end to end: idempotence, duplicates, never overwriting, validation afterwards, the online path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from site_builder.safe.files import create_new
from tests.conftest import KbFactory, paper_yaml, run_cli
from tests.localhttp import Reply, Request, serve

pytestmark = pytest.mark.usefixtures("fixed_today")


@pytest.fixture(autouse=True)
def _unpaced(monkeypatch: pytest.MonkeyPatch) -> None:
    """The project's S2 client paces calls (3 s without a key); the local server needs no pacing."""
    monkeypatch.setenv("S2_MIN_INTERVAL", "0")

IMAGEBIND = """\
@inproceedings{girdhar2023imagebind,
  title     = {{ImageBind}: One Embedding Space To Bind Them All},
  author    = {Girdhar, Rohit and El-Nouby, Alaaeldin and Liu, Zhuang and Singh, Mannat and Alwala, Kalyan Vasudev
               and Joulin, Armand and Misra, Ishan},
  booktitle = {Proceedings of the IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)},
  year      = {2023},
  eprint    = {2305.05665},
  archivePrefix = {arXiv}
}
"""




def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_add_twice_creates_nothing_the_second_time_and_says_why(kb: KbFactory,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    root = kb()
    (root / "refs.bib").write_text(IMAGEBIND, encoding="utf-8")
    code, out, _ = run_cli(capsys, "add", "--root", str(root), "--bibtex", str(root / "refs.bib"))
    assert code == 0
    assert out.splitlines()[0] == "created papers/girdhar2023-imagebind.yaml (from entry 'girdhar2023imagebind')"
    before = snapshot(root / "papers")
    code, out, _ = run_cli(capsys, "add", "--root", str(root), "--bibtex", str(root / "refs.bib"))
    assert code == 1
    assert out == ("refs.bib:1: error [duplicate-paper] entry 'girdhar2023imagebind' is already in the collection "
                   "as papers/girdhar2023-imagebind.yaml (same arXiv id 2305.05665); nothing written\n"
                   "0 records created, 1 refused or unreadable\n")
    assert snapshot(root / "papers") == before


def test_add_then_validate_reports_only_what_the_contributor_must_fill(kb: KbFactory,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    root = kb({"papers/clip.yaml": paper_yaml()})
    (root / "refs.bib").write_text(IMAGEBIND, encoding="utf-8")
    assert run_cli(capsys, "add", "--root", str(root), "--bibtex", str(root / "refs.bib"))[0] == 0
    code, out, _ = run_cli(capsys, "validate", "--root", str(root), "--strict")
    assert code == 1
    assert out == (
        "papers/girdhar2023-imagebind.yaml:26:14: error [missing-tag] a method record needs at least one 'objective' "
        "tag (allowed: instance-discrimination, contrastive, matching, clustering, masked-prediction, auto-encoding, "
        "auto-regressive)\n"
        "papers/girdhar2023-imagebind.yaml:29:17: error [missing-tag] a method record needs at least one "
        "'architecture' tag (allowed: joint-fusion, fusion-encoder, fusion-decoder, stitching, shallow-prompt, "
        "deep-interaction, fusion-free)\n"
        "papers/girdhar2023-imagebind.yaml:37:13: error [missing-tag] a method record needs at least one 'modality' "
        "tag (allowed: image, video, text, audio, speech, point-cloud, lidar, depth, thermal, multispectral, sar, "
        "radar, tactile, proprioception, tabular, time-series, genomics, graph, spectra)\n"
        "papers/girdhar2023-imagebind.yaml:41:10: error [placeholder-summary] write the summary: one to three "
        "sentences in your own words (never the abstract)\n"
        "4 errors, 0 warnings (2 papers, 0 datasets)\n")
    lines = (root / "papers" / "girdhar2023-imagebind.yaml").read_text(encoding="utf-8").splitlines()
    assert [lines[n - 1].strip() for n in (26, 29, 37)] == ["objective: []", "architecture: []", "modality: []"]
    assert lines[40].startswith("summary: \"TODO:")


@pytest.mark.parametrize(("field", "value", "why"), [
    ("ids", '\n  doi: 10.1109/CVPR52729.2023.01457', "same DOI 10.1109/cvpr52729.2023.01457"),
    ("title", '"Imagebind -- one embedding space to bind them all"', "same title"),
    ("title", '"ImageBind: One Embedding Space to Bind Them All!!"', "same title"),
    ("title", '"ImageBind: One Embedding Space That Binds Them All"', "nearly the same title"),
], ids=["doi-case", "title-punctuation", "title-exclamation", "title-near"])
def test_likely_duplicates_are_refused_naming_the_record(kb: KbFactory, capsys: pytest.CaptureFixture[str],
                                                         field: str, value: str, why: str) -> None:
    root = kb({"papers/imagebind.yaml": paper_yaml("imagebind", **{field: value})})
    bib = IMAGEBIND.replace("  eprint    = {2305.05665},\n", "  doi = {10.1109/cvpr52729.2023.01457},\n")
    if field == "ids":
        bib = bib.replace("{ImageBind}: One Embedding", "Something Else Entirely Named")
    (root / "refs.bib").write_text(bib, encoding="utf-8")
    code, out, _ = run_cli(capsys, "add", "--root", str(root), "--bibtex", str(root / "refs.bib"))
    assert code == 1
    assert out.splitlines()[0] == (f"refs.bib:1: error [duplicate-paper] entry 'girdhar2023imagebind' is already in "
                                   f"the collection as papers/imagebind.yaml ({why}); nothing written")
    assert sorted(p.name for p in (root / "papers").iterdir()) == ["imagebind.yaml"]


def test_a_taken_id_is_never_overwritten(kb: KbFactory, capsys: pytest.CaptureFixture[str]) -> None:
    other = paper_yaml("girdhar2023-imagebind", ids="\n  arxiv: \"2101.00001\"")
    root = kb({"papers/girdhar2023-imagebind.yaml": other})
    (root / "refs.bib").write_text(IMAGEBIND, encoding="utf-8")
    code, out, _ = run_cli(capsys, "add", "--root", str(root), "--bibtex", str(root / "refs.bib"))
    assert code == 0
    assert out.splitlines()[0] == "created papers/girdhar2023-embedding.yaml (from entry 'girdhar2023imagebind')"
    assert (root / "papers" / "girdhar2023-imagebind.yaml").read_text(encoding="utf-8") == other


def test_create_new_refuses_an_existing_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "papers" / "x.yaml"
    create_new(target, "first\n")
    with pytest.raises(FileExistsError):
        create_new(target, "second\n")
    assert target.read_text(encoding="utf-8") == "first\n"
    assert [p.name for p in target.parent.iterdir()] == ["x.yaml"]


S2_IMAGEBIND = {
    "paperId": "2d1f0e1e0c5c5b7a3f6c8e9d0a1b2c3d4e5f6a7b", "title": "ImageBind One Embedding Space to Bind Them All",
    "year": 2023, "venue": "Computer Vision and Pattern Recognition",
    "publicationVenue": {"id": "x", "name": "Computer Vision and Pattern Recognition", "alternate_names": ["CVPR"]},
    "journal": {"name": "2023 IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)"},
    "externalIds": {"ArXiv": "2305.05665", "DOI": "10.1109/CVPR52729.2023.01457", "CorpusId": 258564264},
    "authors": [{"authorId": "1", "name": "Rohit Girdhar"}, {"authorId": "2", "name": "Alaaeldin El-Nouby"},
                {"authorId": None, "name": "Ishan Misra"}],
}


def test_add_by_arxiv_id_looks_the_paper_up_on_semantic_scholar(kb: KbFactory, capsys: pytest.CaptureFixture[str],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    answers = [Reply(429, json.dumps({"message": "Too Many Requests", "code": "429"}), {"Retry-After": "0"}),
               Reply(200, json.dumps(S2_IMAGEBIND), {"Content-Type": "application/json"})]

    def paper(_req: Request) -> Reply:
        return answers.pop(0)

    root = kb()
    with serve({"/graph/v1/paper/ARXIV:2305.05665": paper}) as server:
        monkeypatch.setenv("S2_API_URL", server.url + "/graph/v1")
        monkeypatch.setenv("S2_API_KEY", "sekret-key-123")
        code, out, err = run_cli(capsys, "add", "--root", str(root), "ARXIV:2305.05665v2")
    assert code == 0, out + err
    assert out.splitlines()[0] == "created papers/girdhar2023-imagebind.yaml (from ARXIV:2305.05665)"
    assert "sekret" not in out + err
    assert [(r.method, r.query, r.headers.get("x-api-key")) for r in server.log] == [
        ("GET", "fields=title%2Cauthors%2Cyear%2Cvenue%2CpublicationVenue%2Cjournal%2CexternalIds", "sekret-key-123")
    ] * 2
    text = (root / "papers" / "girdhar2023-imagebind.yaml").read_text(encoding="utf-8")
    assert "\ntitle: ImageBind One Embedding Space to Bind Them All\n" in text
    assert ("\nauthors:\n  - Rohit Girdhar\n  - Alaaeldin El-Nouby\n  - Ishan Misra\n"
            "year: 2023\nvenue: CVPR 2023\n") in text
    assert '\nids:\n  arxiv: "2305.05665"\n  doi: 10.1109/CVPR52729.2023.01457\n' in text
    assert "\n  paper: https://arxiv.org/abs/2305.05665\n" in text


def test_unknown_identifier_is_reported_and_nothing_written(kb: KbFactory, capsys: pytest.CaptureFixture[str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    root = kb()
    not_found = Reply(404, json.dumps({"error": "Paper with id DOI:10.1234/nothing not found"}))
    with serve({"/paper/DOI:10.1234/nothing": lambda _r: not_found}) as server:
        monkeypatch.setenv("S2_API_URL", server.url)
        code, out, _ = run_cli(capsys, "add", "--root", str(root), "doi:10.1234/nothing")
    assert code == 1
    # the message after the prefix is the client's own (the project's S2 client or the minimal stand-in)
    assert out.startswith("DOI:10.1234/nothing: error [lookup-failed] Semantic Scholar lookup failed: ")
    assert out.endswith("\n0 records created, 1 refused or unreadable\n") and out.count("\n") == 2
    assert list((root / "papers").iterdir()) == []


def test_a_lookup_of_a_known_paper_is_refused_as_duplicate(kb: KbFactory, capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    root = kb({"papers/imagebind.yaml": paper_yaml("imagebind", ids='\n  arxiv: "2305.05665"')})
    ok = Reply(200, json.dumps(S2_IMAGEBIND))
    with serve({"/paper/ARXIV:2305.05665": lambda _r: ok}) as server:
        monkeypatch.setenv("S2_API_URL", server.url)
        code, out, _ = run_cli(capsys, "add", "--root", str(root), "ARXIV:2305.05665")
    assert code == 1
    assert out.splitlines()[0] == ("ARXIV:2305.05665: error [duplicate-paper] ARXIV:2305.05665 is already in the "
                                   "collection as papers/imagebind.yaml (same arXiv id 2305.05665); nothing written")


@pytest.mark.parametrize(("source", "message"), [
    ("ARXIV:notanid", "'ARXIV:notanid': 'notanid' is not an arXiv id (expected like ARXIV:2103.00020)"),
    ("PMID:123", "'PMID:123': expected ARXIV:<id> or DOI:<doi> (or --bibtex FILE)"),
], ids=["bad-arxiv", "other-scheme"])
def test_bad_identifiers_are_usage_errors(kb: KbFactory, capsys: pytest.CaptureFixture[str], source: str,
                                          message: str) -> None:
    code, _, err = run_cli(capsys, "add", "--root", str(kb()), source)
    assert (code, err) == (2, f"site-builder: error: {message}\n")


@pytest.mark.parametrize(("field", "value", "message"), [
    ("publicationVenue", "CVPR", "publicationVenue is a string, expected an object"),
    ("externalIds", ["ArXiv", "2305.05665"], "externalIds is a list, expected an object"),
    ("authors", 7, "authors is a whole number, expected a list"),
    ("title", {"text": "ImageBind"}, "title is an object, expected a string"),
], ids=["venue-string", "external-ids-list", "authors-number", "title-object"])
def test_a_wrong_typed_field_is_a_lookup_problem_not_a_crash(kb: KbFactory, capsys: pytest.CaptureFixture[str],
                                                             monkeypatch: pytest.MonkeyPatch, field: str,
                                                             value: object, message: str) -> None:
    root = kb()
    answer = Reply(200, json.dumps({**S2_IMAGEBIND, field: value}))
    with serve({"/paper/ARXIV:2305.05665": lambda _r: answer}) as server:
        monkeypatch.setenv("S2_API_URL", server.url)
        code, out, err = run_cli(capsys, "add", "--root", str(root), "ARXIV:2305.05665")
    assert (code, err) == (1, "")
    assert out == (f"ARXIV:2305.05665: error [lookup-failed] Semantic Scholar lookup failed: GET "
                   f"/paper/ARXIV:2305.05665: the answer: {message}\n0 records created, 1 refused or unreadable\n")
    assert list((root / "papers").iterdir()) == []


def test_draft_from_a_wrong_typed_answer_leaves_the_fields_empty() -> None:
    from site_builder.tools.add.online import draft_from_paper

    draft = draft_from_paper({"title": "T", "publicationVenue": "CVPR", "journal": ["x"], "externalIds": [1],
                              "authors": 3, "year": "2021"}, "ARXIV:1")
    assert (draft.title, draft.authors, draft.year, draft.arxiv, draft.doi) == ("T", [], None, None, None)


def test_a_hostile_answer_to_add_is_reported_in_bounded_time(kb: KbFactory, capsys: pytest.CaptureFixture[str],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    root = kb()
    deep = Reply(200, "[" * 100000 + "]" * 100000)
    with serve({"/paper/ARXIV:2305.05665": lambda _r: deep}) as server:
        monkeypatch.setenv("S2_API_URL", server.url)
        start = time.monotonic()
        code, out, err = run_cli(capsys, "add", "--root", str(root), "ARXIV:2305.05665")
    assert (code, err) == (1, "") and time.monotonic() - start < 10
    assert out.startswith("ARXIV:2305.05665: error [lookup-failed] Semantic Scholar lookup failed: GET "
                          "/paper/ARXIV:2305.05665: the JSON document is nested deeper than 64 levels\n")
    assert len(server.log) == 1
