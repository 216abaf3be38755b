"""The interactive API docs at /api/docs: Swagger UI served from our own origin.

FastAPI's default page loads Swagger UI from a public CDN (a floating version, no integrity check) and
starts it with an inline script, on the same origin as the web app that keeps its token in IndexedDB.
Here Swagger UI's files come from a Python package (installed like any other dependency, nothing copied
into this repository), its start-up script is our own file `docs_ui.js`, and the page lives under the same
strict CSP as the rest of the app. ReDoc is not offered: it has no such package.
"""

import os
from html import escape

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

DOCS_URL = "/api/docs"
ASSETS_URL = f"{DOCS_URL}/assets"
HERE = os.path.dirname(os.path.abspath(__file__))
# Only what the page uses: not the package's sample page, whose start-up script names a public demo.
ASSETS = {
    "swagger-ui.css": str(swagger_ui_path),
    "swagger-ui-bundle.js": str(swagger_ui_path),
    "docs_ui.js": HERE,
}


class DocsAssets(StaticFiles):
    """The files above, with StaticFiles' ETag/Last-Modified revalidation and range support."""

    def __init__(self) -> None:
        super().__init__(directory=None, check_dir=False)

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        folder = ASSETS.get(path)
        if folder is None:
            return "", None
        full_path = os.path.join(folder, path)
        return full_path, os.stat(full_path)

    async def get_response(self, path, scope):
        response = await super().get_response(path, scope)
        response.headers.setdefault("cache-control", "no-cache")  # a package upgrade shows at once
        return response


def docs_page(title: str, openapi_url: str) -> str:
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<link rel="stylesheet" href="{ASSETS_URL}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{escape(openapi_url)}"></div>
<script src="{ASSETS_URL}/swagger-ui-bundle.js"></script>
<script src="{ASSETS_URL}/docs_ui.js"></script>
</body>
</html>
"""


def install_docs(app: FastAPI) -> None:
    """/api/docs and its files; call before the web app is mounted at "/"."""
    page = docs_page(f"{app.title} API", app.openapi_url or "/api/openapi.json")

    @app.get(DOCS_URL, include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return HTMLResponse(page)

    app.mount(ASSETS_URL, DocsAssets(), name="docs-assets")
