"""Who is calling the JSON API: an API token (other city systems) or a staff session.

A session is a cookie, so an unsafe API call made with it needs the CSRF header like any form;
a bearer token is not sent by browsers on their own, so it needs none."""

from __future__ import annotations

import time

from litestar import Request
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.middleware.csrf import CSRFMiddleware

from sodamolek.accounts import service, tokens
from sodamolek.accounts.service import CurrentUser
from sodamolek.core.http import user_error

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def api_actor(request: Request) -> CurrentUser:
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        actor = await tokens.authenticate_token(header[7:].strip())
        if actor is None:
            raise user_error(NotAuthorizedException, "Token API tidak sah atau sudah dicabut.")
        return actor
    settings = request.app.state.settings
    session = request.session
    account_id, login_at = session.get("account_id"), session.get("login_at", 0)
    too_old = time.time() - login_at > settings.session_absolute_hours * 3600
    actor = await service.load_user(account_id) if isinstance(account_id, int) else None
    if actor is None or too_old:
        raise user_error(NotAuthorizedException, "Masuk dulu atau sertakan token API.")
    if request.method not in SAFE_METHODS and not _csrf_ok(request):
        raise PermissionDeniedException(detail="csrf: token CSRF tidak ada atau tidak cocok.")
    return actor


def _csrf_ok(request: Request) -> bool:
    config = request.app.csrf_config
    if config is None:
        return False
    cookie = request.cookies.get(config.cookie_name)
    header = request.headers.get(config.header_name)
    if not cookie or not header:
        return False
    # Litestar's own comparison (HMAC-signed double-submit token), not a second implementation.
    return CSRFMiddleware(app=None, config=config)._csrf_tokens_match(header, cookie)  # type: ignore[arg-type]
