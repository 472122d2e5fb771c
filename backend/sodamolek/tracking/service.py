"""What a resident sees of a request, by its tracking code: no NIK, the name masked."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sodamolek import db
from sodamolek.core.masking import mask_name
from sodamolek.letter_requests import service as requests
from sodamolek.letter_requests.codes import normalise_tracking_code
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


# The page's parts as attributes, not dicts: Jinja's `office.name` on a dict first tries the
# attribute and catches the AttributeError (the status page's render 149 -> 131 µs in-process).
@dataclass(frozen=True, slots=True)
class Step:
    label: str
    status: str
    at: object
    reason: str


@dataclass(frozen=True, slots=True)
class Office:
    name: str
    address: str
    hours: str
    phone: str
    kecamatan: str


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
    timeline: list[Step]
    bring: list[str]
    office: Office
    request_id: int
    survey: str  # 'open' after pickup, 'done' once answered, else 'closed'
    waiting_for_resident: bool = False  # the service-time clock is paused: no expected date
    reason: str = ""  # the current status's reason, when it concerns the resident

    @property
    def expects_a_date(self) -> bool:
        return self.status in IN_PROGRESS and not self.waiting_for_resident


# The whole page in one statement, so one snapshot on either engine without a transaction
# around it and one round trip on PostgreSQL (BEGIN, three reads and COMMIT were five): the
# request with its type and office (requests.TRACKED), its events as JSON (each with its id:
# the order is made here, whatever the aggregate's), whether its survey was answered.
# The statement is made of constants only (S608 sees an f-string).
PAGE = db.Sql(
    "SELECT t.*, (SELECT json_group_array(json_array(e.id, e.from_status, e.to_status, "  # noqa: S608
    "e.reason, e.at)) FROM request_event e WHERE e.request = t.id) AS events_json, "
    "EXISTS (SELECT 1 FROM survey_response s WHERE s.request = t.id) AS answered "
    f"FROM ({requests.TRACKED.sqlite}) t",
    postgres="SELECT t.*, (SELECT json_agg(json_build_array(e.id, e.from_status, "  # noqa: S608
    "e.to_status, "
    "e.reason, e.at)) FROM request_event e WHERE e.request = t.id) AS events_json, "
    "EXISTS (SELECT 1 FROM survey_response s WHERE s.request = t.id) AS answered "
    f"FROM ({requests.TRACKED.sqlite}) t",
)


def _events(events_json: str | None) -> list[dict]:
    """The events in the order they happened; `at` as SQLite stores it or as PostgreSQL's JSON
    writes it, both ISO 8601 in UTC."""
    rows = sorted(json.loads(events_json or "[]"))
    return [
        {
            "from_status": from_status,
            "to_status": to_status,
            "reason": reason,
            "at": db.stored_time(at),
        }
        for _, from_status, to_status, reason, at in rows
    ]


async def track(code: str) -> TrackingView | None:
    normalised = normalise_tracking_code(code)
    # Raw on SQLite: the page decodes its few columns itself, without a converter call each.
    row = await db.fetch_one(PAGE, normalised, raw=True) if normalised else None
    if row is None:
        return None
    events = _events(row.pop("events_json"))
    answered = bool(row.pop("answered"))
    for key in ("created_at", "due_at", "ready_at"):
        if row[key] is not None:
            row[key] = db.stored_time(row[key])
    request = requests.decode_tracked(row)
    timeline = [
        Step(
            label=event_title(e["from_status"], e["to_status"]),
            status=e["to_status"],
            at=e["at"],
            reason=e["reason"] if Status(e["to_status"]) in PUBLIC_REASON else "",
        )
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
        office=Office(
            name=request["office_name"],
            address=request["office_address"],
            hours=request["office_hours"],
            phone=request["office_phone"],
            kecamatan=request["office_kecamatan"],
        ),
        request_id=request["id"],
        survey=survey.state(request, answered),
        waiting_for_resident=status in CLOCK_PAUSED,
        reason=request["status_reason"] if status in PUBLIC_REASON else "",
    )
