"""Staff alerts over the residents' push: the lurah hears "N surat menunggu tanda tangan", the
camat likewise for countersignatures, the operator when the lurah sends a request back and when
a resident applies from home. One effect of a request's creation or status change, run in its
transaction (so an alert exists only for a change that committed); each alert is at most one
per 15 minutes per office (push.enqueue_staff_alert) and collapsed by its Topic at the push
service. Payloads hold a kind, a count and a page: no name, no NIK, no code."""

from __future__ import annotations

from sodamolek.accounts.service import active_staff
from sodamolek.core.roles import Role
from sodamolek.letter_requests.lifecycle import Status
from sodamolek.letter_requests.tables import RequestCounter
from sodamolek.push import service as push

SIGN_DESK = "/tanda-tangan"
COUNTERSIGN_DESK = "/tanda-tangan-camat"
AWAITING_COUNTERSIGN = Status.AWAITING_COUNTERSIGN.value
SENT_BACK_FROM = (Status.AWAITING_SIGNATURE.value, AWAITING_COUNTERSIGN)


async def _waiting(status: str, *, kelurahan_id: int | None = None, kecamatan_id=None) -> int:
    query = RequestCounter.select(RequestCounter.count).where(RequestCounter.status == status)
    if kelurahan_id is not None:
        query = query.where(RequestCounter.kelurahan == kelurahan_id)
    if kecamatan_id is not None:
        query = query.where(RequestCounter.kelurahan.kecamatan == kecamatan_id)
    return sum(row["count"] for row in await query)


async def notify_staff(request: dict, before: str | None, after: str) -> int:
    """The alerts this change calls for; returns how many messages were written. Call it after
    the request's counters have moved, inside the change's transaction."""
    kelurahan, kecamatan = request["kelurahan"], request.get("kecamatan")
    written = 0
    if after == "awaiting_signature":
        written += await push.enqueue_staff_alert(
            await active_staff(Role.LURAH, kelurahan_id=kelurahan),
            "sign",
            topic=f"sign-k{kelurahan}",
            url=SIGN_DESK,
            count=await _waiting(after, kelurahan_id=kelurahan),
        )
    if after == AWAITING_COUNTERSIGN and kecamatan is not None:
        written += await push.enqueue_staff_alert(
            await active_staff(Role.CAMAT, kecamatan_id=kecamatan),
            "countersign",
            topic=f"sign-c{kecamatan}",
            url=COUNTERSIGN_DESK,
            count=await _waiting(after, kecamatan_id=kecamatan),
        )
    if before in SENT_BACK_FROM and after == "in_review":
        written += await push.enqueue_staff_alert(
            await active_staff(Role.OPERATOR, kelurahan_id=kelurahan),
            "returned",
            topic=f"back-k{kelurahan}",
            url=f"/permohonan/{request['id']}",
        )
    if before is None and request.get("channel") == "resident":  # just created from home
        written += await push.enqueue_staff_alert(
            await active_staff(Role.OPERATOR, kelurahan_id=kelurahan),
            "applied",
            topic=f"new-k{kelurahan}",
            url="/permohonan",
            count=await _waiting("in_review", kelurahan_id=kelurahan),
        )
    return written
