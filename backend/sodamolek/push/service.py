"""Web Push: checking and storing residents' subscriptions, and writing notifications to the
outbox. Sending is the worker's job (sodamolek.push.worker).

Push endpoints are user input and the worker POSTs to them, so an endpoint is accepted only on
https, on a host of a known push service (settings.push_allowed_hosts), and never on an IP
address or a local name unless that exact literal is listed (tests only: production refuses such
an entry, see sodamolek.push.setup)."""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from cryptography.hazmat.primitives.asymmetric import ec

from sodamolek import db
from sodamolek.push.tables import PushMessage, PushSubscription
from sodamolek.push.vapid import b64url, b64url_decode

# The request statuses a resident is told about: a guard here, the lifecycle decides
# (letter_requests.lifecycle.NOTIFY; a test keeps the two equal).
NOTIFY_STATUSES = ("incomplete", "rejected", "ready", "revoked")
MAX_ENDPOINT_LENGTH = 2048
# A request is followed from a few phones at most; past this the oldest subscription goes.
MAX_SUBSCRIPTIONS_PER_REQUEST = 10
LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa")

FINAL_STATES = ("delivered", "permanent-failure")
PENDING_STATES = ("created", "sending", "temporary-failure")


class InvalidSubscription(ValueError):
    """A subscription that cannot be stored; the message is for the resident (Indonesian)."""


@dataclass(frozen=True)
class CleanSubscription:
    endpoint: str
    p256dh: str  # base64url without padding
    auth: str

    @property
    def endpoint_hash(self) -> str:
        return endpoint_hash(self.endpoint)

    @property
    def host(self) -> str:
        return (urlsplit(self.endpoint).hostname or "").rstrip(".")


def endpoint_hash(endpoint: str) -> str:
    return hashlib.sha256(endpoint.encode("utf-8")).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# ---------------------------------------------------------------------------------------------
# Checking a subscription


def is_ip_literal(host: str) -> bool:
    """Also the legacy forms a resolver still accepts ("2130706433", "0x7f.1")."""
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    try:
        socket.inet_aton(host)
        return True
    except OSError:
        return False


def is_local_name(host: str) -> bool:
    return host == "localhost" or host.endswith(LOCAL_SUFFIXES) or "." not in host


def host_allowed(host: str, allowed_hosts: Iterable[str]) -> bool:
    """An entry is an exact host name, or "*.domain" for any host under domain (not domain
    itself). IP literals and local names pass only when listed exactly, never by a wildcard."""
    host = host.lower().rstrip(".")
    special = is_ip_literal(host) or is_local_name(host)
    for entry in allowed_hosts:
        entry = entry.strip().lower().rstrip(".")
        if entry == host:
            return True
        if not special and entry.startswith("*.") and host.endswith(entry[1:]):
            return True
    return False


def allowed_host_entry_problem(entry: str) -> str | None:
    """Production check of one SODAMOLEK_PUSH_ALLOWED_HOSTS entry."""
    name = entry.strip().lower().removeprefix("*.").rstrip(".")
    if not name or is_ip_literal(name) or is_local_name(name):
        return f"{entry!r} bukan nama host layanan push publik (alamat IP dan nama lokal ditolak)."
    return None


def _decode_key(value: Any, length: int, name: str) -> bytes:
    message = f"Kunci langganan notifikasi ({name}) tidak sah. Aktifkan ulang notifikasi."
    if not isinstance(value, str) or not value or len(value) > 200:
        raise InvalidSubscription(message)
    try:
        # Browsers send base64url without padding; accept the standard alphabet too.
        raw = b64url_decode(value.strip().replace("+", "-").replace("/", "_").rstrip("="))
    except ValueError:
        raise InvalidSubscription(message) from None
    if len(raw) != length:
        raise InvalidSubscription(message)
    return raw


def validate_subscription(
    subscription: Mapping[str, Any], allowed_hosts: Iterable[str]
) -> CleanSubscription:
    """Check a browser's PushSubscription.toJSON(); InvalidSubscription says what is wrong."""
    if not isinstance(subscription, Mapping):
        raise InvalidSubscription("Data langganan notifikasi tidak terbaca.")
    endpoint = subscription.get("endpoint")
    keys = subscription.get("keys")
    if not isinstance(endpoint, str) or not endpoint or not isinstance(keys, Mapping):
        raise InvalidSubscription(
            "Data langganan notifikasi tidak lengkap: perlu alamat (endpoint) dan kunci."
        )
    if len(endpoint) > MAX_ENDPOINT_LENGTH or any(c.isspace() for c in endpoint):
        raise InvalidSubscription("Alamat layanan notifikasi tidak sah.")
    try:
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").rstrip(".")
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise InvalidSubscription("Alamat layanan notifikasi tidak sah.") from None
    if parts.scheme != "https":
        raise InvalidSubscription("Alamat layanan notifikasi harus memakai https.")
    if not host or parts.username is not None or parts.password is not None:
        raise InvalidSubscription("Alamat layanan notifikasi tidak sah.")
    if not host_allowed(host, allowed_hosts):
        if is_ip_literal(host) or is_local_name(host):
            raise InvalidSubscription(
                "Alamat layanan notifikasi tidak boleh berupa alamat IP atau nama jaringan lokal."
            )
        raise InvalidSubscription(
            f"Layanan notifikasi {host} tidak dikenal. Gunakan peramban yang umum "
            "(Chrome, Firefox, Safari, Edge)."
        )
    p256dh = _decode_key(keys.get("p256dh"), 65, "p256dh")
    try:  # an uncompressed point that is really on P-256
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), p256dh)
    except ValueError:
        raise InvalidSubscription(
            "Kunci langganan notifikasi (p256dh) tidak sah. Aktifkan ulang notifikasi."
        ) from None
    if p256dh[0] != 0x04:
        raise InvalidSubscription(
            "Kunci langganan notifikasi (p256dh) tidak sah. Aktifkan ulang notifikasi."
        )
    auth = _decode_key(keys.get("auth"), 16, "auth")
    return CleanSubscription(endpoint=endpoint, p256dh=b64url(p256dh), auth=b64url(auth))


# ---------------------------------------------------------------------------------------------
# Storing subscriptions


def _subscription_key(request_id: int, endpoint_sha: str) -> str:
    return f"{request_id}:{endpoint_sha}"


async def subscribe(request_id: int, clean: CleanSubscription) -> int:
    """Tie a checked subscription to a request; the same endpoint and request again is the same
    row (keys refreshed). Returns the subscription's id."""
    now = _now()
    sha = clean.endpoint_hash
    async with db.write_transaction(PushSubscription._meta.db):
        rows = await PushSubscription.insert(
            PushSubscription(
                request_id=request_id,
                endpoint=clean.endpoint,
                endpoint_hash=sha,
                key=_subscription_key(request_id, sha),
                p256dh=clean.p256dh,
                auth=clean.auth,
                created_at=now,
            )
        ).on_conflict(
            target=PushSubscription.key,
            action="DO UPDATE",
            values=[PushSubscription.p256dh, PushSubscription.auth],
        )
        subscription_id = rows[0]["id"]
        # A browser's keys belong to its endpoint: rows for its other requests get them too.
        await PushSubscription.update(
            {PushSubscription.p256dh: clean.p256dh, PushSubscription.auth: clean.auth}
        ).where(PushSubscription.endpoint_hash == sha)
        newest_first = await (
            PushSubscription.select(PushSubscription.id)
            .where(PushSubscription.request_id == request_id)
            .order_by(PushSubscription.created_at, ascending=False)
            .order_by(PushSubscription.id, ascending=False)
        )
        others = [r["id"] for r in newest_first if r["id"] != subscription_id]
        stale = others[MAX_SUBSCRIPTIONS_PER_REQUEST - 1 :]
        if stale:
            await _remove_subscriptions(stale, "subscription dropped: too many for one request")
    return subscription_id


async def unsubscribe(endpoint: str, request_id: int | None = None) -> int:
    """Remove an endpoint's subscriptions (of one request, or all); idempotent. Messages not yet
    sent to it end as permanent-failure. Returns how many subscriptions were removed."""
    query = PushSubscription.select(PushSubscription.id).where(
        PushSubscription.endpoint_hash == endpoint_hash(endpoint)
    )
    if request_id is not None:
        query = query.where(PushSubscription.request_id == request_id)
    async with db.write_transaction(PushSubscription._meta.db):
        ids = [r["id"] for r in await query]
        await _remove_subscriptions(ids, "unsubscribed")
    return len(ids)


async def remove_endpoint(endpoint_sha: str, reason: str) -> int:
    """The push service said the endpoint is gone (404/410): forget it for every request.
    Runs in the caller's transaction."""
    ids = [
        r["id"]
        for r in await PushSubscription.select(PushSubscription.id).where(
            PushSubscription.endpoint_hash == endpoint_sha
        )
    ]
    await _remove_subscriptions(ids, reason)
    return len(ids)


async def _remove_subscriptions(ids: list[int], reason: str) -> None:
    if not ids:
        return
    now = _now()
    # Only messages still waiting: a row in `sending` belongs to a worker, which records its
    # own outcome.
    await PushMessage.update(
        {
            PushMessage.state: "permanent-failure",
            PushMessage.last_error: reason,
            PushMessage.next_attempt_at: None,
            PushMessage.locked_until: None,
            PushMessage.updated_at: now,
        }
    ).where(
        PushMessage.subscription.is_in(ids),
        PushMessage.state.is_in(["created", "temporary-failure"]),
    )
    await PushSubscription.delete().where(PushSubscription.id.is_in(ids))


async def following(endpoint: str, request_id: int) -> tuple[bool, int]:
    """Whether this browser follows the request, and how many requests it follows in all (the
    tracking page's card: "Matikan" on the last one unsubscribes the browser itself)."""
    rows = await PushSubscription.select(PushSubscription.request_id).where(
        PushSubscription.endpoint_hash == endpoint_hash(endpoint)
    )
    return any(r["request_id"] == request_id for r in rows), len(rows)


async def replace_endpoint(old_endpoint: str, clean: CleanSubscription) -> int:
    """The browser's push service gave it a new subscription (pushsubscriptionchange): every
    request the old one followed moves to the new one. Returns how many rows moved."""
    old_sha, new_sha = endpoint_hash(old_endpoint), clean.endpoint_hash
    async with db.write_transaction(PushSubscription._meta.db):
        rows = await PushSubscription.select(
            PushSubscription.id, PushSubscription.request_id
        ).where(PushSubscription.endpoint_hash == old_sha)
        if old_sha == new_sha:
            await PushSubscription.update(
                {PushSubscription.p256dh: clean.p256dh, PushSubscription.auth: clean.auth}
            ).where(PushSubscription.endpoint_hash == new_sha)
            return len(rows)
        already = {
            r["request_id"]
            for r in await PushSubscription.select(PushSubscription.request_id).where(
                PushSubscription.endpoint_hash == new_sha
            )
        }
        duplicates = [r["id"] for r in rows if r["request_id"] in already]
        await _remove_subscriptions(duplicates, "replaced by the browser's new subscription")
        for row in rows:
            if row["request_id"] in already:
                continue
            await PushSubscription.update(
                {
                    PushSubscription.endpoint: clean.endpoint,
                    PushSubscription.endpoint_hash: new_sha,
                    PushSubscription.key: _subscription_key(row["request_id"], new_sha),
                    PushSubscription.p256dh: clean.p256dh,
                    PushSubscription.auth: clean.auth,
                }
            ).where(PushSubscription.id == row["id"])
    return len(rows)


async def subscription_count(request_id: int) -> int:
    return await PushSubscription.count().where(PushSubscription.request_id == request_id)


# ---------------------------------------------------------------------------------------------
# The outbox


def notification_payload(request_id: int, tracking_code: str, status: str) -> dict[str, Any]:
    """What the phone receives: no name, no NIK, no address. The tracking code is the key to
    the tracking page (a bearer secret, not personal data) and makes the click URL."""
    return {
        "request_id": request_id,
        "code": tracking_code,
        "status": status,
        "url": f"/lacak/{quote(tracking_code, safe='')}",
    }


def topic_for(request_id: int) -> str:
    """Web Push Topic (RFC 8030 5.4): at most 32 base64url characters. One per request, so a
    newer status replaces an undelivered older one at the push service."""
    return f"req{request_id}"


def urgency_for(status: str) -> str:
    return "high" if status == "ready" else "normal"


async def enqueue_status_notification(request_id: int, tracking_code: str, status: str) -> int:
    """Write one outbox message per subscription of the request; returns how many.

    Call it inside the status change's transaction: it opens none of its own, so the messages
    commit (or roll back) with the status change. Statuses residents are not told about are
    ignored (returns 0), so the caller may call it on every change."""
    if status not in NOTIFY_STATUSES:
        return 0
    # Oldest subscription first, so a status change's messages queue in a fixed order.
    subscriptions = (
        await PushSubscription.select(PushSubscription.id)
        .where(PushSubscription.request_id == request_id)
        .order_by(PushSubscription.id)
    )
    if not subscriptions:
        return 0
    now = _now()
    payload = json.dumps(
        notification_payload(request_id, tracking_code, status), separators=(",", ":")
    )
    await PushMessage.insert(
        *[
            PushMessage(
                subscription=row["id"],
                request_id=request_id,
                status=status,
                payload=payload,
                urgency=urgency_for(status),
                topic=topic_for(request_id),
                state="created",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
                updated_at=now,
            )
            for row in subscriptions
        ]
    )
    return len(subscriptions)


async def messages_for_request(request_id: int) -> list[dict[str, Any]]:
    """The outbox rows of a request, oldest first (for pages and tests)."""
    return await (
        PushMessage.select().where(PushMessage.request_id == request_id).order_by(PushMessage.id)
    )


# ---------------------------------------------------------------------------------------------
# Staff alerts: the same push, to the devices staff opted in with

STAFF_QUIET = dt.timedelta(minutes=15)  # at most one alert of a topic in this time
STAFF_ALERTS = ("sign", "countersign", "returned", "applied")


def _staff_key(account_id: int, endpoint_sha: str) -> str:
    return f"a{account_id}:{endpoint_sha}"


async def subscribe_staff(account_id: int, clean: CleanSubscription) -> int:
    """This device of this account receives staff alerts; the same again is the same row."""
    sha = clean.endpoint_hash
    async with db.write_transaction(PushSubscription._meta.db):
        rows = await PushSubscription.insert(
            PushSubscription(
                request_id=0,
                account_id=account_id,
                endpoint=clean.endpoint,
                endpoint_hash=sha,
                key=_staff_key(account_id, sha),
                p256dh=clean.p256dh,
                auth=clean.auth,
                created_at=_now(),
            )
        ).on_conflict(
            target=PushSubscription.key,
            action="DO UPDATE",
            values=[PushSubscription.p256dh, PushSubscription.auth],
        )
    return rows[0]["id"]


async def unsubscribe_staff(account_id: int, endpoint: str) -> int:
    async with db.write_transaction(PushSubscription._meta.db):
        ids = [
            r["id"]
            for r in await PushSubscription.select(PushSubscription.id).where(
                PushSubscription.key == _staff_key(account_id, endpoint_hash(endpoint))
            )
        ]
        await _remove_subscriptions(ids, "staff device turned off")
    return len(ids)


async def staff_device_on(account_id: int, endpoint: str) -> bool:
    return await PushSubscription.exists().where(
        PushSubscription.key == _staff_key(account_id, endpoint_hash(endpoint))
    )


def staff_payload(alert: str, count: int | None, url: str) -> dict[str, Any]:
    """No personal data: which alert, how many, where to look. The words are push.js's."""
    return {"alert": alert, "count": count, "url": url}


async def enqueue_staff_alert(
    account_ids: Iterable[int],
    alert: str,
    topic: str,
    url: str,
    count: int | None = None,
    now: dt.datetime | None = None,
) -> int:
    """One message per opted-in device of these accounts, unless an alert of this topic was
    written in the last 15 minutes (then none: the staff member has been told, and the push
    service collapses by Topic what is still undelivered). Runs in the caller's transaction;
    returns how many messages were written."""
    if alert not in STAFF_ALERTS:
        raise ValueError(alert)
    now = now or _now()
    ids = list(account_ids)
    if not ids:
        return 0
    if await PushMessage.exists().where(
        (PushMessage.topic == topic) & (PushMessage.created_at > now - STAFF_QUIET)
    ):
        return 0
    devices = await PushSubscription.select(PushSubscription.id).where(
        PushSubscription.account_id.is_in(ids)
    )
    if not devices:
        return 0
    payload = json.dumps(staff_payload(alert, count, url), separators=(",", ":"))
    await PushMessage.insert(
        *[
            PushMessage(
                subscription=row["id"],
                request_id=0,
                status=alert,
                payload=payload,
                urgency="normal",
                topic=topic,
                state="created",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
                updated_at=now,
            )
            for row in devices
        ]
    )
    return len(devices)
