"""The JSON API's bodies as msgspec Structs: Litestar checks every request body against them
before the handler runs (a number where text belongs is refused, not stored as its Python
text) and the OpenAPI document is generated from them."""

from __future__ import annotations

from typing import Annotated

import msgspec

# No control characters but tab, newline and carriage return: the input guard refuses them
# (web.input_guard), and the schema says so.
NO_CONTROL = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$"
Text = Annotated[str, msgspec.Meta(max_length=2000, pattern=NO_CONTROL)]
Short = Annotated[str, msgspec.Meta(max_length=200, pattern=NO_CONTROL)]


class Applicant(msgspec.Struct, kw_only=True, omit_defaults=True, forbid_unknown_fields=True):
    nik: Short | None = None
    kk: Short | None = None
    name: Short | None = None
    birth_place: Short | None = None
    birth_date: Short | None = None  # YYYY-MM-DD
    sex: Short | None = None  # L or P
    address: Text | None = None
    rt: Short | None = None
    rw: Short | None = None
    phone: Short | None = None
    religion: Short | None = None
    occupation: Short | None = None
    marital_status: Short | None = None
    citizenship: Short | None = None


class CreateBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    letter_type: Short
    applicant: Applicant = msgspec.field(default_factory=Applicant)
    data: dict[Short, Text] = msgspec.field(default_factory=dict)
    requirements_checked: list[Short] = msgspec.field(default_factory=list)
    notes: Text = ""
    client_request_id: Short | None = None  # when sent, the same UUID as Idempotency-Key


class CorrectionBody(msgspec.Struct, kw_only=True, omit_defaults=True, forbid_unknown_fields=True):
    """Only what is sent changes."""

    applicant: Applicant | None = None
    data: dict[Short, Text | None] | None = None
    requirements_checked: list[Short] | None = None
    notes: Text | None = None


class TransitionBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    to: Short
    reason: Text = ""
    version: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)] | None = None


class Event(msgspec.Struct, rename={"from_": "from"}):
    from_: str | None
    to: str
    reason: str
    actor: str | None
    at: str


class ApplicantOut(msgspec.Struct):
    nik: str | None
    kk: str | None
    name: str | None
    birth_place: str | None
    birth_date: str | None
    sex: str | None
    address: str | None
    rt: str | None
    rw: str | None
    phone: str | None
    religion: str | None
    occupation: str | None
    marital_status: str | None
    citizenship: str | None
    verified: bool | None


class RequestOut(msgspec.Struct, kw_only=True):
    id: int
    tracking_code: str
    client_request_id: str
    status: str
    status_label: str
    letter_type: str
    kelurahan: str
    applicant: ApplicantOut
    data: dict[str, str | None]
    requirements_checked: list[str]
    notes: str
    status_reason: str
    created_at: str
    due_at: str
    ready_at: str | None
    version: int
    events: list[Event] | None = None
    corrections: list[dict[str, object]] | None = None
    changed: list[str] | None = None


class QueueItem(msgspec.Struct):
    id: int
    tracking_code: str
    status: str
    applicant_name: str
    letter_type: str
    due_at: str
    overdue: bool


class QueuePage(msgspec.Struct):
    items: list[QueueItem]
    counts: dict[str, int]
    total: int
    page: int
    pages: int


class Problem(msgspec.Struct, kw_only=True):
    status_code: int
    detail: str
    errors: dict[str, str] | None = None
