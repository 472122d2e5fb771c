from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from sodamolek.accounts.tables import Account
from sodamolek.letters.tables import LetterType
from sodamolek.regions.tables import Kecamatan, Kelurahan


class LetterRequest(Table, tablename="letter_request"):
    """A resident's request for a letter (permohonan), from the counter to pickup."""

    id: Serial

    client_request_id = UUID(unique=True)  # made by the client when the form opened
    # The key replays are matched on: office, caller kind (staff or API token) and the UUID,
    # so a UUID known in another office is never answered with this one's request. Unique by
    # an index of its migration (SQLite cannot add a UNIQUE column).
    idempotency_key = Varchar(length=80, null=True, default=None)
    content_hash = Varchar(length=64)  # same key, other content: 409
    tracking_code = Varchar(length=20, unique=True)
    # No index of its own: every index led by kelurahan (letter_request_queue, its office's
    # created_at, the active queue's) serves a lookup by office, and each insert paid for one more.
    kelurahan = ForeignKey(Kelurahan, null=False)
    kecamatan = ForeignKey(Kecamatan, null=False, index=True)
    letter_type = ForeignKey(LetterType, null=False, index=True)
    status = Varchar(length=24, index=True)
    applicant_nik = Varchar(length=16, null=True, default=None, index=True)
    applicant_kk = Varchar(length=16, default="")
    applicant_name = Varchar(length=150)
    applicant_name_key = Varchar(length=150, index=True)  # casefolded, for search
    applicant_birth_place = Varchar(length=100, default="")
    applicant_birth_date = Date(null=True, default=None)
    applicant_sex = Varchar(length=1, default="")
    applicant_address = Text(default="")
    applicant_rt = Varchar(length=3, default="")
    applicant_rw = Varchar(length=3, default="")
    applicant_phone = Varchar(length=20, default="")
    # Identity as the registry records it, printed where a letter's form calls for it.
    applicant_religion = Varchar(length=32, default="")
    applicant_occupation = Varchar(length=100, default="")
    applicant_marital_status = Varchar(length=32, default="")
    applicant_citizenship = Varchar(length=8, default="")  # WNI or WNA
    applicant_verified = Boolean(default=False)
    verification_note = Text(default="")
    data = JSON(default="{}")  # the letter type's own fields
    requirements_checked = JSON(default="[]")
    notes = Text(default="")
    status_reason = Text(default="")  # the reason of the last move that needed one
    created_by = ForeignKey(Account, null=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    due_at = Timestamptz()  # indexed with the office and status (queue) and for open requests
    ready_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
    # Since when the request waits for the resident (Belum Lengkap): the service-time clock is
    # paused, and the due time moves on by the working days the wait took when it comes back.
    paused_at = Timestamptz(null=True, default=None)
    version = Integer(default=1)
    channel = Varchar(length=12, default="counter")  # counter | resident (Channel)


class RequestEvent(Table, tablename="request_event"):
    """Append-only audit trail: who moved a request from what to what, when, and why.
    The database refuses UPDATE and DELETE on it (triggers in the migration)."""

    id: Serial

    request = ForeignKey(LetterRequest, null=False, index=True)
    actor = ForeignKey(Account, null=True)
    actor_name = Varchar(length=150, default="")
    from_status = Varchar(length=24, null=True, default=None)
    to_status = Varchar(length=24)
    reason = Text(default="")
    at = Timestamptz()


class RequestCounter(Table, tablename="request_counter"):
    """How many requests an office has in each status, kept in the same transaction as every
    status change, so the queue's counts cost the same with 1,000 or 100,000 requests."""

    id: Serial

    # No index of its own: the unique (kelurahan, status) index serves a lookup by office.
    kelurahan = ForeignKey(Kelurahan, null=False)
    status = Varchar(length=24)
    count = Integer(default=0)  # type: ignore[assignment]  # a column named as Table.count()


class QueueStamp(Table, tablename="queue_stamp"):
    """A random stamp per office, new with every change to what its queue list shows: written
    only by the database's triggers on letter_request and request_counter (inserted, changed or
    deleted rows, whatever code wrote them), read by the queue's list cache (desk.views) to know
    whether the list it keeps is still the office's. Random, not a counter: a database
    restored or emptied never brings back a stamp a list was kept under."""

    id: Serial

    kelurahan = ForeignKey(Kelurahan, null=False, unique=True)
    stamp = Varchar(length=32)


class RequestCorrection(Table, tablename="request_correction"):
    """Append-only: one row per correction of a request's content (applicant, the type's fields,
    requirements, notes), naming each changed field by its label with the value before and
    after. Written by letter_requests.corrections only; the database refuses UPDATE and DELETE."""

    id: Serial

    request = ForeignKey(LetterRequest, null=False, index=True)
    actor = ForeignKey(Account, null=True)
    actor_name = Varchar(length=150, default="")
    status = Varchar(length=24)  # the request's status when it was corrected
    version = Integer()  # the request's version this correction made
    changes = JSON(default="[]")  # [{"field", "label", "before", "after"}]
    at = Timestamptz()


class OfficeDay(Table, tablename="office_day"):
    """One kelurahan office on one local (WITA) day: requests received, requests that became
    ready, how many of those within their service time, and a histogram of their times to
    ready. Kept up to date in the same transaction as each creation and status change (an effect
    in letter_requests.effects), so the dashboard sums a few rows per office instead of reading
    every request.

    b00…b19 count the requests that became ready that day whose time from creation to ready
    fell in bucket i of letter_requests.rollup.BUCKET_HOURS: b00 is ≤ 1 hour, b19 is over 14
    days."""

    id: Serial

    kelurahan = ForeignKey(Kelurahan, null=False)
    day = Date(index=True)
    created = Integer(default=0)
    ready = Integer(default=0)
    ready_on_time = Integer(default=0)
    b00 = Integer(default=0)
    b01 = Integer(default=0)
    b02 = Integer(default=0)
    b03 = Integer(default=0)
    b04 = Integer(default=0)
    b05 = Integer(default=0)
    b06 = Integer(default=0)
    b07 = Integer(default=0)
    b08 = Integer(default=0)
    b09 = Integer(default=0)
    b10 = Integer(default=0)
    b11 = Integer(default=0)
    b12 = Integer(default=0)
    b13 = Integer(default=0)
    b14 = Integer(default=0)
    b15 = Integer(default=0)
    b16 = Integer(default=0)
    b17 = Integer(default=0)
    b18 = Integer(default=0)
    b19 = Integer(default=0)
