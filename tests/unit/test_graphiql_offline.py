"""The GraphiQL page must render with no internet: every asset comes from web/vendor/graphiql."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from graph.graphiql import (
    DEFAULT_ASSET_PREFIX,
    GRAPHIQL_ASSETS,
    STRAWBERRY_GRAPHIQL_TEMPLATE,
    offline_graphiql_html,
    rewrite_graphiql_html,
)

REPO = Path(__file__).resolve().parents[2]
VENDOR = REPO / "web" / "vendor"
GRAPHIQL_VENDOR = VENDOR / "graphiql"
# The app mounts web/ at /static, so /static/<rel> is REPO/web/<rel>.
STATIC_MOUNT = "/static"
WEB_DIR = REPO / "web"


class _Tags(HTMLParser):
    """Independent of graph.graphiql's parser so the tests don't just re-run the code."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[dict[str, str | None]] = []
        self.stylesheets: list[dict[str, str | None]] = []
        self.other_links: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script" and a.get("src") is not None:
            self.scripts.append(a)
        elif tag == "link" and a.get("rel") == "stylesheet":
            self.stylesheets.append(a)
        elif tag == "link":
            self.other_links.append(a)


def _tags(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser


def _asset_urls(html: str) -> list[str]:
    t = _tags(html)
    urls = [s["src"] for s in t.scripts] + [s["href"] for s in t.stylesheets]
    return [u for u in urls if u is not None]


def _local_path(url: str) -> Path:
    assert url.startswith(STATIC_MOUNT + "/"), url
    return WEB_DIR / url.removeprefix(STATIC_MOUNT + "/")


@pytest.fixture(scope="module")
def original() -> str:
    return STRAWBERRY_GRAPHIQL_TEMPLATE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def offline() -> str:
    return offline_graphiql_html()


def test_no_external_urls_in_script_or_link_tags(offline: str) -> None:
    t = _tags(offline)
    for attrs in [*t.scripts, *t.stylesheets, *t.other_links]:
        url = attrs.get("src") or attrs.get("href") or ""
        assert not re.match(r"(?i)\s*(https?:)?//", url), url
    assert "unpkg.com" not in offline
    assert "jsdelivr" not in offline


def test_every_local_asset_exists_and_is_non_empty(offline: str) -> None:
    urls = _asset_urls(offline)
    assert urls
    for url in urls:
        assert url.startswith(DEFAULT_ASSET_PREFIX + "/"), url
        path = _local_path(url)
        assert path.parent == GRAPHIQL_VENDOR
        assert path.is_file(), path
        assert path.stat().st_size > 0, path


def test_same_assets_as_strawberry_template(original: str, offline: str) -> None:
    before, after = _tags(original), _tags(offline)
    assert len(before.scripts) == len(after.scripts) == 5
    assert len(before.stylesheets) == len(after.stylesheets) == 2
    # Each template URL maps to the expected vendored file, in the same order.
    expected = [f"{DEFAULT_ASSET_PREFIX}/{GRAPHIQL_ASSETS[u]}" for u in _asset_urls(original)]
    assert _asset_urls(offline) == expected
    # Nothing else in the page changed (inline script, placeholders, favicon data: URL...).
    restored = offline
    for url, name in GRAPHIQL_ASSETS.items():
        restored = restored.replace(f'"{DEFAULT_ASSET_PREFIX}/{name}"', f'"{url}"')
    assert restored == original


def test_integrity_hashes_match_vendored_files(offline: str) -> None:
    # The rewrite keeps Strawberry's SRI hashes; a re-vendored or corrupted file would make
    # the browser refuse it and render a blank page, so catch that here instead.
    t = _tags(offline)
    for attrs in [*t.scripts, *t.stylesheets]:
        url = attrs.get("src") or attrs.get("href")
        integrity = attrs.get("integrity")
        assert url is not None
        if integrity is None:
            continue
        algo, _, expected = integrity.partition("-")
        digest = hashlib.new(algo, _local_path(url).read_bytes()).digest()
        assert base64.b64encode(digest).decode() == expected, url


def test_custom_prefix_and_cache() -> None:
    html = offline_graphiql_html("/assets/gql/")
    assert all(u.startswith("/assets/gql/") and "//" not in u for u in _asset_urls(html))
    assert offline_graphiql_html("/assets/gql/") is html
    assert offline_graphiql_html() is offline_graphiql_html()


@pytest.mark.parametrize(
    "bad_url",
    [
        "https://unpkg.com/graphiql@9.9.9/graphiql.min.js",
        "//cdn.jsdelivr.net/npm/graphiql/graphiql.min.js",
        "http://example.com/x.js",
    ],
)
def test_unknown_external_script_fails_loudly(original: str, bad_url: str) -> None:
    broken = original.replace("</body>", f'<script src="{bad_url}"></script></body>')
    with pytest.raises(RuntimeError, match="external assets"):
        rewrite_graphiql_html(broken)


def test_external_stylesheet_and_css_import_fail_loudly(original: str) -> None:
    link = original.replace(
        "</head>", '<link rel="stylesheet" href="https://fonts.example/a.css"></head>'
    )
    with pytest.raises(RuntimeError):
        rewrite_graphiql_html(link)
    css = original.replace("<style>", "<style>@import url('https://fonts.example/a.css');")
    with pytest.raises(RuntimeError):
        rewrite_graphiql_html(css)


def test_unsubstituted_placeholder_fails_loudly(original: str) -> None:
    with pytest.raises(RuntimeError, match="placeholders"):
        rewrite_graphiql_html(original + "<script>const x = {{ SUBSCRIPTION_ENABLED }};</script>")


def test_vendor_folders_document_their_files() -> None:
    for folder, files in {
        "graphiql": sorted(set(GRAPHIQL_ASSETS.values())),
        "graphql-ws": ["graphql-ws.min.js"],
        "uplot": ["uPlot.iife.min.js", "uPlot.min.css"],
    }.items():
        versions = (VENDOR / folder / "VERSIONS.md").read_text(encoding="utf-8")
        assert list((VENDOR / folder).glob("LICENSE*")), folder
        for name in files:
            assert (VENDOR / folder / name).stat().st_size > 0, name
            assert f"`{name}`" in versions, (folder, name)
    assert (VENDOR / "README.md").is_file()
