"""Login, logout, and the admin's list of accounts."""

from __future__ import annotations

import time
from typing import Annotated

from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, Parameter
from litestar.response import Redirect, Template
from litestar.utils.scope.state import ScopeState

from sodamolek.accounts import service, tokens
from sodamolek.accounts.guards import require_roles, session_user_loader
from sodamolek.accounts.roles import Role
from sodamolek.accounts.sessions import rotate_session_id

FormBody = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
WRONG_CREDENTIALS = "Nama pengguna atau kata sandi salah."


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to somewhere else."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


def _login_page(next_path: str, username: str = "", error: str | None = None, status: int = 200):
    return Template(
        "accounts/login.html",
        context={"lanjut": next_path, "username": username, "error": error},
        status_code=status,
    )


@get("/masuk", exclude_from_auth=True, name="login")
async def login_form(
    request: Request, lanjut: Annotated[str | None, Parameter(query="lanjut")] = None
) -> Template | Redirect:
    if request.session.get("account_id"):
        return Redirect(_safe_next(lanjut))
    return _login_page(_safe_next(lanjut))


@post("/masuk", exclude_from_auth=True, status_code=200)
async def login(request: Request, data: FormBody) -> Template | Redirect:
    username = data.get("username", "")
    password = data.get("password", "")
    next_path = _safe_next(data.get("lanjut"))
    address = request.client.host if request.client else "unknown"
    policy = request.app.state.throttle_policy
    if not username.strip() or not password:
        return _login_page(next_path, username, "Isi nama pengguna dan kata sandi.", 422)
    try:
        user = await service.authenticate(username, password, address, policy)
    except service.LoginThrottled as throttled:
        minutes = max(1, round(throttled.retry_after / 60))
        page = _login_page(
            next_path,
            username,
            f"Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam {minutes} menit.",
            429,
        )
        page.headers["Retry-After"] = str(throttled.retry_after)
        return page
    except service.InvalidCredentials:
        return _login_page(next_path, username, WRONG_CREDENTIALS, 401)
    await rotate_session_id(request)
    request.set_session({"account_id": user.id, "login_at": int(time.time())})
    return Redirect(next_path, status_code=303)


@post("/keluar", status_code=303)
async def logout(request: Request) -> Redirect:
    request.clear_session()  # the session middleware deletes it from the store
    return Redirect("/masuk?keluar=1", status_code=303)


# Not under /api/: Litestar's CSRF middleware runs here and leaves the current token in the scope
# (setting the cookie when there was none). Authentication is checked here rather than by
# SessionAuth so that a visitor without a session gets JSON 401, not a redirect to /masuk.
@get("/sesi", exclude_from_auth=True, name="session_info", include_in_schema=False)
async def session_info(request: Request) -> Response:
    """For the service worker's outbox: is someone logged in, and a fresh CSRF token for the
    session API writes it is about to make (a cached page's token may be stale)."""
    settings = request.app.state.settings
    loader = session_user_loader(settings.session_absolute_hours * 3600)
    user = await loader(request.session, request) if request.session else None
    headers = {"Cache-Control": "no-store"}
    if user is None:
        return Response({"detail": "Sesi berakhir. Silakan masuk lagi."}, status_code=401,
                        headers=headers)  # fmt: skip
    token = ScopeState.from_scope(request.scope).csrf_token
    return Response(
        {"csrf_token": token, "username": user.username, "role": user.role.value},
        headers=headers,
    )


@get("/admin/pengguna", guards=[require_roles(Role.ADMIN)], name="admin_users")
async def admin_users() -> Template:
    return Template("accounts/users.html", context={"accounts": await service.list_accounts()})


@get("/admin/token-api", guards=[require_roles(Role.ADMIN)], name="admin_tokens")
async def admin_tokens() -> Template:
    return await _tokens_page()


async def _tokens_page(new_token: str | None = None, error: str | None = None, status=200):
    from sodamolek.regions.service import list_offices

    return Template(
        "accounts/tokens.html",
        context={"tokens": await tokens.list_tokens(), "offices": await list_offices(),
                 "new_token": new_token, "error": error},
        status_code=status,
    )  # fmt: skip


@post("/admin/token-api", guards=[require_roles(Role.ADMIN)], status_code=200)
async def create_api_token(request: Request, data: FormBody) -> Template:
    try:
        _, token = await tokens.create_token(
            request.user.id, data.get("name", ""), data.get("kelurahan", "")
        )
    except tokens.TokenError as error:
        return await _tokens_page(error=str(error), status=422)
    return await _tokens_page(new_token=token)


@post("/admin/token-api/{token_id:int}/cabut", guards=[require_roles(Role.ADMIN)])
async def revoke_api_token(token_id: int) -> Redirect:
    if not await tokens.revoke_token(token_id):
        raise NotFoundException()
    return Redirect("/admin/token-api", status_code=303)
