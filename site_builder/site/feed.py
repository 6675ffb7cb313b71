"""An Atom feed of the newest additions, ordered by the records' ``added`` date.

The feed's dates come from the records, never from the clock, so that the same records give the same bytes.
ElementTree does the XML escaping. The home page links the feed; there is no ``<link rel="alternate">`` in the
page heads because the theme reads such links as language versions and fetches a sitemap next to them.
"""

from __future__ import annotations

import datetime as dt
import heapq
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence

from site_builder.kb.models import Paper
from site_builder.site.escape import xml_chars
from site_builder.site.exports import page_path
from site_builder.site.model import RECENT, SiteInfo, recency

ATOM = "http://www.w3.org/2005/Atom"
FEED_SIZE = RECENT
FEED_PATH = "downloads/feed.xml"


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = xml_chars(text)
    return element


def newest_papers(papers: Iterable[Paper]) -> list[Paper]:
    """The :data:`FEED_SIZE` most recently added papers, newest first (then by id): what the feed shows."""
    return heapq.nsmallest(FEED_SIZE, papers, key=recency)


def atom_feed(papers: Sequence[Paper], info: SiteInfo) -> str:
    """The feed document: the :data:`FEED_SIZE` most recently added papers, newest first.

    Links are absolute when mkdocs.yml sets ``site_url``, else relative to the feed's own location.
    """
    ET.register_namespace("", ATOM)
    base = info.site_url or "../"
    newest = newest_papers(papers)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed, "title", f"{info.site_name}: new papers")
    _sub(feed, "id", f"{info.site_url or 'urn:ssml-kb:'}{FEED_PATH}")
    _sub(feed, "updated", _stamp(newest[0].added) if newest else "1970-01-01T00:00:00Z")
    _sub(feed, "link", rel="self", href=base + FEED_PATH)
    _sub(feed, "link", rel="alternate", href=base)
    _sub(_sub(feed, "author"), "name", info.site_name)
    for paper in newest:
        entry = _sub(feed, "entry")
        _sub(entry, "title", paper.title)
        _sub(entry, "id", f"{info.site_url or 'urn:ssml-kb:'}{page_path(paper.id)}")
        _sub(entry, "updated", _stamp(paper.added))
        _sub(entry, "link", rel="alternate", href=base + page_path(paper.id))
        for name in paper.authors:
            _sub(_sub(entry, "author"), "name", name)
        _sub(entry, "summary", " ".join(paper.summary.split()))
    for element in feed.iter():  # attribute values (links) too: one rule for every character written
        for key, value in element.attrib.items():
            element.set(key, xml_chars(value))
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"
