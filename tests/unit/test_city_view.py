"""Pure parts of the city's view: duration buckets and percentiles, the date range, the SKM
grades, letter number formats, NIP, chart geometry, the procedure from the lifecycle."""

import datetime as dt
import json
import math
import random
import statistics

import pytest

from sodamolek.accounts.sessions import _account_of
from sodamolek.core.formatting import format_hours, format_percent
from sodamolek.core.nip import clean_nip
from sodamolek.dashboard import charts
from sodamolek.dashboard.service import RangeInvalid, parse_range, percentile
from sodamolek.letter_requests.lifecycle import Status
from sodamolek.letter_requests.rollup import BUCKET_HOURS, BUCKETS, bucket_of, local_day
from sodamolek.letter_requests.tables import OfficeDay
from sodamolek.regions.service import number_format_problem
from sodamolek.survey.service import ELEMENTS, SkmIndex, grade
from sodamolek.web.standard import build_standard, procedure

TODAY = dt.date(2026, 11, 29)


def test_rollup_table_has_one_column_per_bucket():
    names = {c._meta.name for c in OfficeDay._meta.columns}
    assert set(BUCKETS) <= names
    assert len(BUCKETS) == len(BUCKET_HOURS) + 1


@pytest.mark.parametrize(
    ("hours", "bucket"),
    [(-1, 0), (0, 0), (1, 0), (1.01, 1), (23.9, 9), (24, 9), (24.5, 10), (336, 18), (337, 19)],
)
def test_bucket_of(hours, bucket):
    assert bucket_of(hours * 3600) == bucket


def test_percentile_lands_in_the_bucket_of_the_exact_one():
    rng = random.Random(7)
    durations = [rng.lognormvariate(math.log(20), 0.9) for _ in range(5000)]  # hours
    histogram = [0] * len(BUCKETS)
    for hours in durations:
        histogram[bucket_of(hours * 3600)] += 1
    for q in (0.5, 0.9):
        exact = statistics.quantiles(durations, n=100)[int(q * 100) - 1]
        estimate = percentile(histogram, q)
        bucket = bucket_of(exact * 3600)
        lower = BUCKET_HOURS[bucket - 1] if bucket else 0
        assert lower <= estimate <= BUCKET_HOURS[bucket]
        assert abs(estimate - exact) / exact < 0.1


def test_percentile_edges():
    assert percentile([0] * len(BUCKETS), 0.5) is None
    only_long = [0] * len(BUCKETS)
    only_long[-1] = 3
    assert percentile(only_long, 0.5) == math.inf
    one = [0] * len(BUCKETS)
    one[0] = 1
    assert percentile(one, 0.5) == 0.5


def test_local_day_is_wita():
    assert local_day(dt.datetime(2026, 11, 28, 16, 30, tzinfo=dt.UTC)) == dt.date(2026, 11, 29)
    assert local_day(dt.datetime(2026, 11, 28, 15, 59, tzinfo=dt.UTC)) == dt.date(2026, 11, 28)


def test_default_range_is_the_last_30_days():
    assert parse_range(None, None, TODAY) == (dt.date(2026, 10, 31), TODAY)
    assert parse_range("", "2026-11-10", TODAY) == (dt.date(2026, 10, 12), dt.date(2026, 11, 10))


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026-11-20", "2026-11-01"),
        ("2026-11-01", "2026-11-30"),
        ("2019-12-31", "2020-01-05"),
        ("2024-11-27", "2026-11-28"),
        ("29-11-2026", None),
        ("2026-13-01", None),
    ],
)
def test_refused_ranges(start, end):
    with pytest.raises(RangeInvalid):
        parse_range(start, end, TODAY)


def test_two_years_exactly_is_allowed():
    assert parse_range("2024-11-29", "2026-11-28", TODAY)[0] == dt.date(2024, 11, 29)


@pytest.mark.parametrize(
    ("value", "letter", "label"),
    [
        (100, "A", "Sangat Baik"),
        (88.31, "A", "Sangat Baik"),
        (88.30, "B", "Baik"),
        (76.61, "B", "Baik"),
        (76.60, "C", "Kurang Baik"),
        (65.00, "C", "Kurang Baik"),
        (64.99, "D", "Tidak Baik"),
        (25, "D", "Tidak Baik"),
    ],
)
def test_skm_grades_follow_the_regulation(value, letter, label):
    assert grade(value) == (letter, label)


def test_skm_index_is_the_mean_of_element_means_times_25():
    assert len(ELEMENTS) == 9
    two = SkmIndex(2, (8,) * 8 + (6,))  # eight elements averaging 4, one averaging 3
    assert two.value == pytest.approx((8 * 4 + 3) / 9 * 25)
    assert two.grade == "A"
    both = two + SkmIndex(1, (1,) * 9)
    assert both.respondents == 3
    assert both.value == pytest.approx(sum(s / 3 for s in (9,) * 8 + (7,)) / 9 * 25)


@pytest.mark.parametrize(
    "template",
    [
        "{kode}/{nomor:03}/{kode_kelurahan}/{bulan_romawi}/{tahun}",
        "{nomor}",
        "470/{nomor:4}/{bulan}/{tahun}",
    ],
)
def test_accepted_number_formats(template):
    assert number_format_problem(template) is None


@pytest.mark.parametrize(
    "template",
    [
        "",
        "{kode}/{tahun}",
        "{nomor}/{x}",
        "{nomor:>10}",
        "{nomor!s}",
        "{nomor}{",
        "{0}{nomor}",
        "{nomor[0]}",
        "{tahun:04}/{nomor}",
        "{nomor:{tahun}}",
        "x" * 201 + "{nomor}",
    ],
)
def test_refused_number_formats(template):
    assert number_format_problem(template)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("197805122005011003", None),
        ("1978 0512 2005 01 1 003", None),
        ("19780512200501100", "18 angka"),
        ("197802302005011003", "tanggal lahir"),
        ("197805122005131003", "pengangkatan"),
        ("197805122005013003", "jenis kelamin"),
    ],
)
def test_nip(text, problem):
    nip, found = clean_nip(text)
    assert (found is None) if problem is None else (problem in found)
    assert " " not in nip


def test_nice_ceiling():
    assert [charts.nice_ceiling(v) for v in (0, 1, 3, 7, 11, 49, 51, 999)] == [
        1,
        1,
        5,
        10,
        20,
        50,
        100,
        1000,
    ]


def test_line_chart_geometry():
    from types import SimpleNamespace

    days = [SimpleNamespace(day=dt.date(2026, 11, d)) for d in (1, 2, 3)]
    chart = charts.line_chart(days, [("a", "A", [0, 5, 10])])
    points = [tuple(map(float, p.split(","))) for p in chart.series[0].points.split()]
    assert points[0][1] == chart.height - chart.bottom  # zero on the axis
    assert points[2][1] == chart.top  # the maximum at the top
    assert points[0][0] == chart.left and points[2][0] == chart.width - chart.right


def test_procedure_walks_the_lifecycle():
    steps = procedure({"needs_camat": False})
    labels = [
        s.label
        for s in (Status.IN_REVIEW, Status.AWAITING_SIGNATURE, Status.READY, Status.COLLECTED)
    ]
    for step, label in zip(steps, labels, strict=False):
        assert f"Status: {label}." in step.text
    assert any(Status.INCOMPLETE.label in a for a in steps[1].alternatives)
    assert any(Status.REJECTED.label in a for a in steps[1].alternatives)
    with_camat = procedure({"needs_camat": True})
    assert f"Status: {Status.AWAITING_COUNTERSIGN.label}." in with_camat[2].text
    assert "Camat menandatangani" in with_camat[3].text
    assert f"Status: {Status.READY.label}." in with_camat[3].text
    assert Status.AWAITING_COUNTERSIGN.label not in " ".join(s.text for s in steps)


def test_standard_cost_and_validity():
    base = {
        "code": "x",
        "name": "Surat X",
        "requirements": ["KTP"],
        "service_days": 2,
        "cost": 0,
        "validity_days": None,
    }
    assert build_standard(base, "LAPOR").cost_text.startswith("Gratis")
    assert "Tidak dibatasi" in build_standard(base, "LAPOR").validity
    paid = build_standard(base | {"cost": 10000, "validity_days": 30}, "LAPOR")
    assert "Rp10.000" in paid.cost_text and "30 hari" in paid.validity
    assert "LAPOR" in paid.complaints


def test_session_owner_is_read_from_the_session_data():
    assert _account_of(json.dumps({"account_id": 7, "login_at": 1}).encode()) == 7
    assert _account_of(b'{"account_id": true}') is None
    assert _account_of(b"{}") is None and _account_of(b"not json") is None


def test_formatting():
    assert format_percent(0.875) == "87,5%" and format_percent(None) == "-"
    assert format_hours(5.25) == "5,2 jam" and format_hours(36) == "1,5 hari"
    assert format_hours(math.inf) == "lebih dari 14 hari"
