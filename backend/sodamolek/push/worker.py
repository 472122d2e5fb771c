"""The push worker: claims due outbox messages, sends them with pywebpush's async API over one
shared aiohttp session, and records each outcome.

Claiming is one statement that moves rows to `sending` with a lease: on PostgreSQL over a
window locked FOR UPDATE SKIP LOCKED, so several workers share the work and never take the same
row; on SQLite in an IMMEDIATE transaction of its own (one writer at a time does the same job).
Delivery is at least once: a worker that dies after sending but before recording leaves the row
in `sending`, and it is sent again when the lease ends (the Topic header lets the push service
replace the duplicate).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import email.utils
import json
import logging
import random
import ssl
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from pywebpush import WebPusher

from sodamolek import db
from sodamolek.push import service, vapid
from sodamolek.push.tables import PushMessage, PushSubscription
from sodamolek.settings import Settings

logger = logging.getLogger("sodamolek.push")

TTL_SECONDS = 4 * 24 * 3600  # the phone may be off for a long weekend; at least 3 days
VAPID_TOKEN_LIFETIME = 12 * 3600  # RFC 8292 allows up to 24 h
VAPID_RENEW_BEFORE = 3600


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: float = 30.0
    cap_seconds: float = 3600.0
    max_attempts: int = 8
    max_retry_after_seconds: float = 24 * 3600.0  # a longer Retry-After is clamped
    lease_seconds: float = 120.0  # longer than a send can take (timeout below)
    send_timeout_seconds: float = 15.0
    jitter: Callable[[], float] = field(default=random.random)

    def backoff(self, attempts: int) -> float:
        """Exponential with "equal jitter": between half and all of base·2^(n-1), capped."""
        ceiling = min(self.cap_seconds, self.base_seconds * 2 ** max(0, attempts - 1))
        return ceiling / 2 + self.jitter() * ceiling / 2


@dataclass(frozen=True)
class SendResult:
    status: int | None  # None: no HTTP answer (network error, timeout)
    retry_after: str | None = None
    error: str = ""

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass(frozen=True)
class Claimed:
    id: int
    attempts: int  # after this claim; also the fence for recording the outcome
    subscription_id: int
    endpoint: str
    endpoint_hash: str
    p256dh: str
    auth: str
    payload: str
    urgency: str
    topic: str


class _NoRedirects:
    """pywebpush posts through whatever `aiohttp_session` it is given; this one never follows a
    redirect, so a push service cannot bounce our POST to another address."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    def post(self, url: str, **kwargs: Any):
        return self._session.post(url, allow_redirects=False, **kwargs)


class PushSender:
    """Encrypts and sends one message with pywebpush over a shared aiohttp session. The VAPID
    token is signed once per push service and reused until near its expiry: pywebpush's
    webpush_async would sign one per message (and mutate the claims dict it is given)."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        vapid_private_key: str,
        vapid_subject: str,
        ttl: int = TTL_SECONDS,
        timeout: float = RetryPolicy.send_timeout_seconds,
    ) -> None:
        self.session = _NoRedirects(session)
        self.signer = vapid.load_signer(vapid_private_key)
        self.subject = vapid_subject
        self.ttl = ttl
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._tokens: dict[str, tuple[dict[str, str], float]] = {}

    def vapid_headers(self, endpoint: str) -> dict[str, str]:
        parts = urlsplit(endpoint)
        audience = f"{parts.scheme}://{parts.netloc}"
        cached = self._tokens.get(audience)
        now = time.time()
        if cached is None or cached[1] - now < VAPID_RENEW_BEFORE:
            expires = int(now) + VAPID_TOKEN_LIFETIME
            # A fresh claims dict each time: py_vapid and pywebpush keep no reference to it.
            headers = self.signer.sign({"sub": self.subject, "aud": audience, "exp": expires})
            cached = (headers, float(expires))
            self._tokens[audience] = cached
        return dict(cached[0])

    async def send(self, message: Claimed) -> SendResult:
        """Never raises: every failure becomes a result, so one message cannot sink a batch."""
        try:
            headers = self.vapid_headers(message.endpoint)
            headers |= {"Urgency": message.urgency, "Topic": message.topic}
            keys = {"p256dh": message.p256dh, "auth": message.auth}
            pusher = WebPusher(
                {"endpoint": message.endpoint, "keys": keys},
                aiohttp_session=self.session,
            )
            response = await pusher.send_async(
                message.payload, headers, ttl=self.ttl, timeout=self.timeout
            )
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            return SendResult(status=None, error=f"{type(error).__name__}: {error}"[:300])
        except Exception as error:  # a bug, a bad VAPID subject, a key pywebpush refuses
            logger.exception("push message %s could not be sent", message.id)
            return SendResult(status=None, error=f"{type(error).__name__}: {error}"[:300])
        assert isinstance(response, aiohttp.ClientResponse)
        refused = (
            "" if 200 <= response.status < 300 else f"HTTP {response.status} {response.reason}"
        )
        return SendResult(
            status=response.status, retry_after=response.headers.get("Retry-After"), error=refused
        )


@contextlib.asynccontextmanager
async def open_sender(
    settings: Settings,
    *,
    ssl_context: ssl.SSLContext | None = None,
    connections_per_host: int = 50,
    policy: RetryPolicy | None = None,
) -> AsyncIterator[PushSender]:
    """One aiohttp session (keep-alive connections per push service) for the sender's life."""
    policy = policy or RetryPolicy()
    connector = aiohttp.TCPConnector(
        limit=connections_per_host * 4,
        limit_per_host=connections_per_host,
        ttl_dns_cache=300,
        ssl=ssl_context if ssl_context is not None else True,
    )
    async with aiohttp.ClientSession(connector=connector, trust_env=False) as session:
        yield PushSender(
            session,
            vapid_private_key=settings.vapid_private_key,
            vapid_subject=settings.vapid_subject,
            timeout=policy.send_timeout_seconds,
        )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def parse_retry_after(value: str | None, now: dt.datetime) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP-date (RFC 9110 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - now).total_seconds())


# Claiming: the first batch_size due rows (first in, first out: one status change's messages
# share a due time) move to `sending` under a lease and come back with their subscription, in
# one statement. A row whose subscription is gone, or that has used every attempt (a worker
# died while sending it, again and again), ends there instead. Fixed SQL: Piccolo built four
# statements per batch, and each was a trip to the database.
#
# PostgreSQL: the window is locked FOR UPDATE SKIP LOCKED, so several workers share the work and
# never take the same row. SQLite has no row locks (nor needs them): the statement runs in an
# IMMEDIATE transaction of its own, one writer at a time.
#
# The push states are written without an fsync on SQLite (durable=False): a claim or an outcome
# that a power cut undoes only means the message is sent again, which at least once allows, and
# the two fsyncs were a tenth of a batch of 50.
_CLAIM = db.Sql(
    """UPDATE push_message SET
    state = CASE WHEN due.ended THEN 'permanent-failure' ELSE 'sending' END,
    last_error = CASE WHEN NOT due.ended THEN push_message.last_error
        WHEN push_message.subscription IS NULL THEN 'subscription removed'
        ELSE 'gave up after ' || push_message.attempts || ' attempts' END,
    attempts = push_message.attempts + CASE WHEN due.ended THEN 0 ELSE 1 END,
    locked_until = CASE WHEN due.ended THEN NULL ELSE ?3 END,
    next_attempt_at = CASE WHEN due.ended THEN NULL ELSE ?3 END,
    updated_at = ?1
FROM (
    SELECT id, subscription IS NULL OR attempts >= ?2 AS ended FROM push_message
    WHERE next_attempt_at <= ?1 ORDER BY next_attempt_at, id LIMIT ?4
) AS due
WHERE push_message.id = due.id
RETURNING push_message.id, push_message.state, push_message.attempts,
    push_message.subscription, push_message.payload, push_message.urgency, push_message.topic,
    (SELECT endpoint FROM push_subscription s WHERE s.id = push_message.subscription)
        AS endpoint,
    (SELECT endpoint_hash FROM push_subscription s WHERE s.id = push_message.subscription)
        AS endpoint_hash,
    (SELECT p256dh FROM push_subscription s WHERE s.id = push_message.subscription) AS p256dh,
    (SELECT auth FROM push_subscription s WHERE s.id = push_message.subscription) AS auth""",
    # The same, with each outcome its own UPDATE of the locked window (a CASE on a parameter
    # would leave PostgreSQL guessing its type); the subscription joined, not looked up.
    postgres="""WITH due AS (
    SELECT id, subscription IS NULL OR attempts >= $2 AS ended
    FROM push_message WHERE next_attempt_at <= $1
    ORDER BY next_attempt_at, id LIMIT $4 FOR UPDATE SKIP LOCKED
), ended AS (
    UPDATE push_message SET state = 'permanent-failure',
        last_error = CASE WHEN push_message.subscription IS NULL THEN 'subscription removed'
            ELSE 'gave up after ' || push_message.attempts || ' attempts' END,
        next_attempt_at = NULL, locked_until = NULL, updated_at = $1
    FROM due WHERE push_message.id = due.id AND due.ended
), claimed AS (
    UPDATE push_message SET state = 'sending', attempts = push_message.attempts + 1,
        locked_until = $3, next_attempt_at = $3, updated_at = $1
    FROM due WHERE push_message.id = due.id AND NOT due.ended
    RETURNING push_message.id, push_message.state, push_message.attempts,
        push_message.subscription, push_message.payload, push_message.urgency,
        push_message.topic
)
SELECT claimed.*, s.endpoint, s.endpoint_hash, s.p256dh, s.auth
FROM claimed LEFT JOIN push_subscription s ON s.id = claimed.subscription""",
)


async def claim_due(batch_size: int, policy: RetryPolicy) -> list[Claimed]:
    """Move up to batch_size due messages to `sending` under a lease and return them."""
    now = _now()
    lease_end = now + dt.timedelta(seconds=policy.lease_seconds)
    rows = await db.write_returning(
        _CLAIM, now, policy.max_attempts, lease_end, batch_size, durable=False
    )
    return [
        Claimed(
            id=r["id"],
            attempts=r["attempts"],
            subscription_id=r["subscription"],
            endpoint=r["endpoint"],
            endpoint_hash=r["endpoint_hash"],
            p256dh=r["p256dh"],
            auth=r["auth"],
            payload=r["payload"],
            urgency=r["urgency"],
            topic=r["topic"],
        )
        # RETURNING keeps no order: within the batch, sent concurrently, oldest written first.
        for r in sorted(rows, key=lambda r: r["id"])
        # The FK is SET NULL on delete, so a claimed row's subscription is there in the same
        # transaction; the guard keeps a concurrent unsubscribe on SQLite from dropping a row
        # without its keys into the batch (it is taken again, and ended, when its lease ends).
        if r["state"] == "sending" and r["endpoint"] is not None
    ]


async def _record(message: Claimed, result: SendResult, policy: RetryPolicy) -> str:
    """Write one outcome; returns the new state. Only if the row is still ours: same attempt
    number and still `sending` (the lease may have ended and someone else taken it)."""
    now = _now()
    values: dict[Any, Any] = {
        PushMessage.last_status_code: result.status,
        PushMessage.last_error: result.error,
        PushMessage.locked_until: None,
        PushMessage.updated_at: now,
    }
    status = result.status
    if result.delivered:
        state = "delivered"
    elif status in (404, 410):
        state = "permanent-failure"
        values[PushMessage.last_error] = f"HTTP {status}: subscription expired, removed"
    elif status == 429 or status is None or status >= 500:
        state = "temporary-failure"
    else:  # 413 (payload too large), 400, 401/403 (VAPID), redirects: sending again won't help
        state = "permanent-failure"
    if state == "temporary-failure" and message.attempts >= policy.max_attempts:
        state = "permanent-failure"
        values[PushMessage.last_error] = (
            f"gave up after {message.attempts} attempts; last: {result.error}"
        )
    if state == "temporary-failure":
        delay = policy.backoff(message.attempts)
        retry_after = parse_retry_after(result.retry_after, now)
        if retry_after is not None:
            delay = max(delay, min(retry_after, policy.max_retry_after_seconds))
        values[PushMessage.next_attempt_at] = now + dt.timedelta(seconds=delay)
    else:
        values[PushMessage.next_attempt_at] = None
    values[PushMessage.state] = state
    updated = (
        await PushMessage.update(values)
        .where(
            PushMessage.id == message.id,
            PushMessage.state == "sending",
            PushMessage.attempts == message.attempts,
        )
        .returning(PushMessage.id)
    )
    if not updated:
        return "lost-lease"
    if state == "delivered":
        await PushSubscription.update({PushSubscription.last_success_at: now}).where(
            PushSubscription.id == message.subscription_id
        )
    elif status in (404, 410):
        await service.remove_endpoint(message.endpoint_hash, f"HTTP {status} from push service")
    if state == "permanent-failure":
        logger.warning(
            "push message %s failed for good: %s", message.id, values[PushMessage.last_error]
        )
    return state


# Recording the common outcome: every delivered message of a batch in one statement, fenced like
# _record (still `sending`, same attempt), the batch as JSON so that the statement's text is the
# same for any batch; and the last success of their subscriptions, written at most once an hour
# (it only says the endpoint still worked lately), so a phone that gets many messages costs one
# write, not one per batch. SQLite: two statements, sent to the writer's thread with the commit
# (one hand-off). PostgreSQL: one statement for both tables, one round trip.
_DELIVERED = db.Sql(
    """UPDATE push_message SET state = 'delivered', last_status_code = sent.status,
    last_error = '', locked_until = NULL, next_attempt_at = NULL, updated_at = ?
FROM (
    SELECT json_extract(value, '$.id') AS id, json_extract(value, '$.attempts') AS attempts,
        json_extract(value, '$.status') AS status
    FROM json_each(?)
) AS sent
WHERE push_message.id = sent.id AND push_message.attempts = sent.attempts
    AND push_message.state = 'sending'""",
    # The ids also as an array for the primary key: with the JSON's rows unknown to the planner
    # and few rows `sending` when the table was last analysed, it scanned the whole table.
    postgres="""WITH sent AS (
    SELECT * FROM json_to_recordset($2::json) AS sent(id integer, attempts integer, status integer)
), delivered AS (
    UPDATE push_message SET state = 'delivered', last_status_code = sent.status,
        last_error = '', locked_until = NULL, next_attempt_at = NULL, updated_at = $1
    FROM sent
    WHERE push_message.id = ANY (ARRAY(SELECT id FROM sent)) AND push_message.id = sent.id
        AND push_message.attempts = sent.attempts AND push_message.state = 'sending'
    RETURNING push_message.subscription
)
UPDATE push_subscription SET last_success_at = $1
WHERE id IN (SELECT subscription FROM delivered)
    AND (last_success_at IS NULL OR last_success_at < $3)""",
)
_REACHED = db.Sql(  # SQLite only: PostgreSQL's _DELIVERED does it
    "UPDATE push_subscription SET last_success_at = ? "
    "WHERE id IN (SELECT value FROM json_each(?)) "
    "AND (last_success_at IS NULL OR last_success_at < ?)"
)
LAST_SUCCESS_GRANULARITY = dt.timedelta(hours=1)


async def _record_delivered(delivered: list[tuple[Claimed, SendResult]]) -> None:
    """The common outcome, for the whole batch at once; joins the caller's transaction."""
    now = _now()
    stale = now - LAST_SUCCESS_GRANULARITY
    sent = json.dumps(
        [{"id": m.id, "attempts": m.attempts, "status": r.status} for m, r in delivered]
    )
    engine = db.current_engine()
    if db.engine_name(engine) == "postgresql":
        await db.write_returning(_DELIVERED, now, sent, stale)
        return
    reached = json.dumps(sorted({message.subscription_id for message, _ in delivered}))
    async with db.write_transaction(engine, durable=False):
        await db.write(_DELIVERED, now, sent)
        await db.write(_REACHED, now, reached, stale)


async def deliver_due(
    sender: PushSender, batch_size: int = 50, policy: RetryPolicy | None = None
) -> int:
    """One pass: claim up to batch_size due messages, send them concurrently, record the
    outcomes. Returns how many were sent (0: nothing was due)."""
    policy = policy or RetryPolicy()
    claimed = await claim_due(batch_size, policy)
    if not claimed:
        return 0
    results = await asyncio.gather(*(sender.send(m) for m in claimed))
    outcomes = list(zip(claimed, results, strict=True))
    delivered = [(m, r) for m, r in outcomes if r.delivered]
    failed = [(m, r) for m, r in outcomes if not r.delivered]
    if not failed:  # the usual batch: one statement (PostgreSQL) or one hand-off (SQLite)
        await _record_delivered(delivered)
        return len(claimed)
    async with db.write_transaction(db.current_engine(), durable=False):
        if delivered:
            await _record_delivered(delivered)
        for message, result in failed:
            await _record(message, result, policy)
    return len(claimed)


async def run_worker(
    stop_event: asyncio.Event,
    settings: Settings,
    *,
    batch_size: int = 50,
    poll_interval: float = 1.0,
    ssl_context: ssl.SSLContext | None = None,
    policy: RetryPolicy | None = None,
) -> None:
    """Deliver until stop_event is set: a full batch goes round again at once, otherwise wait
    poll_interval. A batch in flight is finished before stopping; a worker killed mid-batch
    leaves rows in `sending` that are taken again when their lease ends."""
    policy = policy or RetryPolicy()
    failures = sent = 0
    async with open_sender(settings, ssl_context=ssl_context, policy=policy) as sender:
        logger.info("push worker started")
        while not stop_event.is_set():
            try:
                handled = await deliver_due(sender, batch_size, policy)
                sent += handled
                failures = 0
            except Exception:  # the database may be restarting: keep going, slower
                failures += 1
                if failures == 1 or failures % 60 == 0:
                    logger.exception("push worker pass failed (%s in a row)", failures)
                handled = 0
            if handled >= batch_size:
                continue
            wait = poll_interval if failures == 0 else min(30.0, poll_interval * 2**failures)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop_event.wait(), wait)
        logger.info("push worker stopped after %d sends", sent)
