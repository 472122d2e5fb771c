"""TTE pages: the city CA certificate and its CRLs, the signer's passphrase page, and the admin's
view of a signer's certificate (expiry, revocation, NIK for BSrE). The verification of an
uploaded PDF is issuing's (it needs the letter's fate)."""

from __future__ import annotations

import logging
from typing import Annotated

from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.handlers import HTTPRouteHandler
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from sodamolek.accounts import service as accounts
from sodamolek.core.nik import mask_nik
from sodamolek.core.roles import Role, require_roles
from sodamolek.tte import service

log = logging.getLogger(__name__)

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
SIGNERS = require_roles(Role.LURAH, Role.CAMAT)
ADMIN = require_roles(Role.ADMIN)
WRONG_LOGIN_PASSWORD = "Kata sandi masuk salah."  # noqa: S105 - a message
NOT_THE_SAME = "Kedua passphrase tidak sama."


@get("/kunci-publik/ca.pem", exclude_from_auth=True, name="city_ca_pem")
async def city_ca_pem(request: Request) -> Response:
    """Every generation of the city CA, newest first: add it as a trusted root in a PDF reader
    to check a letter offline."""
    authority = service.city_ca(request.app.state.settings)
    if authority is None:
        raise NotFoundException("CA kota belum dibuat.")
    return Response(
        authority.bundle_pem(),
        media_type="application/x-pem-file",
        headers={
            "Content-Disposition": 'inline; filename="ca-kota-kupang.pem"',
            "Cache-Control": "public, max-age=3600",
        },
    )


@get("/kunci-publik/crl/{label:str}", exclude_from_auth=True, name="city_ca_crl")
async def city_ca_crl(request: Request, label: FromPath[str]) -> Response:
    """The CRL of one CA generation, as named in its signers' certificates."""
    name = label.removeprefix("ca-").removesuffix(".crl")[:32]
    crl = await service.published_crl(request.app.state.settings, name)
    if crl is None:
        raise NotFoundException()
    return Response(
        crl, media_type="application/pkix-crl", headers={"Cache-Control": "public, max-age=300"}
    )


# ---------------------------------------------------------------------------------------------
# The signer's own page: certificate and passphrase


async def _signer_page(request: Request, errors: dict | None = None, notice: str = "", status=200):
    settings = request.app.state.settings
    certificate = await service.current_certificate(request.user.id)
    nik = await service.bsre_nik(request.user.id)
    return Template(
        "tte/account.html",
        context={
            "certificate": certificate,
            "state": service.certificate_state(certificate),
            "backend": settings.tte_backend,
            "masked_nik": mask_nik(nik) if nik else "",
            "errors": errors or {},
            "notice": notice,
            "min_length": service.MIN_PASSPHRASE_LENGTH,
        },
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


@get("/akun/tte", guards=[SIGNERS], name="signer_account")
async def signer_account(request: Request) -> Template:
    return await _signer_page(request)


@post("/akun/tte", guards=[SIGNERS], status_code=200)
async def set_passphrase(request: Request, data: Form) -> Template:
    """Set (or replace) the signer's passphrase: a new key and certificate, locked under it.
    The login password is asked too, so an open session alone cannot replace the key."""
    user = request.user
    passphrase = data.get("passphrase", "")
    errors: dict[str, str] = {}
    if not await accounts.check_own_password(user.id, data.get("password", "")):
        errors["password"] = WRONG_LOGIN_PASSWORD
    if problem := service.passphrase_problem(passphrase):
        errors["passphrase"] = problem
    elif passphrase != data.get("passphrase_confirm", ""):
        errors["passphrase_confirm"] = NOT_THE_SAME
    if errors:
        return await _signer_page(request, errors, status=422)
    try:
        await service.set_passphrase(
            request.app.state.settings, user.id, await service.signer_identity(user), passphrase
        )
    except (service.CertificateProblem, service.SigningUnavailable) as problem:
        return await _signer_page(request, {"passphrase": str(problem)}, status=409)
    log.info("new signer certificate for account %s", user.id)
    return await _signer_page(
        request, notice="Passphrase disimpan; sertifikat TTE baru sudah diterbitkan."
    )


# ---------------------------------------------------------------------------------------------
# The admin's page of one account's certificate


async def _admin_page(account: dict, errors: dict | None = None, notice: str = "", status=200):
    certificate = await service.current_certificate(account["id"])
    nik = await service.bsre_nik(account["id"])
    return Template(
        "tte/admin_account.html",
        context={
            "account": account,
            "certificate": certificate,
            "state": service.certificate_state(certificate),
            "masked_nik": mask_nik(nik) if nik else "",
            "errors": errors or {},
            "notice": notice,
        },
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


@get("/admin/pengguna/{account_id:int}/tte", guards=[ADMIN], name="admin_signer")
async def admin_signer(account_id: FromPath[int]) -> Template:
    account = await accounts.get_account(account_id)
    if account is None:
        raise NotFoundException()
    return await _admin_page(account)


@post("/admin/pengguna/{account_id:int}/tte", guards=[ADMIN], status_code=200)
async def admin_set_nik(account_id: FromPath[int], data: Form) -> Template:
    account = await accounts.get_account(account_id)
    if account is None:
        raise NotFoundException()
    try:
        await service.set_bsre_nik(account_id, data.get("nik", ""))
    except service.CertificateProblem as problem:
        return await _admin_page(account, {"nik": str(problem)}, status=422)
    return await _admin_page(account, notice="NIK untuk TTE BSrE disimpan.")


@post("/admin/pengguna/{account_id:int}/tte/cabut", guards=[ADMIN], status_code=303)
async def admin_revoke(request: Request, account_id: FromPath[int]) -> Redirect:
    if await accounts.get_account(account_id) is None:
        raise NotFoundException()
    await service.revoke_certificates_of(
        request.app.state.settings, account_id, "Dicabut oleh admin kota"
    )
    return Redirect(f"/admin/pengguna/{account_id}/tte", status_code=303)


ROUTES: list[HTTPRouteHandler] = [
    city_ca_pem,
    city_ca_crl,
    signer_account,
    set_passphrase,
    admin_signer,
    admin_set_nik,
    admin_revoke,
]
