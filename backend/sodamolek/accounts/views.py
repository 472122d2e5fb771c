"""Login, logout, and the admin's list of accounts."""

from __future__ import annotations

import time
from typing import Annotated

from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.middleware.csrf import generate_csrf_token
from litestar.params import Body, FromPath, QueryParameter
from litestar.response import Redirect, Template
from litestar.utils.scope.state import ScopeState

from sodamolek.accounts import service, tokens
from sodamolek.accounts.guards import session_user_loader
from sodamolek.accounts.sessions import (
    CSRF_SESSION_KEY,
    csrf_binding,
    csrf_cookie,
    rotate_session_id,
)
from sodamolek.core.roles import Role, require_roles
from sodamolek.regions.service import list_kecamatan, list_offices

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
    request: Request, lanjut: Annotated[str | None, QueryParameter(name="lanjut")] = None
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
    # A new CSRF token with the new session, recorded in it: a token planted or fetched before
    # the login does not work with this session (web.csrf_binding).
    config = request.app.csrf_config
    assert config is not None  # the app always has one (app.py)
    token = generate_csrf_token(secret=config.secret)
    request.set_session(
        {"account_id": user.id, "login_at": int(time.time()), CSRF_SESSION_KEY: csrf_binding(token)}
    )
    response = Redirect(next_path, status_code=303)
    response.set_cookie(csrf_cookie(config, token))
    return response


@post("/keluar", status_code=303)
async def logout(request: Request) -> Redirect:
    request.clear_session()  # the session middleware deletes it from the store
    # The browser's HTTP cache goes (pages seen in this session); never "storage": the
    # offline outbox lives in IndexedDB and holds requests not yet sent.
    return Redirect("/masuk?keluar=1", status_code=303, headers={"Clear-Site-Data": '"cache"'})


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
        return Response(
            {"detail": "Sesi berakhir. Silakan masuk lagi."}, status_code=401, headers=headers
        )
    token = ScopeState.from_scope(request.scope).csrf_token
    return Response(
        {"csrf_token": token, "username": user.username, "role": user.role.value},
        headers=headers,
    )


@get("/admin/pengguna", guards=[require_roles(Role.ADMIN)], name="admin_users")
async def admin_users(
    dibuat: Annotated[str | None, QueryParameter(name="dibuat")] = None,
    sandi: Annotated[str | None, QueryParameter(name="sandi")] = None,
) -> Template:
    notice = "Akun baru sudah dibuat." if dibuat else None
    if sandi:
        notice = "Kata sandi baru sudah disimpan; semua sesi akun itu sudah diakhiri."
    return Template(
        "accounts/users.html",
        context={
            "accounts": await service.list_accounts(),
            "notice": notice,
        },
    )


@get("/admin/token-api", guards=[require_roles(Role.ADMIN)], name="admin_tokens")
async def admin_tokens() -> Template:
    return await _tokens_page()


async def _tokens_page(new_token: str | None = None, error: str | None = None, status=200):
    return Template(
        "accounts/tokens.html",
        context={
            "tokens": await tokens.list_tokens(),
            "offices": await list_offices(),
            "new_token": new_token,
            "error": error,
        },
        status_code=status,
    )


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
async def revoke_api_token(token_id: FromPath[int]) -> Redirect:
    if not await tokens.revoke_token(token_id):
        raise NotFoundException()
    return Redirect("/admin/token-api", status_code=303)


# ---------------------------------------------------------------------------------------------
# The admin's management of accounts: create, disable/enable, reset password

ADMIN = require_roles(Role.ADMIN)
SAME_PASSWORD = "Ulangi kata sandi yang sama."  # noqa: S105 - a message, not a password


async def _user_form(values: dict, errors: dict[str, str], status: int = 200) -> Template:
    return Template(
        "accounts/user_form.html",
        context={
            "values": values,
            "errors": errors,
            "roles": list(Role),
            "offices": await list_offices(),
            "kecamatan": await list_kecamatan(),
        },
        status_code=status,
    )


@get("/admin/pengguna/baru", guards=[ADMIN], name="admin_user_new")
async def new_user_form() -> Template:
    return await _user_form({"role": Role.OPERATOR.value}, {})


@post("/admin/pengguna", guards=[ADMIN], status_code=200)
async def create_user(data: FormBody) -> Template | Redirect:
    keys = ("username", "full_name", "role", "kelurahan", "kecamatan", "nip")
    values = {k: " ".join(str(data.get(k, "") or "").split()) for k in keys}
    password, confirmation = data.get("password", ""), data.get("password_confirm", "")
    errors: dict[str, str] = {}
    scope = Role(values["role"]).scope if values["role"] in {r.value for r in Role} else None
    if scope == "kelurahan" and not values["kelurahan"]:
        errors["kelurahan"] = "Pilih kelurahan tempat pengguna ini bertugas."
    if scope == "kecamatan" and not values["kecamatan"]:
        errors["kecamatan"] = "Pilih kecamatan tempat camat ini bertugas."
    if password != confirmation:
        errors["password_confirm"] = SAME_PASSWORD
    if not errors:
        try:
            await service.create_account(
                username=values["username"],
                full_name=values["full_name"],
                role=values["role"],
                password=password,
                nip=values["nip"],
                kelurahan=values["kelurahan"] if scope == "kelurahan" else None,
                kecamatan=values["kecamatan"] if scope == "kecamatan" else None,
            )
        except service.AccountError as error:
            errors[error.field or "form"] = str(error)
    if errors:
        return await _user_form(values, errors, 422)
    return Redirect("/admin/pengguna?dibuat=1", status_code=303)


@post("/admin/pengguna/{account_id:int}/nonaktifkan", guards=[ADMIN], status_code=303)
async def disable_user(request: Request, account_id: FromPath[int]) -> Template | Redirect:
    return await _set_active(request, account_id, False)


@post("/admin/pengguna/{account_id:int}/aktifkan", guards=[ADMIN], status_code=303)
async def enable_user(request: Request, account_id: FromPath[int]) -> Template | Redirect:
    return await _set_active(request, account_id, True)


async def _set_active(request: Request, account_id: int, active: bool):
    try:
        await service.set_account_active(account_id, active, actor_id=request.user.id)
    except service.AccountNotFound:
        raise NotFoundException() from None
    except service.AccountError as error:
        return Template(
            "accounts/users.html",
            context={"accounts": await service.list_accounts(), "error": str(error)},
            status_code=409,
        )
    if not active:
        # What else a disabled account loses (its signing certificate) is wired by the app.
        await request.app.state.on_account_disabled(account_id)
    return Redirect("/admin/pengguna", status_code=303)


async def _password_form(account: dict, errors: dict, status: int = 200) -> Template:
    return Template(
        "accounts/password_form.html",
        context={"account": account, "errors": errors},
        status_code=status,
    )


@get("/admin/pengguna/{account_id:int}/sandi", guards=[ADMIN], name="admin_user_password")
async def reset_password_form(account_id: FromPath[int]) -> Template:
    account = await service.get_account(account_id)
    if account is None:
        raise NotFoundException()
    return await _password_form(account, {})


@post("/admin/pengguna/{account_id:int}/sandi", guards=[ADMIN], status_code=200)
async def reset_password(account_id: FromPath[int], data: FormBody) -> Template | Redirect:
    account = await service.get_account(account_id)
    if account is None:
        raise NotFoundException()
    password = data.get("password", "")
    if password != data.get("password_confirm", ""):
        return await _password_form(account, {"password_confirm": SAME_PASSWORD}, 422)
    try:
        await service.reset_password(account_id, password)
    except service.AccountError as error:
        return await _password_form(account, {"password": str(error)}, 422)
    return Redirect("/admin/pengguna?sandi=1", status_code=303)
