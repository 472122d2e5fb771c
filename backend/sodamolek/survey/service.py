"""The satisfaction survey (Survei Kepuasan Masyarakat, PermenPANRB 14/2017): nine elements
scored 1–4 by the resident after collecting the letter, once per request, and the index
(IKM/SKM) per office.

The index: the mean score of each element over the respondents (NRR), the elements weighted
equally (1/9 each), times 25 to convert 1–4 into 25–100. The regulation's worked example rounds
the weight to 0.111; the exact 1/9 is used here (the difference is under 0.1 point). Quality
categories, by the regulation's conversion intervals (checked against its table "Nilai
Persepsi, Interval, Interval Konversi, Mutu Pelayanan dan Kinerja Unit Pelayanan"):
88.31–100 A Sangat Baik, 76.61–88.30 B Baik, 65.00–76.60 C Kurang Baik, 25.00–64.99 D Tidak Baik.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from piccolo.columns.combination import WhereRaw
from piccolo.query.functions.aggregate import Count, Sum

from sodamolek import db
from sodamolek.db import current_engine, write_transaction
from sodamolek.letter_requests import service as requests
from sodamolek.letter_requests.lifecycle import Status
from sodamolek.survey.tables import SurveyResponse

MAX_COMMENT = 1000


@dataclass(frozen=True)
class Element:
    column: str
    name: str  # the element (unsur) as the regulation names it
    question: str
    answers: tuple[str, str, str, str]  # the words for scores 1, 2, 3 and 4


# The nine elements in the regulation's order (U1–U9), with its model questionnaire's wording.
ELEMENTS: tuple[Element, ...] = (
    Element(
        "requirements",
        "Persyaratan",
        "Bagaimana pendapat Anda tentang kesesuaian persyaratan pelayanan dengan jenis "
        "pelayanannya?",
        ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
    ),
    Element(
        "procedure",
        "Sistem, mekanisme, dan prosedur",
        "Bagaimana pemahaman Anda tentang kemudahan prosedur pelayanan di unit ini?",
        ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"),
    ),
    Element(
        "duration",
        "Waktu penyelesaian",
        "Bagaimana pendapat Anda tentang kecepatan waktu dalam memberikan pelayanan?",
        ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"),
    ),
    Element(
        "cost",
        "Biaya/tarif",
        "Bagaimana pendapat Anda tentang kewajaran biaya/tarif dalam pelayanan?",
        ("Sangat mahal", "Cukup mahal", "Murah", "Gratis"),
    ),
    Element(
        "product",
        "Produk spesifikasi jenis pelayanan",
        "Bagaimana pendapat Anda tentang kesesuaian produk pelayanan antara yang tercantum "
        "dalam standar pelayanan dengan hasil yang diberikan?",
        ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
    ),
    Element(
        "competence",
        "Kompetensi pelaksana",
        "Bagaimana pendapat Anda tentang kompetensi/kemampuan petugas dalam pelayanan?",
        ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"),
    ),
    Element(
        "conduct",
        "Perilaku pelaksana",
        "Bagaimana pendapat Anda tentang perilaku petugas dalam pelayanan terkait "
        "kesopanan dan keramahan?",
        (
            "Tidak sopan dan ramah",
            "Kurang sopan dan ramah",
            "Sopan dan ramah",
            "Sangat sopan dan ramah",
        ),
    ),
    Element(
        "complaints",
        "Penanganan pengaduan, saran dan masukan",
        "Bagaimana pendapat Anda tentang penanganan pengaduan pengguna layanan?",
        (
            "Tidak ada",
            "Ada tetapi tidak berfungsi",
            "Berfungsi kurang maksimal",
            "Dikelola dengan baik",
        ),
    ),
    Element(
        "facilities",
        "Sarana dan prasarana",
        "Bagaimana pendapat Anda tentang kualitas sarana dan prasarana?",
        ("Buruk", "Cukup", "Baik", "Sangat baik"),
    ),
)
COLUMNS = tuple(e.column for e in ELEMENTS)

# (lowest converted value, grade, quality) from the best down; values rounded to 2 decimals.
GRADES = (
    (88.31, "A", "Sangat Baik"),
    (76.61, "B", "Baik"),
    (65.00, "C", "Kurang Baik"),
    (25.00, "D", "Tidak Baik"),
)


class SurveyInvalid(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class SurveyRefused(Exception):
    """Not open for this request (not collected yet) or already answered; the message is for
    the resident."""


class AlreadyAnswered(SurveyRefused):
    pass


def grade(value: float) -> tuple[str, str]:
    """(A–D, Sangat Baik…Tidak Baik) of a converted index 25–100."""
    rounded = round(value, 2)
    for lowest, letter, label in GRADES:
        if rounded >= lowest:
            return letter, label
    return GRADES[-1][1], GRADES[-1][2]


@dataclass(frozen=True)
class SkmIndex:
    respondents: int
    sums: tuple[int, ...]  # total score of each element, in ELEMENTS order

    @property
    def element_means(self) -> tuple[float, ...]:
        return tuple(s / self.respondents for s in self.sums)

    @property
    def value(self) -> float:
        """Mean of the element means × 25: 25–100."""
        return sum(self.element_means) / len(self.sums) * 25

    @property
    def grade(self) -> str:
        return grade(self.value)[0]

    @property
    def quality(self) -> str:
        return grade(self.value)[1]

    def __add__(self, other: SkmIndex) -> SkmIndex:
        return SkmIndex(
            self.respondents + other.respondents,
            tuple(a + b for a, b in zip(self.sums, other.sums, strict=True)),
        )


def clean_answers(answers: Mapping[str, str], comment: str) -> tuple[dict, dict[str, str]]:
    scores: dict = {}
    errors: dict[str, str] = {}
    for element in ELEMENTS:
        raw = str(answers.get(element.column, "") or "").strip()
        if raw not in ("1", "2", "3", "4"):
            errors[element.column] = f"Pilih salah satu jawaban untuk {element.name.lower()}."
        else:
            scores[element.column] = int(raw)
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        errors["comment"] = f"Saran atau komentar paling banyak {MAX_COMMENT} karakter."
    return scores | {"comment": comment}, errors


def state(request: dict, answered: bool) -> str:
    """'open' (collected, not yet answered), 'done' or 'closed'."""
    if answered:
        return "done"
    return "open" if request["status"] == Status.COLLECTED.value else "closed"


ANSWERED = db.Sql("SELECT 1 AS answered FROM survey_response WHERE request = ?")


async def is_answered(request_id: int) -> bool:
    return await db.fetch_one(ANSWERED, request_id) is not None


async def submit(
    tracking_code: str,
    answers: Mapping[str, str],
    comment: str = "",
    now: dt.datetime | None = None,
) -> None:
    """Record the survey of the request with this tracking code. Raises SurveyInvalid (422),
    SurveyRefused when the letter is not collected yet, AlreadyAnswered for a second one
    (both 409), LookupError for an unknown code."""
    request = await requests.find_by_tracking_code(tracking_code)
    if request is None:
        raise LookupError(tracking_code)
    if request["status"] != Status.COLLECTED.value:
        raise SurveyRefused("Survei kepuasan dibuka setelah surat diambil di kantor kelurahan.")
    values, errors = clean_answers(answers, comment)
    if await is_answered(request["id"]):
        raise AlreadyAnswered(_ALREADY)
    if errors:
        raise SurveyInvalid(errors)
    row = SurveyResponse(
        request=request["id"],
        kelurahan=request["kelurahan"],
        created_at=now or dt.datetime.now(dt.UTC),
        **values,
    )
    try:
        async with write_transaction(current_engine()):
            if await is_answered(request["id"]):
                raise AlreadyAnswered(_ALREADY)
            await SurveyResponse.insert(row)
    except AlreadyAnswered:
        raise
    except Exception as error:  # the unique request column: a twin submission won the race
        if await is_answered(request["id"]):
            raise AlreadyAnswered(_ALREADY) from None
        raise error


_ALREADY = "Penilaian untuk permohonan ini sudah kami terima. Terima kasih."


async def skm_by_office(
    since: dt.datetime, until: dt.datetime, kelurahan_ids: list[int] | None = None
) -> dict[int, SkmIndex]:
    """The index of each office from the surveys answered in [since, until)."""
    column = SurveyResponse._meta.get_column_by_name
    query = (
        SurveyResponse.select(
            SurveyResponse.kelurahan,
            Count(alias="n"),
            *[Sum(column(c), alias=c) for c in COLUMNS],
        )
        .where((SurveyResponse.created_at >= since) & (SurveyResponse.created_at < until))
        .group_by(SurveyResponse.kelurahan)
    )
    if kelurahan_ids is not None:
        query = query.where(SurveyResponse.kelurahan.is_in(kelurahan_ids or [-1]))
    return {
        row["kelurahan"]: SkmIndex(row["n"], tuple(int(row[c]) for c in COLUMNS))
        for row in await query
    }


async def latest_comments(
    since: dt.datetime,
    until: dt.datetime,
    kelurahan_ids: list[int] | None = None,
    limit: int = 10,
) -> list[dict]:
    """The newest non-empty comments in [since, until), with their office and date."""
    query = (
        SurveyResponse.select(
            SurveyResponse.comment,
            SurveyResponse.created_at,
            SurveyResponse.kelurahan.name.as_alias("kelurahan_name"),
        )
        .where(
            (SurveyResponse.created_at >= since)
            & (SurveyResponse.created_at < until)
            # A constant, not a parameter, so that the partial index on commented surveys
            # serves PostgreSQL's generic plans too.
            & WhereRaw("survey_response.comment <> ''")
        )
        .order_by(SurveyResponse.created_at, ascending=False)
        .limit(limit)
    )
    if kelurahan_ids is not None:
        query = query.where(SurveyResponse.kelurahan.is_in(kelurahan_ids or [-1]))
    return await query
