"""Response headers: a strict CSP the web app really satisfies, no sniffing, no referrers, no powerful
features, HSTS only over HTTPS, CORS closed unless configured, and no cookies at all."""

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.config import get_settings
from tests.factories import PASSWORD

PWA = Path(__file__).resolve().parents[2] / "mobile_pwa"


def csp_directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def test_strict_csp_on_the_app_and_the_api(client):
    for path in ("/", "/index.html", "/app.js", "/healthz", "/api/openapi.json", "/api/docs", "/api/me",
                 "/api/nowhere"):
        res = client.get(path)
        csp = csp_directives(res.headers["content-security-policy"])
        assert csp["default-src"] == ["'self'"], path
        assert csp["script-src"] == ["'self'"], path  # no 'unsafe-inline', no 'unsafe-eval', no hosts
        assert csp["style-src"] == ["'self'"], path
        assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"], path
        assert csp["frame-ancestors"] == ["'none'"], path
        assert "unsafe" not in res.headers["content-security-policy"]
        # Photos and voice notes are fetched with the token and shown from blob: URLs; nothing else is allowed.
        assert csp["img-src"] == ["'self'", "data:", "blob:"], path
        assert csp["media-src"] == ["'self'", "blob:"], path


def test_the_web_app_needs_no_inline_script_or_eval():
    """The CSP above would block these in a browser: the app must not depend on them."""
    html = (PWA / "index.html").read_text()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts, "index.html loads no script?"
    for attributes, body in scripts:
        assert "src=" in attributes and not body.strip(), f"inline script: {attributes} {body[:80]}"
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler in index.html"
    assert not re.search(r"\sstyle\s*=", html), "inline style attribute in index.html"
    for js in PWA.rglob("*.js"):
        code = js.read_text()
        assert not re.search(r"\beval\s*\(|new\s+Function\s*\(", code), f"eval in {js.name}"
        assert not re.search(r"set(Timeout|Interval)\(\s*['\"`]", code), f"string timer in {js.name}"
        assert not re.search(r"javascript:", code), f"javascript: URL in {js.name}"


@pytest.mark.parametrize("path", ["/", "/healthz", "/api/me", "/api/nowhere", "/api/docs"])
def test_common_headers_on_every_response(client, path):
    headers = client.get(path).headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    policy = headers["permissions-policy"]
    # The camera and microphone for photos and voice notes, from the app's own origin only; the rest off.
    for feature in ("camera=(self)", "microphone=(self)", "geolocation=()", "payment=()", "usb=()"):
        assert feature in policy
    assert headers["x-frame-options"] == "DENY"
    assert "strict-transport-security" not in headers  # plain http: HSTS would be ignored or wrong


def test_headers_on_rejected_requests_too(client, executive):
    too_big = client.post("/api/sync", content=b"x" * (get_settings().max_body_bytes + 1),
                          headers={**executive.headers, "content-type": "application/json"})
    assert too_big.status_code == 413
    for res in (too_big, client.get("/api/me"), client.put("/api/visits/x", json={}, headers=executive.headers)):
        assert res.headers["x-content-type-options"] == "nosniff"
        assert "content-security-policy" in res.headers


def test_hsts_only_over_https(app):
    with TestClient(app, base_url="https://undercover.example") as https:
        hsts = https.get("/healthz").headers["strict-transport-security"]
        assert "max-age=31536000" in hsts and "includeSubDomains" in hsts
    with TestClient(app, base_url="http://undercover.example") as http:
        assert "strict-transport-security" not in http.get("/healthz").headers


def test_no_cookies_anywhere(client, executive):
    """Bearer tokens only: nothing a browser would send by itself, so no CSRF surface."""
    sign_in = client.post("/api/auth/token", data={"username": executive.user.email, "password": PASSWORD})
    assert sign_in.status_code == 200
    for res in (sign_in, client.get("/"), client.get("/api/me", headers=executive.headers)):
        assert "set-cookie" not in res.headers


def preflight(client, origin: str):
    return client.options("/api/me", headers={
        "Origin": origin, "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization"})


def test_cors_is_closed_by_default(client, executive):
    assert not get_settings().cors_origins
    res = preflight(client, "https://evil.example")
    assert "access-control-allow-origin" not in res.headers
    simple = client.get("/api/me", headers={**executive.headers, "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers


def test_cors_opens_only_to_configured_origins(database_url, monkeypatch, executive):
    from api.main import create_app

    monkeypatch.setenv("UNDERCOVER_CORS_ORIGINS", '["https://intranet.example"]')
    get_settings.cache_clear()
    try:
        with TestClient(create_app()) as cors_client:
            ok = preflight(cors_client, "https://intranet.example")
            assert ok.status_code == 200
            assert ok.headers["access-control-allow-origin"] == "https://intranet.example"
            assert "authorization" in ok.headers["access-control-allow-headers"].lower()
            assert "access-control-allow-credentials" not in ok.headers  # tokens, not cookies
            simple = cors_client.get("/api/me", headers={**executive.headers, "Origin": "https://intranet.example"})
            assert simple.status_code == 200
            assert simple.headers["access-control-allow-origin"] == "https://intranet.example"
            evil = preflight(cors_client, "https://evil.example")
            assert "access-control-allow-origin" not in evil.headers
    finally:
        monkeypatch.delenv("UNDERCOVER_CORS_ORIGINS")
        get_settings.cache_clear()
