"""create_app(settings): the one place where routes, plugins and stores are wired."""

from __future__ import annotations

import asyncio
import gc
import logging
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import CacheControlHeader
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.middleware import DefineMiddleware
from litestar.middleware.session.server_side import ServerSideSessionBackend
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.security.session_auth import SessionAuth
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from sodamolek import db, maintenance
from sodamolek.accounts import views as account_views
from sodamolek.accounts.guards import session_user_loader
from sodamolek.accounts.service import CurrentUser
from sodamolek.accounts.sessions import (
    SESSION_COOKIE,
    STORE_NAME,
    DatabaseSessionStore,
    RotatingSessionConfig,
)
from sodamolek.accounts.throttle import ThrottlePolicy
from sodamolek.core import ratelimit
from sodamolek.core.paths import STATIC_DIR
from sodamolek.dashboard import views as dashboard_views
from sodamolek.desk import attachment_views
from sodamolek.desk import views as request_views
from sodamolek.documents.signing import signing_key_for
from sodamolek.issuing import register_views
from sodamolek.issuing import upload_views as verification_views
from sodamolek.issuing import views as issuing_views
from sodamolek.letter_requests import api as request_api
from sodamolek.letter_requests import workdays
from sodamolek.letter_requests.service import request_id_for_code
from sodamolek.letters import views as letter_views
from sodamolek.people import views as people_views
from sodamolek.people.registry import build_registry
from sodamolek.push import views as push_views
from sodamolek.push.worker import run_worker
from sodamolek.regions import views as region_views
from sodamolek.residents import views as resident_views
from sodamolek.settings import Settings
from sodamolek.startup import ProcessRole, prepare
from sodamolek.tracking import views as tracking_views
from sodamolek.tte import service as tte_service
from sodamolek.tte import views as tte_views
from sodamolek.web import errors, standard_views
from sodamolek.web import views as web_views
from sodamolek.web.csrf import CsrfMiddleware
from sodamolek.web.csrf_binding import SessionBoundCsrfMiddleware
from sodamolek.web.http_semantics import HttpSemantics, RouteMethods
from sodamolek.web.input_guard import InputGuardMiddleware
from sodamolek.web.security import security_headers
from sodamolek.web.templating import template_config
from sodamolek.workcalendar import service as calendar_service
from sodamolek.workcalendar import views as calendar_views

CSRF_COOKIE = "sodamolek_csrf"
MAX_REQUEST_BODY = 1024 * 1024  # forms and JSON only; files have their own limits later

ROUTES: list[ControllerRouterHandler] = [
    web_views.home,
    web_views.health,
    web_views.service_worker,
    web_views.service_worker_logic,
    web_views.resident_service_worker,
    web_views.manifest,
    web_views.resident_manifest,
    web_views.offline_page,
    account_views.login_form,
    account_views.login,
    account_views.logout,
    account_views.session_info,
    account_views.admin_users,
    account_views.new_user_form,
    account_views.create_user,
    account_views.disable_user,
    account_views.enable_user,
    account_views.reset_password_form,
    account_views.reset_password,
    account_views.admin_tokens,
    account_views.create_api_token,
    account_views.revoke_api_token,
    region_views.offices,
    region_views.admin_offices,
    region_views.kelurahan_form,
    region_views.save_kelurahan,
    region_views.kecamatan_form,
    region_views.save_kecamatan,
    dashboard_views.dashboard_page,
    dashboard_views.offices_csv,
    dashboard_views.days_csv,
    standard_views.standards,
    standard_views.standard,
    tracking_views.answer_survey,
    request_views.queue_page,
    request_views.queue_list_only,
    request_views.choose_type,
    request_views.new_request_form,
    request_views.create_request,
    request_views.device_outbox,
    request_views.request_detail,
    request_views.change_status,
    request_views.correction_form,
    request_views.correct_request,
    request_views.receipt,
    request_api.api_router,
    tracking_views.lookup_form,
    tracking_views.lookup,
    tracking_views.track,
    resident_views.choose,
    resident_views.form,
    resident_views.apply,
    resident_views.letter,
    attachment_views.read_attachment,
    attachment_views.attach_at_counter,
    issuing_views.signing_desk,
    register_views.register_page,
    register_views.register_csv,
    register_views.register_xlsx,
    issuing_views.sign,
    issuing_views.preview,
    issuing_views.countersign_desk,
    issuing_views.countersign,
    issuing_views.letter_pdf,
    issuing_views.verify,
    issuing_views.public_key,
    *verification_views.ROUTES,
    *tte_views.ROUTES,
    people_views.check_nik,
    letter_views.letter_type_list,
    letter_views.letter_type_new,
    letter_views.letter_type_create,
    letter_views.letter_type_row,
    letter_views.letter_type_preview,
    letter_views.letter_type_preview_pdf,
    letter_views.emblem_form,
    letter_views.emblem_upload,
    letter_views.emblem_sample,
    letter_views.letter_type_edit,
    letter_views.letter_type_update,
    letter_views.letter_type_status,
    push_views.subscribe,
    push_views.unsubscribe,
    push_views.check_following,
    push_views.renew,
    push_views.public_key,
    push_views.staff_subscribe,
    push_views.staff_check,
    push_views.staff_unsubscribe,
    push_views.push_handler_script,
    calendar_views.work_calendar,
    calendar_views.save_day,
    calendar_views.remove_day,
]


def create_app(settings: Settings | None = None) -> Litestar:
    """The web app of this process: its HTTP (build_app) bound to its state (bind)."""
    settings = prepare(settings or Settings.from_env(), ProcessRole.SERVE)
    app = build_app(settings)
    bind(app, settings)
    return app


def bind(app: Litestar, settings: Settings) -> None:
    """The app's state for these prepared settings: the database engine (made the current one),
    the registry's client, the letter-signing key, hooks and policies; whatever the state held
    before is dropped. The lifespans and views read it from app.state, so an app built once can
    be bound again (the test suite binds one to each test's settings)."""
    app.state.clear()
    app.state.settings = settings
    app.state.engine = db.use_engine(db.build_engine(settings))
    app.state.registry = build_registry(settings)  # one per app: the HTTP client's pool is shared
    # Until the lifespan has read the admin's days, this process counts the national calendar.
    workdays.install(())
    # Loaded once: every signature of this process uses it; verification uses its public half.
    app.state.signing_key = signing_key_for(settings)
    app.state.resolve_tracking_code = request_id_for_code
    app.state.tracking_rate_limit = tracking_views.lookup_limit
    # A disabled account's signing certificate is revoked (accounts knows nothing of TTE).
    app.state.on_account_disabled = tte_service.account_disabled_hook(settings)
    app.state.throttle_policy = ThrottlePolicy(
        free_per_account_address=settings.login_max_failures_per_account,
        free_per_address=settings.login_max_failures_per_address,
        window_seconds=settings.login_window_minutes * 60,
    )


def build_app(settings: Settings) -> Litestar:
    """Routes, middleware and lifespans: what the HTTP side looks like under these settings
    (cookies, proxies, base URL, secret). Its state is set by bind."""

    @asynccontextmanager
    async def database_lifespan(app: Litestar):
        engine = app.state.engine
        await db.start_engine(engine, app.state.settings.db_pool_size)
        try:
            yield
        finally:
            try:
                await ratelimit.flush()  # this process's counts, for the other workers
            finally:
                await db.stop_engine(engine)

    @asynccontextmanager
    async def calendar_lifespan(app: Litestar):
        """The admin's local days: read at start, then re-read every few seconds, so an edit
        made in another worker is seen here too."""
        try:
            await calendar_service.refresh()
        except Exception:  # e.g. not migrated yet: national days until the next refresh works
            logging.getLogger("sodamolek.workcalendar").exception("local days not loaded")
        # The holidays package's first load takes a second or more: in a thread while the
        # server starts, rather than in the first request that counts a due date.
        preload = asyncio.create_task(asyncio.to_thread(workdays.preload), name="holidays")
        stop = asyncio.Event()
        task = asyncio.create_task(
            calendar_service.keep_fresh(stop, app.state.settings.calendar_refresh_seconds),
            name="calendar-refresh",
        )
        try:
            yield
        finally:
            stop.set()
            await asyncio.gather(task, preload, return_exceptions=True)

    @asynccontextmanager
    async def registry_lifespan(app: Litestar):
        registry = app.state.registry
        try:
            yield
        finally:
            await registry.aclose()

    @asynccontextmanager
    async def push_worker_lifespan(app: Litestar):
        """Embedded mode: the push worker runs inside the server (after the database opens,
        stopped before it closes)."""
        settings = app.state.settings
        if not settings.runs_embedded_worker:
            yield
            return

        stop = asyncio.Event()
        registry = app.state.registry
        task = asyncio.gather(
            asyncio.create_task(run_worker(stop, settings), name="push-worker"),
            asyncio.create_task(maintenance.run_loop(stop, registry), name="maintenance"),
        )
        try:
            yield
        finally:
            stop.set()
            try:
                await asyncio.wait_for(task, timeout=20)
            except TimeoutError:  # wait_for has cancelled it; its rows are re-sent later
                logging.getLogger("sodamolek.push").warning("push worker did not stop in time")
            except Exception:
                logging.getLogger("sodamolek.push").exception("push worker crashed")

    session_config = RotatingSessionConfig(
        key=SESSION_COOKIE,
        max_age=settings.session_idle_minutes * 60,
        renew_on_access=True,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
        store=STORE_NAME,
    )
    session_auth: SessionAuth[CurrentUser, ServerSideSessionBackend] = SessionAuth(
        retrieve_user_handler=session_user_loader(settings.session_absolute_hours * 3600),
        session_backend_config=session_config,
        exclude=["^/static/", "^/schema"],
    )
    static_router = create_static_files_router(
        path="/static",
        directories=[STATIC_DIR],
        # URLs carry a content hash (static_url), so a year is safe.
        cache_control=CacheControlHeader(max_age=31_536_000, public=True),
        include_in_schema=False,
        opt={"exclude_from_auth": True},
    )
    csrf_config = CSRFConfig(
        secret=settings.secret_key,
        cookie_name=CSRF_COOKIE,
        header_name="x-csrftoken",
        cookie_secure=settings.secure_cookies,
        cookie_samesite="strict",
    )
    app = Litestar(
        route_handlers=[*ROUTES, static_router],
        on_app_init=[session_auth.on_app_init],
        # The client's address (rate limits, login throttle) from X-Forwarded-For only when the
        # socket is one of the named proxies; uvicorn's own middleware, with our list.
        # uvicorn's middleware is typed with its own ASGI types, not Litestar's.
        middleware=[
            *(
                [DefineMiddleware(ProxyHeadersMiddleware, trusted_hosts=list(proxies))]  # type: ignore[arg-type]
                if (proxies := settings.trusted_proxies)
                else []
            ),
            InputGuardMiddleware,  # before any handler: paths, queries, forms, JSON
            DefineMiddleware(
                SessionBoundCsrfMiddleware, cookie_name=CSRF_COOKIE, base_url=settings.base_url
            ),
            # Where Litestar puts its own (innermost), with its check of every unsafe request.
            DefineMiddleware(CsrfMiddleware, config=csrf_config),
        ],
        lifespan=[database_lifespan, calendar_lifespan, registry_lifespan, push_worker_lifespan],
        stores={STORE_NAME: DatabaseSessionStore()},
        csrf_config=None,  # web.csrf.CsrfMiddleware above, set below for the login and API
        compression_config=CompressionConfig(backend="gzip", minimum_size=500),
        template_config=template_config(),
        before_send=[security_headers(https=settings.secure_cookies)],
        exception_handlers={
            NotAuthorizedException: errors.not_authorized_handler,
            HTTPException: errors.http_exception_handler,
            Exception: errors.internal_error_handler,
        },
        # The JSON API only (the pages are no API: include_in_schema below), as JSON only: no
        # Swagger/Redoc page, whose scripts would come from a CDN outside the CSP.
        openapi_config=OpenAPIConfig(
            title="Sodamolek API",
            version="1",
            path="/schema",
            render_plugins=[request_api.StrictJsonRenderPlugin()],
            components=Components(
                # SessionAuth adds "sessionCookie" (a staff session; writes need X-CSRFToken).
                security_schemes={
                    "tokenApi": SecurityScheme(
                        type="http",
                        scheme="bearer",
                        description="An office's API token (Authorization: Bearer …)",
                    ),
                }
            ),
        ),
        include_in_schema=False,
        request_max_body_size=MAX_REQUEST_BODY,
        debug=False,
    )
    # Litestar would add its own CSRF middleware to every route built with a csrf_config; ours
    # is in the middleware list. The login's new token and the API's session check read it here.
    app.csrf_config = csrf_config
    # HEAD, Allow and 304s in front of the router (web.http_semantics).
    app.asgi_handler = HttpSemantics(app.asgi_handler, RouteMethods(app.routes))
    return app


def create_app_from_env() -> Litestar:
    """Factory for uvicorn --factory / several workers."""
    app = create_app()
    # What start-up made (modules, the app, its routes and templates' environment: ~150,000
    # objects) lives as long as the process: kept out of the collector's full passes, each of
    # which walked them all and stopped the server for up to ~60 ms under load (/lacak p99).
    gc.collect()
    gc.freeze()
    return app
