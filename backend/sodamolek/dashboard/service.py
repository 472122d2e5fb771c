"""The city's and the camat's dashboard: per kelurahan office, requests received and finished,
time to ready (median, p90), share ready within the service time, current counts by status,
overdue requests, and the satisfaction index.

Received/finished/time-to-ready come from `office_day`, a daily rollup kept in the same
transaction as each creation and status change (hooks below), so a city-wide page sums
51 × days rows whatever the number of requests. Percentiles come from a histogram of durations
per office and day (BUCKET_HOURS): exact percentiles would need every duration of the range
(O(requests)); the histogram gives them to within half a bucket, with linear interpolation
inside the bucket — finer where most letters fall (hours, the first days).

"Finished" (selesai) means the letter became ready (signed): requests are counted on the day
they became ready, with their time from creation. Days are local (WITA)."""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field

from piccolo.engine.postgres import PostgresEngine
from piccolo.query.functions.aggregate import Sum

from sodamolek.accounts.service import CurrentUser
from sodamolek.core.formatting import WITA
from sodamolek.core.roles import Role
from sodamolek.dashboard.tables import OfficeDay
from sodamolek.db import as_utc, current_engine, read_transaction, write_transaction
from sodamolek.letter_requests import reports, workdays
from sodamolek.letter_requests import service as requests
from sodamolek.letter_requests.lifecycle import Status
from sodamolek.regions import service as regions
from sodamolek.survey import service as survey
from sodamolek.survey.service import SkmIndex

# Upper bounds of the duration buckets, in hours; the last bucket is "more than 14 days".
BUCKET_HOURS = (1, 2, 3, 4, 6, 8, 12, 16, 20, 24, 30, 36, 48, 60, 72, 96, 120, 168, 336)
BUCKETS = tuple(f"b{i:02}" for i in range(len(BUCKET_HOURS) + 1))
_BOUNDS_SECONDS = tuple(h * 3600 for h in BUCKET_HOURS)

DEFAULT_DAYS = 30
MAX_DAYS = 731  # two years
EARLIEST = dt.date(2020, 1, 1)
OVERDUE_SHOWN = 50


class RangeInvalid(ValueError):
    """A date range the dashboard refuses; the message is for the person."""


class ScopeNotFound(LookupError):
    """No such kecamatan, or one the camat may not see (the same 404 for both)."""


def local_day(moment: dt.datetime) -> dt.date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(WITA).date()


def bucket_of(seconds: float) -> int:
    """The histogram bucket of a duration: the first whose upper bound it does not exceed."""
    return bisect.bisect_left(_BOUNDS_SECONDS, max(0.0, seconds))


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
# Keeping the rollup (hooks called inside the requests' own transactions)


async def _add(kelurahan_id: int, day: dt.date, increments: dict[str, int]) -> None:
    # Column names come from this module, never from input.
    columns = ", ".join(increments)
    values = ", ".join("{}" for _ in increments)
    updates = ", ".join(f"{c} = office_day.{c} + excluded.{c}" for c in increments)
    await OfficeDay.raw(
        f"INSERT INTO office_day (kelurahan, day, {columns}) VALUES ({{}}, {{}}, {values}) "  # noqa: S608
        f"ON CONFLICT (kelurahan, day) DO UPDATE SET {updates}",
        kelurahan_id, day, *increments.values(),
    )  # fmt: skip


def _ready_increments(created_at, due_at, ready_at) -> dict[str, int]:
    created_at, due_at, ready_at = as_utc(created_at), as_utc(due_at), as_utc(ready_at)
    bucket = BUCKETS[bucket_of((ready_at - created_at).total_seconds())]
    return {"ready": 1, "ready_on_time": int(ready_at <= due_at), bucket: 1}


async def on_request_created(request: dict) -> None:
    await _add(request["kelurahan"], local_day(request["created_at"]), {"created": 1})


async def on_status_changed(row: dict, status: Status) -> None:
    if status is not Status.READY or row.get("ready_at") is None:
        return
    increments = _ready_increments(row["created_at"], row["due_at"], row["ready_at"])
    await _add(row["kelurahan"], local_day(row["ready_at"]), increments)


def install_hooks() -> None:
    """Register the rollup's hooks with the requests domain (idempotent)."""
    if on_request_created not in requests.CREATE_HOOKS:
        requests.CREATE_HOOKS.append(on_request_created)
    if on_status_changed not in requests.STATUS_HOOKS:
        requests.STATUS_HOOKS.append(on_status_changed)


async def rebuild_rollup(batch: int = 20_000) -> int:
    """Recount the whole rollup from the requests (after a bulk import or a restore). Writers
    wait meanwhile (SQLite: the write lock; PostgreSQL: an EXCLUSIVE lock on office_day, taken
    before reading so that no status change is counted twice or lost). Returns its rows."""
    engine = current_engine()
    async with write_transaction(engine):
        if isinstance(engine, PostgresEngine):
            await OfficeDay.raw("LOCK TABLE office_day IN EXCLUSIVE MODE")
        totals: dict[tuple[int, dt.date], defaultdict[str, int]] = {}
        after = 0
        while rows := await reports.request_timings(after, batch):
            for r in rows:
                key = (r["kelurahan"], local_day(r["created_at"]))
                totals.setdefault(key, defaultdict(int))["created"] += 1
                if r["ready_at"] is not None:
                    key = (r["kelurahan"], local_day(r["ready_at"]))
                    counts = totals.setdefault(key, defaultdict(int))
                    for name, n in _ready_increments(
                        r["created_at"], r["due_at"], r["ready_at"]
                    ).items():
                        counts[name] += n
            after = rows[-1]["id"]
        await OfficeDay.delete(force=True)
        items = [OfficeDay(kelurahan=k, day=d, **c) for (k, d), c in totals.items()]
        for start in range(0, len(items), 500):
            await OfficeDay.insert(*items[start : start + 500])
    return len(items)


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
        return await regions.get_kecamatan(user.kecamatan_id)
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
        sums = await _office_sums(start, end, ids)
        days = await _day_sums(start, end, ids)
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
            id=office["id"], code=office["code"], name=office["name"],
            kecamatan_name=office["kecamatan_name"], created=row.get("created", 0),
            ready=row.get("ready", 0), ready_on_time=row.get("ready_on_time", 0),
            histogram=[row.get(b, 0) for b in BUCKETS],
            statuses=statuses.get(office["id"], {s.value: 0 for s in Status}),
            overdue=overdue_counts.get(office["id"], 0), skm=skm.get(office["id"]),
        )  # fmt: skip
        figures.append(item)
        total.add(item)
    for item in overdue:
        item["days_late"] = workdays.working_days_between(item["due_at"], now)  # days worked
    return Dashboard(
        start=start, end=end, kecamatan=kecamatan, offices=figures, total=total,
        days=_every_day(start, end, days), overdue=overdue, comments=comments,
        generated_at=now,
    )  # fmt: skip


def _sum(name: str) -> Sum:
    return Sum(OfficeDay._meta.get_column_by_name(name), alias=name)


async def _office_sums(start, end, ids: list[int] | None) -> dict[int, dict]:
    query = (
        OfficeDay.select(
            OfficeDay.kelurahan,
            *[_sum(c) for c in ("created", "ready", "ready_on_time")],
            *[_sum(b) for b in BUCKETS],
        )  # fmt: skip
        .where((OfficeDay.day >= start) & (OfficeDay.day <= end))
        .group_by(OfficeDay.kelurahan)
    )
    if ids is not None:
        query = query.where(OfficeDay.kelurahan.is_in(ids or [-1]))
    return {
        r["kelurahan"]: {k: int(v or 0) for k, v in r.items() if k != "kelurahan"}
        for r in await query
    }


async def _day_sums(start, end, ids: list[int] | None) -> dict[dt.date, tuple[int, int]]:
    query = (
        OfficeDay.select(OfficeDay.day, _sum("created"), _sum("ready"))
        .where((OfficeDay.day >= start) & (OfficeDay.day <= end))
        .group_by(OfficeDay.day)
    )
    if ids is not None:
        query = query.where(OfficeDay.kelurahan.is_in(ids or [-1]))
    result = {}
    for r in await query:
        day = r["day"] if isinstance(r["day"], dt.date) else dt.date.fromisoformat(r["day"])
        result[day] = (int(r["created"] or 0), int(r["ready"] or 0))
    return result


def _every_day(start: dt.date, end: dt.date, sums: dict) -> list[Day]:
    days = []
    day = start
    while day <= end:
        created, ready = sums.get(day, (0, 0))
        days.append(Day(day, created, ready))
        day += dt.timedelta(days=1)
    return days
