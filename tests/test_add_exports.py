"""``add --bibtex`` on exports shaped like the real ones (DBLP, Google Scholar, ACL Anthology, arXiv): each gives
the exact record, or the exact error with its line; a second run never scaffolds the same paper again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, KbFactory, run_cli
from tests.test_add_bibtex import record

EXPORTS = REPO / "tests" / "data" / "exports"
NEXT = "next: fill in the tags and the summary, then run `site-builder validate --changed`\n"

CASES = {
    "dblp": (
        "created papers/zhang2021-visuo.yaml (from entry 'DBLP:conf/iccv/ZhangW21')\n"
        "dblp.bib:20: error [bibtex-string] entry 'DBLP:conf/iccv/Undefined21': cannot expand title: @string 'iccvw' "
        "is not defined in this file (define it before its first use); it was not added\n"
        "1 record created, 1 refused or unreadable\n" + NEXT,
        [record("zhang2021-visuo", "Visuo-Tactile Pretraining from Unlabelled Robot Play", ["Lei Zhang", "Hao Wang"],
                2021, "ICCV 2021", {"doi": "10.1109/ICCV48922.2021.00107"},
                "https://doi.org/10.1109/ICCV48922.2021.00107")],
    ),
    "scholar": (
        "created papers/bain2021-frozen.yaml (from entry 'bain2021frozen')\n"
        "scholar.bib:11: error [truncated-authors] entry 'alayrac2022flamingo': the author list is cut short "
        "('and others', as Google Scholar exports long lists); write every author, from the paper or DBLP; "
        "it was not added\n"
        "papers/bain2021-frozen.yaml: warning [check-fact] the title looks lower-cased (Google Scholar exports drop "
        "capitals and colons): copy it from the paper\n"
        "1 record created, 1 refused or unreadable\n" + NEXT,
        [record("bain2021-frozen", "Frozen in time a joint video and image encoder for end-to-end retrieval",
                ["Max Bain", "Arsha Nagrani", "Gül Varol", "Andrew Zisserman"], 2021, "ICCV 2021")],
    ),
    "acl": (
        "created papers/xu2021-videoclip.yaml (from entry 'xu-etal-2021-videoclip')\n"
        "1 record created, 0 refused or unreadable\n" + NEXT,
        [record("xu2021-videoclip", "VideoCLIP: Contrastive Pre-training for Zero-shot Video-Text Understanding",
                ["Hu Xu", "Gargi Ghosh", "Po-Yao Huang", "Dmytro Okhonko", "Armen Aghajanyan", "Florian Metze",
                 "Luke Zettlemoyer", "Christoph Feichtenhofer"], 2021, "EMNLP 2021",
                {"doi": "10.18653/v1/2021.emnlp-main.544"}, "https://doi.org/10.18653/v1/2021.emnlp-main.544")],
    ),
    "arxiv": (
        "created papers/radford2021-transferable.yaml (from entry 'radford2021learningtransferablevisualmodels')\n"
        "created papers/akbari2021-vatt.yaml (from entry 'akbari2021vatt')\n"
        "2 records created, 0 refused or unreadable\n" + NEXT,
        [record("radford2021-transferable", "Learning Transferable Visual Models From Natural Language Supervision",
                ["Alec Radford", "Jong Wook Kim", "Chris Hallacy", "Aditya Ramesh"], 2021, "arXiv",
                {"arxiv": "2103.00020"}, "https://arxiv.org/abs/2103.00020"),
         record("akbari2021-vatt",
                "VATT: Transformers for Multimodal Self-Supervised Learning from Raw Video, Audio and Text",
                ["Hassan Akbari", "Liangzhe Yuan", "Rui Qian"], 2021, "arXiv", {"arxiv": "2104.11178"},
                "https://arxiv.org/abs/2104.11178")],
    ),
}


def add(capsys: pytest.CaptureFixture[str], root: Path, bib: Path) -> tuple[int, str]:
    code, out, _ = run_cli(capsys, "add", "--root", str(root), "--bibtex", str(bib))
    return code, out


@pytest.mark.parametrize("name", sorted(CASES))
def test_export_gives_the_exact_records_and_errors(kb: KbFactory, capsys: pytest.CaptureFixture[str],
                                                   fixed_today: None, name: str) -> None:
    root = kb()
    bib = root / f"{name}.bib"
    shutil.copy(EXPORTS / f"{name}.bib", bib)
    report, records = CASES[name]
    code, out = add(capsys, root, bib)
    assert out == report
    assert code == (1 if "error [" in report else 0)
    assert sorted(p.stem for p in (root / "papers").glob("*.yaml")) == sorted(r["id"] for r in records)
    for expected in records:
        got = yaml.safe_load((root / "papers" / f"{expected['id']}.yaml").read_text(encoding="utf-8"))
        assert got == expected


def test_volumes_are_never_records_and_a_missing_parent_is_named(kb: KbFactory, capsys: pytest.CaptureFixture[str],
                                                                  fixed_today: None) -> None:
    root = kb()
    bib = root / "refs.bib"
    bib.write_text("@proceedings{conf/x/2020,\n  title = {Proceedings of X 2020},\n  year = {2020}\n}\n\n"
                   "@inproceedings{orphan,\n  title = {Audio Grounding Without a Volume},\n"
                   "  author = {Doe, Jane},\n  crossref = {conf/y/2020}\n}\n", encoding="utf-8")
    code, out = add(capsys, root, bib)
    assert out.splitlines()[1:3] == [
        "refs.bib:1: warning [bibtex-not-a-paper] entry 'conf/x/2020' is a @proceedings volume, not a paper; "
        "it was not added",
        "refs.bib:6: warning [bibtex-crossref] entry 'orphan' names crossref 'conf/y/2020', which is not in this "
        "file: check its venue and year"]
    assert code == 0
    assert [p.name for p in (root / "papers").iterdir()] == ["doe-grounding.yaml"]


@pytest.mark.parametrize("authors", ["Smith, John and Doe, Jane et al.", "Smith, John and et al.",
                                     "John Smith et al"])
def test_et_al_is_refused_as_an_author_list(kb: KbFactory, capsys: pytest.CaptureFixture[str], authors: str) -> None:
    root = kb()
    bib = root / "refs.bib"
    bib.write_text(f"@article{{k,\n  title = {{Audio Grounding}},\n  author = {{{authors}}},\n  year = 2020\n}}\n",
                   encoding="utf-8")
    code, out = add(capsys, root, bib)
    assert code == 1
    assert out.startswith("refs.bib:3: error [truncated-authors] entry 'k': the author list is cut short ('")
    assert list((root / "papers").iterdir()) == []


def test_a_hash_join_that_cannot_be_read_is_refused_with_its_line(kb: KbFactory,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    root = kb()
    bib = root / "refs.bib"
    bib.write_text("@article{a,\n  author = {Doe, Jane},\n  title = {Audio} # ,\n  year = 2020\n}\n\n"
                   "@article{b,\n  author = {Roe, Rita},\n  title = {Second Entry Still Read},\n  year = 2021\n}\n",
                   encoding="utf-8")
    code, out = add(capsys, root, bib)
    assert out.splitlines()[:2] == [
        "created papers/roe2021-second.yaml (from entry 'b')",
        "refs.bib:3: error [bibtex-string] entry 'a': cannot expand title: a '#' joins nothing; it was not added"]
    assert code == 1


@pytest.mark.parametrize("damage", ["schema", "yaml"])
def test_add_twice_creates_nothing_even_while_the_first_record_is_unfinished(
        kb: KbFactory, capsys: pytest.CaptureFixture[str], fixed_today: None, damage: str) -> None:
    root = kb()
    bib = root / "acl.bib"
    shutil.copy(EXPORTS / "acl.bib", bib)
    assert add(capsys, root, bib)[0] == 0
    path = root / "papers" / "xu2021-videoclip.yaml"
    text = path.read_text(encoding="utf-8")
    if damage == "schema":  # half-edited: a required field emptied, a tag that is not a list
        text = text.replace("year: 2021", "year:").replace("objective: []", "objective: contrastive")
    else:  # an unclosed quote: the YAML does not parse at all
        text = text.replace("summary: \"TODO", "summary: \"TODO \\\"", 1).replace("title: ", "title: \"", 1)
    path.write_text(text, encoding="utf-8")
    before = sorted(p.name for p in (root / "papers").iterdir())
    code, out = add(capsys, root, bib)
    assert code == 1
    assert out == ("acl.bib:1: error [duplicate-paper] entry 'xu-etal-2021-videoclip' is already in the collection as "
                   "papers/xu2021-videoclip.yaml (same DOI 10.18653/v1/2021.emnlp-main.544); nothing written\n"
                   "0 records created, 1 refused or unreadable\n")
    assert sorted(p.name for p in (root / "papers").iterdir()) == before


def test_a_volume_that_cannot_be_expanded_refuses_its_papers(kb: KbFactory,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    root = kb()
    bib = root / "refs.bib"
    bib.write_text("@inproceedings{a,\n  title = {Audio Grounding Without a Venue},\n  author = {Doe, Jane},\n"
                   "  crossref = {v}\n}\n\n@proceedings{v,\n  title = nope # { 2020},\n  year = 2020\n}\n",
                   encoding="utf-8")
    code, out = add(capsys, root, bib)
    assert code == 1
    assert out.splitlines()[0] == (
        "refs.bib:8: error [bibtex-string] entry 'a': cannot expand booktitle: @string 'nope' is not defined in this "
        "file (define it before its first use) (in crossref 'v'); it was not added")
    assert list((root / "papers").iterdir()) == []
