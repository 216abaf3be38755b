"""The interactive API docs: served from our own origin under the same strict CSP as everything else,
so a script from elsewhere can never run beside the web app's token."""

import re
from html.parser import HTMLParser

import pytest

from tests.security.test_headers import csp_directives


class Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts = 0
        self.inline_styles = 0
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self._in_script = "src" not in attrs
            if "src" in attrs:
                self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])
        if tag == "style" or "style" in attrs or any(name.startswith("on") for name in attrs):
            self.inline_styles += 1

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_scripts += 1

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


def test_docs_page_loads_only_same_origin_files_under_the_strict_csp(client):
    res = client.get("/api/docs")
    assert res.status_code == 200
    assert res.headers["content-type"].startswith("text/html")
    csp = csp_directives(res.headers["content-security-policy"])
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"] and csp["connect-src"] == ["'self'"]
    page = Assets()
    page.feed(res.text)
    assert page.inline_scripts == 0 and page.inline_styles == 0
    scripts = [u for u in page.urls if u.endswith(".js")]
    styles = [u for u in page.urls if u.endswith(".css")]
    assert len(scripts) >= 2 and styles, page.urls  # Swagger UI itself and our start-up script
    for url in page.urls:
        # Same origin: a path from the root, never a scheme or a protocol-relative "//host".
        assert url.startswith("/") and not url.startswith("//"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert "content-security-policy" in asset.headers
    assert not re.search(r"https?://", res.text), "the page names another origin"


def test_docs_assets_are_the_page_files_only(client):
    """Only what the page needs is served: not the package's sample page (which points at a public demo)."""
    page = Assets()
    page.feed(client.get("/api/docs").text)
    for url in page.urls:
        folder = url.rsplit("/", 1)[0]
        for other in ("index.html", "swagger-initializer.js", "oauth2-redirect.html", "swagger-ui-bundle.js.map"):
            assert client.get(f"{folder}/{other}").status_code == 404, f"{folder}/{other}"


@pytest.mark.parametrize("path", ["/api/redoc", "/docs/oauth2-redirect"])
def test_no_page_that_loads_a_cdn(client, path):
    """ReDoc and Swagger's OAuth2 redirect page load public CDN files or inline scripts: not served."""
    res = client.get(path)
    assert res.status_code == 404
    assert "cdn" not in res.text.lower()


def test_openapi_schema_stays_where_it_was(client):
    res = client.get("/api/openapi.json")
    assert res.status_code == 200
    assert res.json()["paths"]
