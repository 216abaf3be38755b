"""create_app(): routers, error handlers, middleware, the PWA mounted last."""

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.exc import DataError, DBAPIError, OperationalError

import api.models  # noqa: F401 - every table known before the first query
from api.auth.router import invitations_router, users_router
from api.auth.router import router as auth_router
from api.bright_spots.router import router as bright_spots_router
from api.config import get_settings
from api.dashboard import stored as stored_dashboards
from api.dashboard.router import router as dashboard_router
from api.dashboard.service import flow_summary
from api.db import get_engine
from api.docs_ui import install_docs
from api.errors import error_response, field_error, install_error_handlers
from api.goals import stored as stored_goals
from api.goals.router import router as goals_router
from api.journeys.router import router as journeys_router
from api.kpis.router import router as kpis_router
from api.kpis.router import themes_router as theme_kpis_router
from api.media.router import UPLOAD_PATH
from api.media.router import router as media_router
from api.messages import worker as messages_worker
from api.messages.router import router as messages_router
from api.middleware import Compression, LimitBodySize, RequestLog, SecurityHeaders
from api.operations.router import router as operations_router
from api.org.router import router as org_router
from api.pulse.router import router as pulse_router
from api.review.router import router as review_router
from api.settings.router import router as settings_router
from api.summaries import service as summaries
from api.summaries.worker import SummaryWorker
from api.themes.router import router as themes_router
from api.themes.service import period_stats as theme_period_stats
from api.themes.worker import ThemeWorker
from api.values.router import router as values_router
from api.visits.router import router as visits_router

API_DESCRIPTION = """Undercover: executives log field visits (shop-floor shifts, listened calls, journey
walkthroughs) and the pain points they saw; managers triage them and see themes.

Authenticate with `POST /api/auth/token` (OAuth2 password form) and send `Authorization: Bearer <token>`.
Every error has the shape `{"error": str, "detail": str | list | null}`; 422 details are field-level
`{"loc", "msg", "type"}` entries."""

# Every stored summary, by key prefix (api/summaries/service.py): declared here, not by import side effects.
SUMMARIES = {"themes": theme_period_stats, "flow": flow_summary, stored_goals.PREFIX: stored_goals.compute,
             stored_dashboards.PREFIX: stored_dashboards.compute}


class PWAFiles(StaticFiles):
    """The web app: the service worker and shell are revalidated on every load so updates arrive."""

    async def get_response(self, path, scope):
        response = await super().get_response(path, scope)
        response.headers["cache-control"] = "no-cache"  # ETag revalidation keeps this cheap
        return response


def _install_database_errors(app: FastAPI) -> None:
    @app.exception_handler(OperationalError)
    async def _db_down(_, exc: OperationalError) -> JSONResponse:
        logging.getLogger("undercover").warning("database unavailable: %s", type(exc.orig).__name__)
        return error_response(503, "Service unavailable", "The database is not answering; retry shortly",
                              {"Retry-After": "5"})

    @app.exception_handler(DataError)
    async def _unstorable(_, exc: DataError) -> JSONResponse:
        # A value validation let through but the database refuses (a NUL in text on PostgreSQL, a number
        # out of a column's range): the client's input is at fault, so 422, never a 500.
        logging.getLogger("undercover").warning("database refused a value: %s", type(exc.orig).__name__)
        return error_response(422, "Invalid input", [
            field_error([], "A value cannot be stored (control characters or a number out of range)")])

    @app.exception_handler(DBAPIError)
    async def _db_error(_, exc: DBAPIError) -> JSONResponse:
        if exc.connection_invalidated:
            return error_response(503, "Service unavailable", "The database connection was lost; retry shortly",
                                  {"Retry-After": "5"})
        raise exc


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    settings = get_settings()
    # The app's long-lived objects (routes, models, the engine) are built now: freeze them out of the
    # garbage collector and collect less often. Full collections over them paused every in-flight
    # request for ~100 ms under sync load (bench/sync.py).
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
    summaries.forget_reads()
    workers = [factory() for factory, on in (
        (ThemeWorker, settings.themes_worker),
        (SummaryWorker, settings.summary_refresh_seconds > 0),
        (lambda: messages_worker.for_the_api(settings), settings.messages_worker),
    ) if on]
    for worker in workers:
        worker.start()
    yield
    for worker in workers:
        worker.stop()


def create_app() -> FastAPI:
    settings = get_settings()
    logging.basicConfig(level=settings.log_level, format="%(message)s")
    app = FastAPI(
        lifespan=lifespan,
        title="Undercover",
        version="0.1.0",
        description=API_DESCRIPTION,
        openapi_url="/api/openapi.json",
        docs_url=None,  # served by install_docs from our own files, not from a CDN
        redoc_url=None,
    )
    install_error_handlers(app)
    _install_database_errors(app)
    summaries.install(SUMMARIES)

    api = APIRouter(prefix="/api")
    for router in (auth_router, users_router, invitations_router, org_router, visits_router, themes_router,
                   operations_router, review_router, dashboard_router, pulse_router, settings_router,
                   journeys_router, messages_router, kpis_router, values_router, goals_router,
                   bright_spots_router, theme_kpis_router, media_router):
        api.include_router(router)
    app.include_router(api)
    install_docs(app)

    @app.get("/livez", tags=["operations"], summary="Liveness only: the process answers (no database)")
    def livez() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/healthz", tags=["operations"], summary="Readiness: the database answers")
    def healthz() -> JSONResponse:
        try:
            with get_engine().connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:  # noqa: BLE001 - any failure means "not healthy"
            return JSONResponse({"status": "unavailable", "database": type(exc).__name__}, status_code=503)
        return JSONResponse({"status": "ok"})

    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["*"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(Compression)
    app.add_middleware(LimitBodySize, max_bytes=settings.max_body_bytes, exempt=UPLOAD_PATH)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestLog)

    if settings.pwa_dir.is_dir():
        app.mount("/", PWAFiles(directory=settings.pwa_dir, html=True), name="pwa")
    return app
