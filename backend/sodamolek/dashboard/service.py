"""The city's and the camat's dashboard: per kelurahan office, requests received and finished,
time to ready (median, p90), share ready within the service time, current counts by status,
overdue requests, and the satisfaction index.

Received/finished/time-to-ready come from `office_day`, a daily rollup kept in the same
transaction as each creation and status change (letter_requests.rollup), so a city-wide page sums
51 × days rows whatever the number of requests. Percentiles come from a histogram of durations
per office and day (BUCKET_HOURS): exact percentiles would need every duration of the range
(O(requests)); the histogram gives them to within half a bucket, with linear interpolation
inside the bucket — finer where most letters fall (hours, the first days).

"Finished" (selesai) means the letter became ready (signed): requests are counted on the day
they became ready, with their time from creation. Days are local (WITA)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from sodamolek.accounts.service import CurrentUser
from sodamolek.core.formatting import WITA
from sodamolek.core.roles import Role
from sodamolek.db import current_engine, read_transaction
from sodamolek.letter_requests import reports, rollup, workdays
from sodamolek.letter_requests.lifecycle import Status
from sodamolek.letter_requests.rollup import BUCKET_HOURS, BUCKETS
from sodamolek.regions import service as regions
from sodamolek.survey import service as survey
from sodamolek.survey.service import SkmIndex

DEFAULT_DAYS = 30
MAX_DAYS = 731  # two years
EARLIEST = dt.date(2020, 1, 1)
OVERDUE_SHOWN = 50


class RangeInvalid(ValueError):
    """A date range the dashboard refuses; the message is for the person."""


class ScopeNotFound(LookupError):
    """No such kecamatan, or one the camat may not see (the same 404 for both)."""


def percentile(histogram: list[int] | tuple[int, ...], q: float) -> float | None:
    """The q-quantile (0 < q < 1) in hours, interpolated inside its bucket; math.inf when it
    falls in the open last bucket; None without data."""
    total = sum(histogram)
    if not total:
        return None
    rank = q * total
    cumulative = 0
    for index, count in enumerate(histogram):
        if count and cumulative + count >= rank:
            if index == len(BUCKET_HOURS):
                return math.inf
            lower = BUCKET_HOURS[index - 1] if index else 0
            upper = BUCKET_HOURS[index]
            return lower + (upper - lower) * (rank - cumulative) / count
        cumulative += count
    return math.inf  # unreachable: the ranks add up to total


# ---------------------------------------------------------------------------------------------
# Reading


def parse_range(
    start_text: str | None, end_text: str | None, today: dt.date
) -> tuple[dt.date, dt.date]:
    """The dashboard's date range (inclusive, local days). Default: the last 30 days."""
    try:
        end = dt.date.fromisoformat(end_text.strip()) if end_text and end_text.strip() else today
        start = (
            dt.date.fromisoformat(start_text.strip())
            if start_text and start_text.strip()
            else end - dt.timedelta(days=DEFAULT_DAYS - 1)
        )
    except ValueError:
        raise RangeInvalid("Tanggal tidak sah; gunakan format TTTT-BB-HH.") from None
    if start > end:
        raise RangeInvalid("Tanggal awal harus sebelum atau sama dengan tanggal akhir.")
    if end > today:
        raise RangeInvalid("Tanggal akhir tidak boleh melewati hari ini.")
    if start < EARLIEST:
        raise RangeInvalid(f"Tanggal awal paling awal {EARLIEST.day} Januari {EARLIEST.year}.")
    if (end - start).days + 1 > MAX_DAYS:
        raise RangeInvalid("Rentang tanggal paling lama 2 tahun.")
    return start, end


async def resolve_scope(user: CurrentUser, kecamatan: str | None) -> dict | None:
    """The kecamatan the dashboard covers (None: the whole city). A camat gets his own and a
    404 for any other; the admin may pick one by code."""
    wanted = await regions.find_kecamatan(kecamatan) if kecamatan else None
    if user.role is Role.CAMAT:
        if kecamatan and (wanted is None or wanted["id"] != user.kecamatan_id):
            raise ScopeNotFound(kecamatan)
        own = await regions.get_kecamatan(user.kecamatan_id or 0)
        if own is None:  # never the whole city for a camat
            raise ScopeNotFound(kecamatan or "")
        return own
    if user.role is Role.ADMIN:
        if kecamatan and wanted is None:
            raise ScopeNotFound(kecamatan)
        return wanted
    raise ScopeNotFound(kecamatan)


@dataclass
class OfficeFigures:
    id: int | None
    code: str
    name: str
    kecamatan_name: str
    created: int = 0
    ready: int = 0
    ready_on_time: int = 0
    histogram: list[int] = field(default_factory=lambda: [0] * len(BUCKETS))
    statuses: dict[str, int] = field(default_factory=lambda: {s.value: 0 for s in Status})
    overdue: int = 0
    skm: SkmIndex | None = None

    @property
    def on_time_share(self) -> float | None:
        return self.ready_on_time / self.ready if self.ready else None

    @property
    def median_hours(self) -> float | None:
        return percentile(self.histogram, 0.5)

    @property
    def p90_hours(self) -> float | None:
        return percentile(self.histogram, 0.9)

    def add(self, other: OfficeFigures) -> None:
        self.created += other.created
        self.ready += other.ready
        self.ready_on_time += other.ready_on_time
        self.histogram = [a + b for a, b in zip(self.histogram, other.histogram, strict=True)]
        for status, count in other.statuses.items():
            self.statuses[status] += count
        self.overdue += other.overdue
        if other.skm is not None:
            self.skm = other.skm if self.skm is None else self.skm + other.skm


@dataclass(frozen=True)
class Day:
    day: dt.date
    created: int
    ready: int


@dataclass
class Dashboard:
    start: dt.date
    end: dt.date
    kecamatan: dict | None
    offices: list[OfficeFigures]
    total: OfficeFigures
    days: list[Day]
    overdue: list[dict]
    comments: list[dict]
    generated_at: dt.datetime


def _window(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00 WITA, the day after end 00:00 WITA) in UTC."""
    since = dt.datetime.combine(start, dt.time(), tzinfo=WITA)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=WITA)
    return since.astimezone(dt.UTC), until.astimezone(dt.UTC)


async def dashboard(
    start: dt.date, end: dt.date, kecamatan: dict | None = None, now: dt.datetime | None = None
) -> Dashboard:
    now = now or dt.datetime.now(dt.UTC)
    kecamatan_id = kecamatan["id"] if kecamatan else None
    since, until = _window(start, end)
    async with read_transaction(current_engine()):
        offices = await regions.list_offices(kecamatan_id)
        ids = [o["id"] for o in offices] if kecamatan_id is not None else None
        sums = await rollup.office_sums(start, end, ids)
        days = await rollup.day_sums(start, end, ids)
        statuses = await reports.status_counts_by_office(ids)
        overdue_counts = await reports.overdue_counts_by_office(now, ids)
        overdue = await reports.overdue_requests(now, ids, OVERDUE_SHOWN)
        skm = await survey.skm_by_office(since, until, ids)
        comments = await survey.latest_comments(since, until, ids)
    figures = []
    total = OfficeFigures(None, "", "Jumlah", "")
    for office in offices:
        row = sums.get(office["id"], {})
        item = OfficeFigures(
            id=office["id"],
            code=office["code"],
            name=office["name"],
            kecamatan_name=office["kecamatan_name"],
            created=row.get("created", 0),
            ready=row.get("ready", 0),
            ready_on_time=row.get("ready_on_time", 0),
            histogram=[row.get(b, 0) for b in BUCKETS],
            statuses=statuses.get(office["id"], {s.value: 0 for s in Status}),
            overdue=overdue_counts.get(office["id"], 0),
            skm=skm.get(office["id"]),
        )
        figures.append(item)
        total.add(item)
    for late in overdue:
        late["days_late"] = workdays.working_days_between(late["due_at"], now)  # days worked
    return Dashboard(
        start=start,
        end=end,
        kecamatan=kecamatan,
        offices=figures,
        total=total,
        days=_every_day(start, end, days),
        overdue=overdue,
        comments=comments,
        generated_at=now,
    )


def _every_day(start: dt.date, end: dt.date, sums: dict) -> list[Day]:
    days = []
    day = start
    while day <= end:
        created, ready = sums.get(day, (0, 0))
        days.append(Day(day, created, ready))
        day += dt.timedelta(days=1)
    return days
