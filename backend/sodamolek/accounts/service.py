"""Accounts: creating staff, logging in with a throttle, loading the current user."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sodamolek import db
from sodamolek.accounts import passwords, sessions, throttle
from sodamolek.accounts.tables import Account, LoginAttempt
from sodamolek.core.nip import InvalidNip, parse_nip
from sodamolek.core.roles import Role
from sodamolek.db import current_engine, write_transaction
from sodamolek.regions import service as regions

USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{2,63}")
# Kept a day for the record; the throttle only looks at the last window.
ATTEMPT_RETENTION = dt.timedelta(days=1)


class AccountError(ValueError):
    """Input that cannot make an account; the message is for the person who typed it, `field`
    names the input it is about (for forms)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class AccountNotFound(LookupError):
    pass


class InvalidCredentials(Exception):
    """Unknown user, wrong password or disabled account: one answer for all three."""


@dataclass(frozen=True)
class CurrentUser:
    id: int | None  # None for an API token, which is no account
    username: str
    full_name: str
    role: Role
    kelurahan_id: int | None
    kecamatan_id: int | None
    office_name: str
    api_token_id: int | None = None

    @property
    def role_label(self) -> str:
        return "Token API" if self.api_token_id else self.role.label


ThrottlePolicy = throttle.ThrottlePolicy
LoginThrottled = throttle.Throttled


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()


async def create_account(
    *,
    username: str,
    full_name: str,
    role: str,
    password: str,
    kelurahan: str | None = None,
    kecamatan: str | None = None,
    nip: str = "",
) -> int:
    """Create a staff account; `kelurahan`/`kecamatan` are a Kemendagri code or a name."""
    username = normalise_username(username)
    if not USERNAME_PATTERN.fullmatch(username):
        raise AccountError(
            "Nama pengguna 3–64 karakter: huruf kecil, angka, titik, garis bawah atau tanda "
            "hubung.",
            "username",
        )
    try:
        role_value = Role(role)
    except ValueError:
        raise AccountError(
            f"Peran {role!r} tidak dikenal; pilih salah satu: {', '.join(r.value for r in Role)}.",
            "role",
        ) from None
    full_name = " ".join((full_name or "").split())
    if not 3 <= len(full_name) <= 120:
        raise AccountError("Nama lengkap 3–120 karakter.", "full_name")
    try:
        nip = parse_nip(nip).value if nip.strip() else ""  # printed under the signature
    except InvalidNip as error:
        raise AccountError(str(error), "nip") from None
    if problem := passwords.password_problem(password):
        raise AccountError(problem, "password")
    kelurahan_id, kecamatan_id = await _resolve_scope(role_value, kelurahan, kecamatan)
    if await Account.exists().where(Account.username == username):
        raise AccountError(f"Nama pengguna {username!r} sudah dipakai.", "username")
    password_hash = await passwords.hash_password(password)
    rows = await Account.insert(
        Account(
            username=username,
            full_name=full_name,
            role=role_value.value,
            kelurahan=kelurahan_id,
            kecamatan=kecamatan_id,
            nip=nip,
            password_hash=password_hash,
            is_active=True,
            created_at=_now(),
        )
    )
    return rows[0]["id"]


async def _resolve_scope(
    role: Role, kelurahan: str | None, kecamatan: str | None
) -> tuple[int | None, int | None]:
    if role.scope == "kelurahan":
        if not kelurahan or kecamatan:
            raise AccountError(
                f"Peran {role.label} harus terikat pada satu kelurahan (--kelurahan)."
            )
        row = await regions.find_kelurahan(kelurahan)
        if row is None:
            raise AccountError(f"Kelurahan {kelurahan!r} tidak ditemukan.", "kelurahan")
        return row["id"], None
    if role.scope == "kecamatan":
        if not kecamatan or kelurahan:
            raise AccountError("Peran Camat harus terikat pada satu kecamatan (--kecamatan).")
        row = await regions.find_kecamatan(kecamatan)
        if row is None:
            raise AccountError(f"Kecamatan {kecamatan!r} tidak ditemukan.", "kecamatan")
        return None, row["id"]
    if kelurahan or kecamatan:
        raise AccountError("Admin kota tidak terikat pada kelurahan atau kecamatan.")
    return None, None


async def authenticate(
    username: str, password: str, address: str, policy: ThrottlePolicy | None = None
) -> CurrentUser:
    """Check a login. Each try first claims its turn from the throttle (the address, then the
    account from that address); LoginThrottled comes before the password is looked at, and
    InvalidCredentials for any failure."""
    policy = policy or ThrottlePolicy()
    username = normalise_username(username)[:64]
    address = address[:64]
    address_key = throttle.address_key(address)
    account_key = throttle.account_key(username, address)
    await throttle.claim(address_key, policy.free_per_address, policy)
    await throttle.claim(account_key, policy.free_per_account_address, policy)
    account = (
        await Account.select(Account.id, Account.password_hash, Account.is_active)
        .where(Account.username == username)
        .first()
    )
    stored_hash = account["password_hash"] if account and account["is_active"] else None
    ok = await passwords.verify_password(stored_hash, password)
    now = _now()
    await LoginAttempt.insert(
        LoginAttempt(username=username, address=address, succeeded=ok, attempted_at=now)
    )
    if not ok:
        raise InvalidCredentials()
    assert account is not None
    await throttle.forget(account_key)
    await throttle.give_back(address_key)
    if passwords.needs_rehash(account["password_hash"]):
        new_hash = await passwords.hash_password(password)
        await Account.update({Account.password_hash: new_hash}).where(Account.id == account["id"])
    await LoginAttempt.delete().where(LoginAttempt.attempted_at < now - ATTEMPT_RETENTION)
    await throttle.forget_stale(policy)
    user = await load_user(account["id"])
    assert user is not None
    return user


# Every staff request loads its user: fixed SQL (db.reads), not a query built per request.
USER = db.Sql(
    f"SELECT {sessions.ACCOUNT_COLUMNS} FROM account {sessions.ACCOUNT_OFFICES} "  # noqa: S608 - constants
    "WHERE account.id = ? AND account.is_active = ?"
)


async def load_user(account_id: int) -> CurrentUser | None:
    """The active account with its office's name, or None (disabled or deleted)."""
    row = await db.fetch_one(USER, account_id, True)
    return None if row is None else user_from_row(row)


def user_from_row(row: dict) -> CurrentUser:
    """The user of an active account's row (sessions.ACCOUNT_COLUMNS)."""
    role = Role(row["role"])
    office = {
        "kelurahan": f"Kelurahan {row['kelurahan_name']}",
        "kecamatan": f"Kecamatan {row['kecamatan_name']}",
        "kota": "Pemerintah Kota Kupang",
    }[role.scope]
    return CurrentUser(
        id=row["id"],
        username=row["username"],
        full_name=row["full_name"],
        role=role,
        kelurahan_id=row["kelurahan"],
        kecamatan_id=row["kecamatan"],
        office_name=office,
    )


def _summary_columns() -> tuple:
    """What the admin's lists and pages show of an account."""
    return (
        Account.id,
        Account.username,
        Account.full_name,
        Account.role,
        Account.is_active,
        Account.kelurahan.name.as_alias("kelurahan_name"),
        Account.kecamatan.name.as_alias("kecamatan_name"),
    )


async def list_accounts() -> list[dict]:
    return (
        await Account.select(*_summary_columns()).order_by(Account.role).order_by(Account.username)
    )


async def active_staff(
    role: Role, *, kelurahan_id: int | None = None, kecamatan_id: int | None = None
) -> list[int]:
    """Ids of the active accounts of a role in one office (for staff alerts)."""
    query = Account.select(Account.id).where(
        (Account.role == role.value) & (Account.is_active == True)  # noqa: E712 - SQL
    )
    if kelurahan_id is not None:
        query = query.where(Account.kelurahan == kelurahan_id)
    if kecamatan_id is not None:
        query = query.where(Account.kecamatan == kecamatan_id)
    return [row["id"] for row in await query]


async def account_exists(username: str) -> bool:
    return await Account.exists().where(Account.username == normalise_username(username))


async def account_id_of(username: str) -> int:
    row = await Account.select(Account.id).where(Account.username == username).first()
    if row is None:
        raise AccountNotFound(username)
    return row["id"]


async def account_nip(account_id: int | None) -> str:
    """The NIP printed under a signature ("" for an account without one)."""
    if account_id is None:
        return ""
    row = await Account.select(Account.nip).where(Account.id == account_id).first()
    return row["nip"] if row else ""


async def get_account(account_id: int) -> dict | None:
    return await Account.select(*_summary_columns()).where(Account.id == account_id).first()


async def check_own_password(account_id: int | None, password: str) -> bool:
    """Whether the password is the (active) account's own: asked again before a step that
    must not ride on an open session alone (setting the signing passphrase)."""
    row = None
    if account_id is not None:
        row = (
            await Account.select(Account.password_hash)
            .where((Account.id == account_id) & (Account.is_active == True))  # noqa: E712
            .first()
        )
    return await passwords.verify_password(row["password_hash"] if row else None, password)


async def set_account_active(account_id: int, active: bool, *, actor_id: int | None) -> None:
    """Enable or disable an account. Disabling ends its sessions at once (the session loader
    would refuse them anyway, but they must not come back if the account is enabled again)."""
    if not active and account_id == actor_id:
        raise AccountError("Anda tidak dapat menonaktifkan akun Anda sendiri.")
    if await get_account(account_id) is None:
        raise AccountNotFound(account_id)
    async with write_transaction(current_engine()):
        await Account.update({Account.is_active: active}).where(Account.id == account_id)
        if not active:
            await sessions.end_sessions_of(account_id)


async def reset_password(account_id: int, password: str) -> None:
    """The admin sets a new password; every session of the account ends."""
    if problem := passwords.password_problem(password):
        raise AccountError(problem, "password")
    if await get_account(account_id) is None:
        raise AccountNotFound(account_id)
    password_hash = await passwords.hash_password(password)
    async with write_transaction(current_engine()):
        await Account.update({Account.password_hash: password_hash}).where(Account.id == account_id)
        await sessions.end_sessions_of(account_id)
