"""The Jinja2 environment of the page templates: autoescape for HTML plus our Markdown escaper on every value.

Every ``{{ value }}`` goes through :func:`site_builder.site.escape.markup`, which makes it literal text in Markdown and
in HTML (text and quoted attributes). Filters that produce markup on purpose return :class:`~markupsafe.Markup`:
``href`` (a link target checked by :func:`~site_builder.site.escape.safe_href`), ``pre`` (text for ``<pre>``), ``svg``
(charts we drew ourselves) and ``yaml_title`` (the page title for the front matter). ``join`` is replaced by a
version that escapes each item, because Jinja's own would only HTML-escape them.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterable
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from site_builder.site.escape import href, markup, preformatted, safe_href, text
from site_builder.site.render.rows import link_to, not_fetched, paper_row, short_authors


def _join(items: Iterable[object], separator: str = ", ") -> Markup:
    # Each item is escaped by markup(); Markup.join would run markupsafe's escape over each one once more.
    return Markup(str(preformatted(separator)).join([str(markup(item)) for item in items]))


def _yaml_title(value: str) -> Markup:
    # A JSON string is a valid YAML double-quoted scalar; the escaped text holds no quote, backslash or newline.
    return Markup(json.dumps(text(value), ensure_ascii=False))


def _svg(value: str) -> Markup:
    return Markup(value)  # drawn by site_builder.site.svg, which escapes every label


def _display_url(url: str) -> str:
    """A URL without its scheme and trailing slash, for link text."""
    return url.split("://", 1)[-1].rstrip("/")


@cache
def environment() -> Environment:
    """The shared template environment (templates live in ``site_builder/site/render/templates``)."""
    env = Environment(
        loader=PackageLoader("site_builder.site.render", "templates"),
        autoescape=True,
        finalize=markup,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # templates are package data: no file-system check on every page
    )
    env.filters.update(href=href, pre=preformatted, svg=_svg, yaml_title=_yaml_title, join=_join,
                       display_url=_display_url, short_authors=short_authors, e=markup, escape=markup)
    env.globals.update(paper_row=paper_row, link_to=link_to, not_fetched_note=not_fetched)
    env.tests["safe_url"] = lambda url: isinstance(url, str) and safe_href(url) is not None
    return env


def root_of(path: str) -> str:
    """The relative prefix from the page written at ``path`` (``papers/clip/index.md``) to the site root.

    Every generated page is an ``index.md`` in its own folder, so the page's URL is its folder and the prefix
    is the same for links in Markdown and in raw HTML, with MkDocs and with Zensical.
    """
    depth = posixpath.dirname(path).count("/") + (1 if posixpath.dirname(path) else 0)
    return "../" * depth


def render_page(template: str, path: str, **context: Any) -> bytes:
    """Render ``template`` for the page at ``path`` (relative to docs/) as UTF-8 bytes."""
    page = environment().get_template(template).render(root=Markup(root_of(path)), **context)
    return page.encode("utf-8")
