"""What happens in the transaction of a request's creation or status change: one explicit list
of effects, run by letter_requests.service for every caller (views, API, CLI, scripts, the
signing desk). There is nothing to install: a script that moves a request gets every effect.

Each effect is an async function of one `StatusChange`; it writes its rows and opens no
transaction of its own, so everything commits or rolls back with the change."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sodamolek import db
from sodamolek.letter_requests import rollup, staff_alerts
from sodamolek.letter_requests.lifecycle import NOTIFY, Status
from sodamolek.push import service as push

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from sodamolek.accounts.service import CurrentUser


@dataclass(frozen=True)
class StatusChange:
    request: dict  # the row as it now is (status, ready_at, due_at… already changed)
    before: Status | None  # None: the request was just created
    after: Status
    actor: CurrentUser | None  # None: the system
    reason: str
    at: dt.datetime
    first_ready: bool = False  # became ready for the first time (not a replacement letter)
    actor_label: str = ""  # who, when there is no account (a resident applying from home)


def actor_name(actor: CurrentUser | None) -> str:
    return f"{actor.full_name} ({actor.role_label})" if actor else "Sistem"


# Fixed SQL (db.statements): these run in every creation and status change.
_AUDIT = db.Sql(
    "INSERT INTO request_event (request, actor, actor_name, from_status, to_status, reason, at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_COUNT = db.Sql(
    "INSERT INTO request_counter (kelurahan, status, count) VALUES (?, ?, ?) "
    "ON CONFLICT (kelurahan, status) DO UPDATE SET count = request_counter.count + excluded.count"
)


async def audit(change: StatusChange) -> None:
    """The append-only audit row: who, when, from, to, why."""
    await db.write(
        _AUDIT,
        change.request["id"],
        change.actor.id if change.actor else None,
        change.actor_label or actor_name(change.actor),
        change.before.value if change.before else None,
        change.after.value,
        change.reason,
        change.at,
    )


async def _count(kelurahan_id: int, status: Status, delta: int) -> None:
    await db.write(_COUNT, kelurahan_id, status.value, delta)


async def status_counters(change: StatusChange) -> None:
    """The office's count per status (the queue's tabs read them in constant time)."""
    if change.before is not None:
        await _count(change.request["kelurahan"], change.before, -1)
    await _count(change.request["kelurahan"], change.after, +1)


async def dashboard_rollup(change: StatusChange) -> None:
    """The daily rollup: received on creation, finished when first ready."""
    if change.before is None:
        await rollup.count_received(change.request)
    elif change.after is Status.READY and change.first_ready:
        await rollup.count_ready(change.request)


async def push_outbox(change: StatusChange) -> None:
    """The resident's Web Push message, for the statuses that notify (lifecycle.NOTIFY)."""
    if change.after in NOTIFY:
        await push.enqueue_status_notification(
            change.request["id"], change.request["tracking_code"], change.after.value
        )


async def staff_push(change: StatusChange) -> None:
    """Staff alerts (letter_requests.staff_alerts): the lurah's "N surat menunggu tanda
    tangan", the camat's, the operator's send-back and resident-applied. After the counters."""
    before = change.before.value if change.before else None
    await staff_alerts.notify_staff(change.request, before, change.after.value)


EFFECTS: tuple[Callable[[StatusChange], Awaitable[None]], ...] = (
    audit,
    status_counters,
    dashboard_rollup,
    push_outbox,
    staff_push,
)


async def run(change: StatusChange) -> None:
    """Every effect, in order, inside the caller's transaction."""
    for effect in EFFECTS:
        await effect(change)
