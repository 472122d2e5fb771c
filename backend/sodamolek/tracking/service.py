"""What a resident sees of a request, by its tracking code: no NIK, the name masked."""

from __future__ import annotations

from dataclasses import dataclass

from sodamolek.core.masking import mask_name
from sodamolek.db import reading
from sodamolek.letter_requests import service as requests
from sodamolek.letter_requests.lifecycle import (
    CLOCK_PAUSED,
    IN_PROGRESS,
    PUBLIC_REASON,
    RESIDENT_TEXT,
    Status,
    event_title,
)
from sodamolek.survey import service as survey

# The resident's words per status and the reasons that concern them: from the lifecycle.
NEXT_STEP = RESIDENT_TEXT


@dataclass(frozen=True)
class TrackingView:
    code: str
    status: Status
    next_step: str
    masked_name: str
    letter_type_name: str
    created_at: object
    due_at: object
    ready_at: object
    timeline: list[dict]
    bring: list[str]
    office: dict
    request_id: int
    survey: str  # 'open' after pickup, 'done' once answered, else 'closed'
    waiting_for_resident: bool = False  # the service-time clock is paused: no expected date
    reason: str = ""  # the current status's reason, when it concerns the resident

    @property
    def expects_a_date(self) -> bool:
        return self.status in IN_PROGRESS and not self.waiting_for_resident


async def track(code: str) -> TrackingView | None:
    # One snapshot, three statements written once (db.reads): the request with its type and
    # office, its events, its survey answer.
    async with reading():
        request = await requests.tracked_request(code)
        if request is None:
            return None
        events = await requests.events_of(request["id"])
        answered = await survey.is_answered(request["id"])
    timeline = [
        {
            "label": event_title(e["from_status"], e["to_status"]),
            "status": e["to_status"],
            "at": e["at"],
            "reason": e["reason"] if Status(e["to_status"]) in PUBLIC_REASON else "",
        }
        for e in events
    ]
    status = Status(request["status"])
    bring = ["Tanda terima permohonan (kode lacak ini)", "KTP-el asli pemohon"]
    if status is Status.INCOMPLETE:
        bring += [
            r
            for r in request["letter_type_requirements"]
            if r not in request["requirements_checked"]
        ]
    return TrackingView(
        code=request["tracking_code"],
        status=status,
        next_step=NEXT_STEP[status],
        masked_name=mask_name(request["applicant_name"]),
        letter_type_name=request["letter_type_name"],
        created_at=request["created_at"],
        due_at=request["due_at"],
        ready_at=request["ready_at"],
        timeline=timeline,
        bring=bring,
        office={
            "name": request["office_name"],
            "address": request["office_address"],
            "hours": request["office_hours"],
            "phone": request["office_phone"],
            "kecamatan": request["office_kecamatan"],
        },
        request_id=request["id"],
        survey=survey.state(request, answered),
        waiting_for_resident=status in CLOCK_PAUSED,
        reason=request["status_reason"] if status in PUBLIC_REASON else "",
    )
