"""Cross-cutting behaviour: health, OpenAPI, error shape, headers, limits."""


def test_healthz_checks_the_database(client):
    res = client.get("/healthz")
    assert res.status_code == 200
    assert res.json() == {"status": "ok"}


# Routes that take no token (a one-time link's token or nothing at all), so never answer 401.
NO_SIGN_IN = {"/api/auth/token", "/api/auth/password-reset", "/api/auth/password-reset/confirm",
              "/api/invitations/accept", "/api/notifications/unsubscribe"}


def test_openapi_documents_every_route_with_errors(client):
    spec = client.get("/api/openapi.json").json()
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            assert op.get("summary"), f"{method} {path} has no summary"
            if path.startswith("/api") and path not in NO_SIGN_IN:
                assert "401" in op["responses"], f"{method} {path} does not document 401"
    assert "examples" in str(spec["components"]["schemas"]["VisitWrite"])


def test_errors_have_one_shape(client, executive):
    missing = client.get("/api/nothing-here", headers=executive.headers)
    assert missing.status_code == 404
    assert set(missing.json()) == {"error", "detail"}
    bad_json = client.put("/api/visits/not-a-uuid", content=b"{not json", headers={
        **executive.headers, "content-type": "application/json"})
    assert bad_json.status_code == 422
    assert bad_json.json()["error"] == "Invalid input"
    assert isinstance(bad_json.json()["detail"], list)


def test_security_headers_on_api_and_app(client):
    for path in ("/healthz", "/api/openapi.json"):
        headers = client.get(path).headers
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert "script-src 'self'" in headers["content-security-policy"]
        assert "unsafe-inline" not in headers["content-security-policy"]
        assert headers["x-request-id"]
    assert "access-control-allow-origin" not in client.get(
        "/healthz", headers={"Origin": "https://evil.example"}).headers


def test_body_limit_without_content_length(client, executive):
    def chunks():
        for _ in range(300):
            yield b"x" * 10_000

    res = client.post("/api/sync", content=chunks(), headers={**executive.headers,
                                                              "content-type": "application/json"})
    assert res.status_code == 413
