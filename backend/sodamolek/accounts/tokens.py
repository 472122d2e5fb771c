"""API tokens: made by the admin for one kelurahan, stored hashed, revocable."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sodamolek import db
from sodamolek.accounts.service import CurrentUser
from sodamolek.accounts.tables import ApiToken
from sodamolek.core.roles import Role
from sodamolek.regions import service as regions

TOKEN_PREFIX = "smk_"  # noqa: S105 - a prefix, not a secret
# last_used_at is informative; writing it on every call would be a write per API request.
LAST_USED_GRANULARITY = dt.timedelta(minutes=5)


class TokenError(ValueError):
    """The message is for the admin."""


def _hash(token: str) -> str:
    # The token has 256 random bits: a fast hash is enough (nothing to brute-force).
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def create_token(created_by: int | None, name: str, kelurahan: str) -> tuple[int, str]:
    """(id, the token in clear — shown once, never stored)."""
    name = " ".join((name or "").split())
    if not 3 <= len(name) <= 100:
        raise TokenError("Nama token 3–100 karakter (mis. nama sistem yang memakainya).")
    office = await regions.find_kelurahan(kelurahan or "")
    if office is None:
        raise TokenError("Kelurahan tidak ditemukan.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    rows = await ApiToken.insert(
        ApiToken(
            name=name,
            kelurahan=office["id"],
            token_hash=_hash(token),
            prefix=token[:10],
            created_by=created_by,
            created_at=_now(),
        )
    )
    return rows[0]["id"], token


async def revoke_token(token_id: int) -> bool:
    row = await ApiToken.select(ApiToken.revoked_at).where(ApiToken.id == token_id).first()
    if row is None:
        return False
    if row["revoked_at"] is None:
        await ApiToken.update({ApiToken.revoked_at: _now()}).where(ApiToken.id == token_id)
    return True


# Fixed SQL (db.statements): run on every API call made with a token.
_VALID_TOKEN = db.Sql(
    "SELECT api_token.id, api_token.name, api_token.kelurahan, api_token.last_used_at, "
    "kelurahan.name AS kelurahan_name FROM api_token "
    "JOIN kelurahan ON kelurahan.id = api_token.kelurahan "
    "WHERE api_token.token_hash = ? AND api_token.revoked_at IS NULL LIMIT 1"
)


async def authenticate_token(token: str) -> CurrentUser | None:
    """The principal a valid, unrevoked token acts as: an operator of its kelurahan."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    # Raw on SQLite (every API request): its one timestamp decoded here, not by a converter.
    row = await db.fetch_one(_VALID_TOKEN, _hash(token), raw=True)
    if row is None:
        return None
    now = _now()
    last = row["last_used_at"]
    if last is None or now - db.stored_time(last) > LAST_USED_GRANULARITY:
        await ApiToken.update({ApiToken.last_used_at: now}).where(ApiToken.id == row["id"])
    return CurrentUser(
        id=None,
        username=f"token:{row['id']}",
        full_name=row["name"],
        role=Role.OPERATOR,
        kelurahan_id=row["kelurahan"],
        kecamatan_id=None,
        office_name=f"Kelurahan {row['kelurahan_name']}",
        api_token_id=row["id"],
    )


async def list_tokens() -> list[dict]:
    return await ApiToken.select(
        ApiToken.id,
        ApiToken.name,
        ApiToken.prefix,
        ApiToken.created_at,
        ApiToken.revoked_at,
        ApiToken.last_used_at,
        ApiToken.kelurahan.name.as_alias("kelurahan_name"),
    ).order_by(ApiToken.id, ascending=False)
