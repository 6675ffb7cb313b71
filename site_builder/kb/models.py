"""The record schema, declared once: pydantic models with a one-line description per field.

These models check what one record can tell about itself (types, URL schemes, identifier syntax, id slugs,
year range). Rules that need the taxonomy or other records live in :mod:`site_builder.rules` and
:mod:`site_builder.checks`. The contributor documentation of the schema is generated from these descriptions.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
ARXIV_RE = re.compile(r"(?:\d{4}\.\d{4,5}|[a-z][a-z.-]*(?:\.[A-Z]{2})?/\d{7})")
DOI_RE = re.compile(r"10\.\d{4,9}/\S+")
WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
MIN_YEAR = 1950
MAX_SLUG = 80
#: How ``site-builder add`` marks the summary it cannot write; a summary starting with it is unfinished.
PLACEHOLDER = "TODO"


def max_year() -> int:
    """The latest plausible publication year: next year."""
    return dt.date.today().year + 1


#: Slugs found valid in this process (tags repeat across thousands of records: a set lookup instead of the checks).
_VALID_SLUGS: set[str] = set()


def _slug(value: str) -> str:
    if value in _VALID_SLUGS:
        return value
    if len(value) > MAX_SLUG or not SLUG_RE.fullmatch(value):
        raise PydanticCustomError(
            "bad-id",
            "{value} is not a valid id: use lowercase ASCII letters, digits and single hyphens "
            "(at most {max} characters), such as 'clip' or 'alwassel2020-xdc'",
            {"value": repr(value[:100]), "max": MAX_SLUG},
        )
    if value in WINDOWS_RESERVED:
        raise PydanticCustomError("bad-id", "{value} is a reserved file name on Windows", {"value": repr(value)})
    if len(_VALID_SLUGS) < 100_000:
        _VALID_SLUGS.add(value)
    return value


_HTTPS_RE = re.compile(r"https://\S+")


def _https(value: str) -> str:
    if not _HTTPS_RE.fullmatch(value):
        scheme = value.split(":", 1)[0] if ":" in value else ""
        hint = f" (scheme {scheme!r} is not allowed)" if scheme and scheme != "https" else ""
        raise PydanticCustomError(
            "bad-url", "{value} is not an https URL{hint}", {"value": repr(value[:120]), "hint": hint}
        )
    return value


def _arxiv(value: str) -> str:
    if not ARXIV_RE.fullmatch(value):
        raise PydanticCustomError(
            "bad-arxiv",
            "{value} is not an arXiv id without version (expected like '2103.00020' or 'cs/0501001')",
            {"value": repr(value)},
        )
    return value


def _doi(value: str) -> str:
    if not DOI_RE.fullmatch(value):
        raise PydanticCustomError(
            "bad-doi", "{value} is not a DOI (expected '10.<registrant>/<suffix>', without https://doi.org/)",
            {"value": repr(value)},
        )
    return value


def _year(value: int) -> int:
    if not MIN_YEAR <= value <= max_year():
        raise PydanticCustomError(
            "bad-year", "year {value} is outside {low}..{high}", {"value": value, "low": MIN_YEAR, "high": max_year()}
        )
    return value


def _short_name(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("empty-text", "a short name must not be empty", {})
    if value != value.strip():
        raise PydanticCustomError("bad-short-name", "short name {value} has leading or trailing spaces",
                                  {"value": repr(value)})
    return value


def _line(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("empty-text", "text must not be empty", {})
    return value


Slug = Annotated[str, AfterValidator(_slug)]
HttpsUrl = Annotated[str, StringConstraints(max_length=2000), AfterValidator(_https)]
ArxivId = Annotated[str, AfterValidator(_arxiv)]
Doi = Annotated[str, AfterValidator(_doi)]
Year = Annotated[int, AfterValidator(_year)]
#: Non-empty text of one line's worth (titles, names, venues, labels).
Text = Annotated[str, StringConstraints(max_length=400), AfterValidator(_line)]
#: Non-empty prose (summaries, notes).
Prose = Annotated[str, StringConstraints(max_length=2000), AfterValidator(_line)]
#: A name people type to find a paper ("CLIP", "BLIP-2"): one line, no surrounding spaces.
ShortName = Annotated[str, StringConstraints(max_length=40), AfterValidator(_short_name)]
S2Id = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{40}$")]

PaperKind = Literal["method", "survey", "analysis", "benchmark", "dataset"]
DatasetCategory = Literal["image-text", "image-text-audio", "video-text", "video-audio", "point-cloud", "image-lidar",
                          "audio-text", "medical", "remote-sensing", "robotics", "tactile", "multimodal"]


class Strict(BaseModel):
    """Base: unknown keys are errors (a typo must never silently drop data); values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class Identifiers(Strict):
    """External identifiers of a paper."""

    arxiv: ArxivId | None = Field(None, description="arXiv id without version, e.g. 2103.00020")
    doi: Doi | None = Field(None, description="DOI without the https://doi.org/ prefix")
    s2: S2Id | None = Field(None, description="Semantic Scholar paper id (40 hex digits), if known")


class CodeLink(Strict):
    """One code repository."""

    url: HttpsUrl = Field(description="https URL of the repository")
    official: bool = Field(description="true when the paper's authors published it")
    shared: bool = Field(False, description="true when the repository also hosts other papers of the collection")


class PaperLinks(Strict):
    """Where to read the paper and find its code."""

    paper: HttpsUrl | None = Field(None, description="landing page of the paper (arXiv abstract, DOI or venue page)")
    pdf: HttpsUrl | None = Field(None, description="direct PDF link")
    project: HttpsUrl | None = Field(None, description="project page")
    code: list[CodeLink] = Field(default_factory=list, description="code repositories, official ones first")


class PaperTags(Strict):
    """Taxonomy tags: one list of node ids per facet of taxonomy.yaml."""

    objective: list[Slug] = Field(default_factory=list, description="how the training signal is made")
    architecture: list[Slug] = Field(default_factory=list, description="how modalities are fused")
    alignment: list[Slug] = Field(default_factory=list, description="pair-free alignment setting, if any")
    application: list[Slug] = Field(default_factory=list, description="application area ('general' if none)")
    modality: list[Slug] = Field(default_factory=list, description="modalities the paper learns from")
    challenge: list[Slug] = Field(default_factory=list, description="open challenge the paper addresses")

    def of(self, facet: str) -> list[str]:
        """The tags on ``facet``; empty for a facet the schema has no field for (cheaper than ``model_dump``)."""
        values: list[str] = self.__dict__[facet] if facet in _TAG_FIELDS else []
        return values


#: The facets a paper record can tag, in schema order.
TAG_FACETS = tuple(PaperTags.model_fields)
_TAG_FIELDS = frozenset(TAG_FACETS)


class Paper(Strict):
    """A curated paper record: papers/<id>.yaml."""

    id: Slug = Field(description="permanent lowercase slug, equal to the file name without .yaml")
    title: Text = Field(description="title as published, in title case")
    short_name: list[ShortName] = Field(
        default_factory=list,
        description="names people type to find the paper, e.g. [CLIP] (unique across records, ignoring case)")
    authors: list[Text] = Field(min_length=1, max_length=3000,
                                description="the full names of all authors in published order (a list cut short "
                                            "with others or et al. is an error)")
    year: Year = Field(description="publication year (journal papers: the issue year)")
    venue: Text = Field(description="short canonical venue with year, e.g. 'CVPR 2022', or 'arXiv'")
    kind: PaperKind = Field(description="method, survey, analysis, benchmark or dataset")
    ids: Identifiers = Field(default_factory=Identifiers, description="external identifiers")
    links: PaperLinks = Field(default_factory=PaperLinks, description="paper, PDF, project and code links")
    tags: PaperTags = Field(default_factory=PaperTags, description="taxonomy node ids per facet")
    datasets: list[Slug] = Field(default_factory=list, description="ids of dataset records it trains or evaluates on")
    summary: Prose = Field(description="one to three sentences in our own words: what, from which modalities, key idea")
    added: dt.date = Field(description="date the record entered the collection (YYYY-MM-DD)")
    notes: Prose | None = Field(None, description="curator note, e.g. a correction applied to the survey's list")


class DatasetLink(Strict):
    """A labelled link of a dataset."""

    label: Text = Field(description="short label such as Website, Code, Paper or Download")
    url: HttpsUrl = Field(description="https URL")


class Dataset(Strict):
    """A dataset record: datasets/<id>.yaml."""

    id: Slug = Field(description="permanent lowercase slug, equal to the file name without .yaml")
    name: Text = Field(description="the dataset's usual name")
    full_name: Text | None = Field(None, description="expanded name, if any")
    year: Year | None = Field(None, description="year the dataset was released (its paper's year)")
    category: DatasetCategory = Field(
        description="the survey's dataset table it belongs to, or a group added for later datasets")
    modalities: list[Slug] = Field(min_length=1, description="node ids of the modality facet")
    size: dict[Slug, Text] = Field(default_factory=dict, description="size facts as short strings, e.g. images: 31,000")
    domain: Text | None = Field(None, description="data domain, e.g. natural images, cooking videos")
    tasks: list[Text] = Field(default_factory=list, description="tasks it is used for")
    links: list[DatasetLink] = Field(default_factory=list, description="website, code and paper links")
    paper: Slug | None = Field(None, description="id of the paper record that introduced it, if in the collection")
    derived_from: list[Slug] = Field(default_factory=list, description="ids of dataset records it is built from")
    summary: Prose | None = Field(None, description="one or two sentences in our own words")
    added: dt.date = Field(description="date the record entered the collection")


class CitingPaper(Strict):
    """One entry of the curated list of papers citing the survey (data/cited-by-survey.yaml)."""

    title: Text = Field(description="title")
    authors: list[Text] = Field(min_length=1, description="author names")
    year: Year = Field(description="year")
    venue: Text | None = Field(None, description="venue, if confirmed")
    arxiv: ArxivId | None = Field(None, description="arXiv id, if any")
    doi: Doi | None = Field(None, description="DOI, if any")
    record: Slug | None = Field(None, description="id of the full paper record, when the paper is in the collection")


class CitingList(Strict):
    """data/cited-by-survey.yaml: the curated 'cited by' list."""

    papers: list[CitingPaper] = Field(description="papers known to cite the survey")
