"""Offline GraphiQL page: Strawberry's own IDE HTML, pointed at vendored assets.

Strawberry's ``graphiql.html`` loads React, GraphiQL and the explorer plugin from unpkg.com,
so on an air-gapped AgentWatch host the IDE renders as a blank "Loading..." page. This module
rewrites those URLs to the copies vendored under ``web/vendor/graphiql/`` (served by the app at
``/static/vendor/graphiql``) and refuses to return a page that would still hit the network.

Usage from a Strawberry ASGI view::

    class AgentWatchGraphQL(GraphQL):
        async def render_graphql_ide(self, request: Request) -> Response:
            return HTMLResponse(offline_graphiql_html())
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from html.parser import HTMLParser
from pathlib import Path
from types import MappingProxyType
from typing import Final

import strawberry
from strawberry.http.ides import get_graphql_ide_html

__all__ = [
    "BOOTSTRAP_PATH",
    "DEFAULT_ASSET_PREFIX",
    "EXAMPLE_QUERY_SCRIPT",
    "GRAPHIQL_ASSETS",
    "STRAWBERRY_GRAPHIQL_TEMPLATE",
    "VENDOR_DIR",
    "external_asset_refs",
    "graphiql_page_and_bootstrap",
    "offline_graphiql_html",
    "rewrite_graphiql_html",
]

DEFAULT_ASSET_PREFIX: Final = "/static/vendor/graphiql"

# The template Strawberry serves for ``graphql_ide="graphiql"``; kept as a constant so tests
# can compare the rewritten page against the original.
STRAWBERRY_GRAPHIQL_TEMPLATE: Final = Path(strawberry.__file__).parent / "static" / "graphiql.html"

# Where the vendored files live on disk (``web/vendor/graphiql`` at the repository root).
VENDOR_DIR: Final = Path(__file__).resolve().parent.parent / "web" / "vendor" / "graphiql"

# Exact unpkg URL in Strawberry 0.341.2's template -> vendored file name. Exact URLs (not a
# host-prefix rewrite) on purpose: if Strawberry bumps a version, the new URL is unknown and
# we fail loudly instead of serving a mismatched or missing file.
GRAPHIQL_ASSETS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "https://unpkg.com/react@18.2.0/umd/react.production.min.js": "react.production.min.js",
        "https://unpkg.com/react-dom@18.2.0/umd/react-dom.production.min.js": (
            "react-dom.production.min.js"
        ),
        "https://unpkg.com/js-cookie@3.0.5/dist/js.cookie.min.js": "js.cookie.min.js",
        "https://unpkg.com/graphiql@3.8.3/graphiql.min.css": "graphiql.min.css",
        "https://unpkg.com/graphiql@3.8.3/graphiql.min.js": "graphiql.min.js",
        "https://unpkg.com/@graphiql/plugin-explorer@1.0.2/dist/style.css": "plugin-explorer.css",
        "https://unpkg.com/@graphiql/plugin-explorer@1.0.2/dist/index.umd.js": (
            "plugin-explorer.umd.js"
        ),
    }
)

# Served from web/graphiql/: puts AgentWatch's example query in the editor (see the file).
EXAMPLE_QUERY_SCRIPT: Final = "/static/graphiql/example_query.js"

# "http://", "https://" and protocol-relative "//host" all leave the machine.
_EXTERNAL_URL = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)

# Old Strawberry templates carried ``{{ SUBSCRIPTION_ENABLED }}``-style placeholders that the
# view substituted; if one ever reappears unsubstituted the page would be broken JS.
_PLACEHOLDER = re.compile(r"\{\{\s*[A-Z_]+\s*\}\}")

# CSS inside inline <style> blocks can pull remote fonts/sheets too.
_CSS_EXTERNAL = re.compile(r"(?:@import\s+|url\(\s*)[\"']?\s*(?:https?:)?//", re.IGNORECASE)


class _RefCollector(HTMLParser):
    """Collects the URLs the browser would fetch from <script>/<link>/<img>/... tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[str, str]] = []  # (tag, url)
        self.style_text: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            # ``href`` only matters on <link>; on <a> it is a user-clicked link, not a fetch.
            if name == "src" or (name == "href" and tag == "link"):
                self.refs.append((tag, value))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style_text.append(data)


def _collect(html: str) -> _RefCollector:
    # A real HTML parser rather than a regex: the template's favicon <link> has an inline SVG
    # (with ``>`` and ``http://www.w3.org/2000/svg``) inside its quoted data: URL.
    parser = _RefCollector()
    parser.feed(html)
    parser.close()
    return parser


def external_asset_refs(html: str) -> list[str]:
    """Return every off-machine URL the page would load (script/link/img src, CSS imports)."""
    parser = _collect(html)
    found = [url for _tag, url in parser.refs if _EXTERNAL_URL.match(url)]
    found.extend(m.group(0) for css in parser.style_text for m in _CSS_EXTERNAL.finditer(css))
    return found


def rewrite_graphiql_html(html: str, asset_prefix: str = DEFAULT_ASSET_PREFIX) -> str:
    """Point every known unpkg URL in ``html`` at ``{asset_prefix}/<file>``.

    Keeps ``integrity``/``crossorigin``: the vendored files are byte-identical to unpkg's, so
    Strawberry's SRI hashes still hold and also guard against a corrupted or swapped file.
    Raises ``RuntimeError`` if an unknown external reference or an unsubstituted template
    placeholder is present, so a changed template fails loudly instead of rendering blank.
    """
    prefix = asset_prefix.rstrip("/")
    unknown: list[str] = []
    for _tag, url in _collect(html).refs:
        if not _EXTERNAL_URL.match(url):
            continue
        local = GRAPHIQL_ASSETS.get(url)
        if local is None:
            unknown.append(url)
            continue
        # Replace the quoted attribute value only, never the bare URL elsewhere in the page.
        for quote in ('"', "'"):
            html = html.replace(f"{quote}{url}{quote}", f"{quote}{prefix}/{local}{quote}")

    remaining = unknown + external_asset_refs(html)
    if remaining:
        raise RuntimeError(
            "GraphiQL page still references external assets (Strawberry template changed?): "
            f"{sorted(set(remaining))}. Vendor them under web/vendor/graphiql and update "
            "GRAPHIQL_ASSETS in graph/graphiql.py."
        )
    placeholders = _PLACEHOLDER.findall(html)
    if placeholders:
        raise RuntimeError(f"GraphiQL page has unsubstituted placeholders: {placeholders}")
    return html


@functools.cache
def offline_graphiql_html(asset_prefix: str = DEFAULT_ASSET_PREFIX) -> str:
    """Return Strawberry's GraphiQL page (as served for ``graphql_ide="graphiql"``) with
    all assets loaded from ``asset_prefix``; cached per prefix.

    Strawberry 0.341.2 does no server-side substitution: ``get_graphql_ide_html`` returns the
    template verbatim and subscriptions are always wired client-side (the page derives the
    ``ws(s)://`` URL from its own location). Going through that function anyway means a future
    Strawberry that adds substitution there is picked up rather than bypassed.
    """
    return rewrite_graphiql_html(get_graphql_ide_html(graphql_ide="graphiql"), asset_prefix)


def _with_example_query(html: str) -> str:
    """Open on AgentWatch's example query instead of the stock welcome.

    The example lives in a served script (``EXAMPLE_QUERY_SCRIPT``), loaded from ``<head>`` so
    it runs before GraphiQL's start-up script reads ``?q=``; no inline script is added.
    """
    tag = f'<script src="{EXAMPLE_QUERY_SCRIPT}"></script>\n  </head>'
    if html.count("</head>") != 1:
        raise RuntimeError("GraphiQL page has no single </head> to load the example query from")
    return html.replace("</head>", tag)


BOOTSTRAP_PATH: Final = "/static/graphiql-bootstrap.js"
# The template's one attribute-less <script> is its inline bootstrap.
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


@functools.cache
def graphiql_page_and_bootstrap() -> tuple[str, str]:
    """The offline page with its inline bootstrap moved to ``BOOTSTRAP_PATH`` and AgentWatch's
    example query loaded from a served script, and the bootstrap's text, so the
    Content-Security-Policy can forbid inline script everywhere."""
    html = offline_graphiql_html()
    scripts = _INLINE_SCRIPT.findall(html)
    if len(scripts) != 1:
        raise RuntimeError(f"expected one inline script in GraphiQL's page, found {len(scripts)}")
    page = _INLINE_SCRIPT.sub(f'<script src="{BOOTSTRAP_PATH}"></script>', html)
    return _with_example_query(page), scripts[0]
