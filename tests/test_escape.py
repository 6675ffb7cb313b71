"""Escaping of user text for Markdown + HTML, and the link-target check."""

from __future__ import annotations

import html

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.site.escape import _UNCHANGED, SHORT, _escape, _plain, markup, preformatted, safe_href, text

HOSTILE = [
    "<script>alert(1)</script>",
    "*[x](javascript:alert(1))*",
    "[link](https://example.org) and ![img](x.png)",
    "**bold** __bold__ `code` ~~del~~ ==mark== ^^ins^^",
    "<https://example.org> <a href='javascript:alert(1)'>x</a>",
    "Heading {: onclick=\"alert(1)\" } [TOC]",
    "| a | b |",
    "&amp; &#60; &lt;script&gt;",
    "\\*escaped\\* \\<",
    "- item",
    "1. item",
    "# heading",
    "> quote",
    "    indented code",
    "!!! note \"title\"",
    "a  \nb",
]


def _render(source: str) -> str:
    md = markdown.Markdown(extensions=["toc", "tables", "admonition", "attr_list", "pymdownx.superfences"])
    return md.convert(source)


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_text_renders_literally_in_markdown(value: str) -> None:
    rendered = _render(text(value))
    expected = " ".join(value.split())
    assert rendered.startswith("<p>") and rendered.endswith("</p>")
    assert html.unescape(rendered[3:-4]) == expected
    assert "<a" not in rendered and "<script" not in rendered and "<strong" not in rendered


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_text_is_literal_inside_raw_html_and_attributes(value: str) -> None:
    rendered = _render(f'<div title="{text(value)}">{text(value)}</div>')
    assert rendered.count("<") == 2  # only our own <div> and </div>
    assert html.unescape(rendered.split(">", 1)[1].rsplit("<", 1)[0]) == " ".join(value.split())


def test_text_keeps_ordinary_text_readable() -> None:
    assert text("Learning Transferable Visual Models: CLIP (2021)") == \
        "Learning Transferable Visual Models: CLIP (2021)"
    assert text("2103.00020") == "2103.00020"


def test_markup_is_idempotent() -> None:
    once = markup("<b>")
    assert markup(once) == once == "&#60;b&#62;"


def test_preformatted_keeps_line_breaks_and_escapes_only_what_html_reads() -> None:
    assert preformatted("@misc{a,\n\ttitle = {<x> & [y](z)}\n}") == \
        "@misc{a,\n\ttitle = {&#60;x&#62; &#38; &#91;y&#93;(z)}\n}"


@pytest.mark.parametrize("url", [
    "https://example.org/a?b=c&d=e#f", "http://example.org", "mailto:someone@example.org",
    "../../papers/clip/", "papers-index.json", "?objective=contrastive", "#bibtex",
])
def test_safe_href_accepts(url: str) -> None:
    assert safe_href(url) == url


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<script>", "vbscript:x", "file:///etc/passwd",
    "//evil.example/x", "https:", "https:///x", " javascript:alert(1)", "java\tscript:alert(1)",
    "&#106;avascript:alert(1)", "", "ftp://example.org",
])
def test_safe_href_refuses(url: str) -> None:
    assert safe_href(url) is None


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab 1.)-+\t\n\u00a0&<*_`[]{}|#!~^=$'\"\\é"), max_size=12))
def test_text_fast_path_gives_the_same_result(value: str) -> None:
    assert text(value) == _escape(value)


_PLAIN_ALPHABET = st.sampled_from("ab 1.)-+\t\n\x0b\x1c\u00a0&<*_`[]{}|#!~^=$'\"\\é")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=_PLAIN_ALPHABET, max_size=12), st.text(alphabet=st.sampled_from("ab "), max_size=3))
def test_the_byte_test_of_plain_text_agrees_with_the_pattern(head: str, tail: str) -> None:
    value = head + "word " * 20 + tail  # long: past the remembered short values
    assert _plain(value) == (_UNCHANGED.fullmatch(value) is not None)
    assert _plain(head) == (_UNCHANGED.fullmatch(head) is not None)
    assert text(value) == _escape(value) and len(value) > SHORT


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_safe_href_fast_path_agrees_with_urlsplit(rest: str) -> None:
    for url in (f"https://example.org/{rest}", f"http://a-b.example:8080{rest}", f"https://{rest}"):
        assert (safe_href(url) == url) is _slow_href(url), url


def _slow_href(url: str) -> bool:
    """What safe_href decided before its fast path, for absolute http(s) URLs."""
    import re
    from urllib.parse import urlsplit

    if re.search(r"[\x00-\x1f\s]", url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab{}=&#;<>/\n '\"`*_[]|!~^$\\:-"), max_size=40))
def test_preformatted_block_reads_back_as_the_value_through_markdown(value: str) -> None:
    """What the browser shows in the BibTeX box is the value itself, whatever Markdown or HTML syntax it holds:
    Python-Markdown (with the site's extensions) passes the block on, and HTML decodes exactly the escapes. (Tabs
    are left out: Python-Markdown expands every tab of a page to spaces before it looks at the page.)"""
    escaped = str(preformatted(value))
    assert not any(c in escaped for c in "<>\"'[]*_`\\")
    converted = _MARKDOWN.reset().convert(f'<pre class="sb-bibtex"><code>{escaped}</code></pre>')
    inner = converted.removeprefix('<pre class="sb-bibtex"><code>').removesuffix("</code></pre>")
    assert html.unescape(inner) == value


_MARKDOWN = markdown.Markdown(extensions=["toc", "tables", "admonition", "fenced_code"])
