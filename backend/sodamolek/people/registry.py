"""The population registry behind one interface: the local Resident table (embedded default) or
Disdukcapil's web service over HTTPS.

A lookup answers a record, None (not registered), or raises RegistryUnavailable: the counter then
takes the applicant's data by hand and flags it unverified. NIKs never go into URLs or logs.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from sodamolek import db
from sodamolek.people.tables import Resident
from sodamolek.settings import Settings

logger = logging.getLogger("sodamolek.registry")

UNAVAILABLE = "Data kependudukan sedang tidak dapat dihubungi."


@dataclass(frozen=True)
class RegistryRecord:
    nik: str
    kk: str
    name: str
    birth_place: str
    birth_date: dt.date
    sex: str  # "L" or "P"
    address: str
    rt: str
    rw: str
    kelurahan_code: str | None  # Kemendagri code, e.g. 53.71.04.1001
    religion: str
    occupation: str
    marital_status: str
    citizenship: str = ""  # WNI or WNA; "" when the registry does not say


class RegistryUnavailable(Exception):
    """The registry did not answer usably (down, slow, refused us, or answered nonsense).
    The message, in Indonesian, is for the operator and the log; it never contains the NIK."""

    def __init__(self, message: str = UNAVAILABLE) -> None:
        super().__init__(message)


class PopulationRegistry(Protocol):
    async def lookup(self, nik: str) -> RegistryRecord | None:
        """The registered person, or None. Raises RegistryUnavailable."""
        ...

    async def aclose(self) -> None: ...


# Fixed SQL (db.statements): asked on every create with a NIK.
_RESIDENT_BY_NIK = db.Sql(
    "SELECT "  # noqa: S608 - the table's own columns
    + ", ".join(
        f"resident.{c._meta.db_column_name}"
        for c in Resident._meta.non_default_columns
        if c._meta.name != "kelurahan"
    )
    + ", kelurahan.code AS kelurahan_code FROM resident "
    "LEFT JOIN kelurahan ON kelurahan.id = resident.kelurahan WHERE resident.nik = ? LIMIT 1"
)


class LocalRegistry:
    """The Resident table as the registry: the embedded default, seeded with demo residents."""

    async def lookup(self, nik: str) -> RegistryRecord | None:
        row = await db.fetch_one(_RESIDENT_BY_NIK, nik)
        if row is None:
            return None
        birth_date = row["birth_date"]
        if isinstance(birth_date, dt.datetime):
            birth_date = birth_date.date()
        return RegistryRecord(**{**row, "birth_date": birth_date})

    async def aclose(self) -> None:
        return None


# --- Disdukcapil's web service ---------------------------------------------------------------
#
# POST <url>/api/nik with {"NIK": nik, "user_id": user, "password": password}; the answer is
# {"content": [ {...one person...} ]} or {"content": [{"RESPON": "Data Tidak Ditemukan"}]}.
# Their field → ours:
#   NIK → nik, NO_KK → kk, NAMA_LGKP → name, TMPT_LHR → birth_place,
#   TGL_LHR ("dd-mm-yyyy") → birth_date, JENIS_KLMIN ("LAKI-LAKI" / "PEREMPUAN") → sex (L / P),
#   ALAMAT → address, NO_RT / NO_RW (numbers or strings) → rt / rw as 3 digits ("007"),
#   NO_PROP, NO_KAB, NO_KEC, NO_KEL → kelurahan_code "53.71.04.1001" (None if any is missing),
#   AGAMA → religion, JENIS_PKRJN → occupation, STATUS_KAWIN → marital_status,
#   KEWARGANEGARAAN → citizenship (WNI or WNA; absent in some deployments: then "", and the
#   operator types it when a letter's form prints it).
#   KEL_NAME and KEC_NAME are not kept: the kelurahan code names them.
# Values are kept as the registry writes them (often upper case): it is the authority.

NOT_FOUND_ANSWER = "data tidak ditemukan"
_SEX = {"LAKI-LAKI": "L", "LAKI LAKI": "L", "L": "L", "PEREMPUAN": "P", "P": "P"}


class RegistryAnswerError(RegistryUnavailable):
    """The registry answered, but not in a shape we can read."""


def _text(item: Mapping[str, Any], key: str) -> str:
    value = item.get(key)
    return "" if value is None else str(value).strip()


def _padded(item: Mapping[str, Any], key: str, width: int) -> str:
    value = _text(item, key)
    return value.zfill(width) if value.isdigit() else value


def _kelurahan_code(item: Mapping[str, Any]) -> str | None:
    parts = [_text(item, key) for key in ("NO_PROP", "NO_KAB", "NO_KEC", "NO_KEL")]
    if not all(p.isdigit() for p in parts):
        return None
    prop, kab, kec, kel = (int(p) for p in parts)
    return f"{prop:02}.{kab:02}.{kec:02}.{kel:04}"


def record_from_dukcapil(item: Mapping[str, Any]) -> RegistryRecord:
    """One person in Dukcapil's field names → a RegistryRecord (RegistryAnswerError if unusable)."""
    try:
        birth_date = dt.datetime.strptime(_text(item, "TGL_LHR"), "%d-%m-%Y").date()
    except ValueError as exc:
        raise RegistryAnswerError(
            "Data kependudukan mengirim tanggal lahir yang tidak dapat dibaca."
        ) from exc
    sex = _SEX.get(_text(item, "JENIS_KLMIN").upper())
    nik = _text(item, "NIK")
    if sex is None or len(nik) != 16 or not nik.isdigit():
        raise RegistryAnswerError("Data kependudukan mengirim data yang tidak lengkap.")
    return RegistryRecord(
        nik=nik,
        kk=_text(item, "NO_KK"),
        name=_text(item, "NAMA_LGKP"),
        birth_place=_text(item, "TMPT_LHR"),
        birth_date=birth_date,
        sex=sex,
        address=_text(item, "ALAMAT"),
        rt=_padded(item, "NO_RT", 3),
        rw=_padded(item, "NO_RW", 3),
        kelurahan_code=_kelurahan_code(item),
        religion=_text(item, "AGAMA"),
        occupation=_text(item, "JENIS_PKRJN"),
        marital_status=_text(item, "STATUS_KAWIN"),
        citizenship=_citizenship(_text(item, "KEWARGANEGARAAN")),
    )


def _citizenship(value: str) -> str:
    upper = value.upper()
    if upper in ("WNI", "INDONESIA", "WARGA NEGARA INDONESIA"):
        return "WNI"
    return "WNA" if upper else ""


def parse_dukcapil_answer(payload: Any, nik: str) -> RegistryRecord | None:
    """The whole JSON answer → the record for `nik`, None for "Data Tidak Ditemukan"."""
    content = payload.get("content") if isinstance(payload, dict) else None
    if isinstance(content, dict):  # some deployments answer a single object
        content = [content]
    if not isinstance(content, list) or not content or not isinstance(content[0], dict):
        raise RegistryAnswerError("Data kependudukan mengirim jawaban yang tidak dapat dibaca.")
    item = content[0]
    if "RESPON" in item and "NIK" not in item:
        if _text(item, "RESPON").lower() == NOT_FOUND_ANSWER:
            return None
        # Quota used up, account blocked…: their words, which never contain the NIK we sent.
        raise RegistryUnavailable(f"Data kependudukan menolak permintaan: {_text(item, 'RESPON')}")
    record = record_from_dukcapil(item)
    if record.nik != nik:
        raise RegistryAnswerError("Data kependudukan menjawab dengan NIK lain.")
    return record


class CircuitBreaker:
    """Closed until `threshold` consecutive failures; then open (fail fast) for `reset_after`
    seconds; then half-open: one trial call goes through, success closes, failure re-opens.
    One per process: each worker judges the registry by what it saw itself."""

    def __init__(
        self,
        threshold: int = 5,
        reset_after: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.threshold = threshold
        self.reset_after = reset_after
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None

    @property
    def state(self) -> str:
        if self._opened_at is None:
            return "closed"
        return "half_open" if self._clock() - self._opened_at >= self.reset_after else "open"

    def allow(self) -> bool:
        state = self.state
        if state == "half_open":
            # Let this call be the trial; re-arming the timer makes the others fail fast, and
            # frees another trial later should this one never report back (cancelled).
            self._opened_at = self._clock()
        return state != "open"

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None

    def record_failure(self) -> None:
        self._failures += 1
        if self._opened_at is not None or self._failures >= self.threshold:
            self._opened_at = self._clock()


class HttpRegistry:
    """Client for a Disdukcapil-style web service: one shared connection pool, a short timeout,
    a few retries with jittered backoff for network errors and 5xx only, and a circuit breaker."""

    def __init__(
        self,
        url: str,
        user: str,
        password: str,
        *,
        timeout: float = 3.0,
        retries: int = 2,
        backoff: float = 0.2,
        deadline: float | None = None,
        breaker: CircuitBreaker | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._client = httpx.AsyncClient(
            base_url=url,
            timeout=httpx.Timeout(timeout),
            transport=transport,
            headers={"Accept": "application/json"},
            follow_redirects=False,
        )
        self._credentials = {"user_id": user, "password": password}
        self._retries = retries
        self._backoff = backoff
        # The counter never waits longer than this for one lookup, retries included.
        self._deadline = deadline if deadline is not None else 2 * timeout
        self.breaker = breaker or CircuitBreaker()
        self._sleep = sleep

    async def lookup(self, nik: str) -> RegistryRecord | None:
        if not self.breaker.allow():
            raise RegistryUnavailable(
                "Data kependudukan sedang tidak dapat dihubungi (dicoba lagi sebentar lagi)."
            )
        try:
            async with asyncio.timeout(self._deadline):
                response = await self._post(nik)
            record = self._read(response, nik)
        except TimeoutError:
            self.breaker.record_failure()
            logger.warning("Registry lookup gave up after %.1f s", self._deadline)
            raise RegistryUnavailable(
                "Data kependudukan terlalu lama menjawab (batas waktu habis)."
            ) from None
        except RegistryUnavailable as exc:
            self.breaker.record_failure()
            logger.warning("Registry lookup failed: %s", exc)
            raise
        self.breaker.record_success()
        return record

    async def _post(self, nik: str) -> httpx.Response:
        body = {"NIK": nik, **self._credentials}
        for attempt in range(self._retries + 1):
            try:
                response = await self._client.post("api/nik", json=body)
            except httpx.TransportError as exc:  # refused, reset, timed out
                problem = type(exc).__name__
            else:
                if response.status_code < 500:
                    return response
                problem = f"HTTP {response.status_code}"
            logger.info(
                "Registry attempt %d/%d failed: %s", attempt + 1, self._retries + 1, problem
            )
            if attempt < self._retries:
                delay = self._backoff * 2**attempt
                await self._sleep(delay + random.uniform(0, delay))  # noqa: S311 - jitter only
        raise RegistryUnavailable(f"Data kependudukan tidak dapat dihubungi ({problem}).")

    def _read(self, response: httpx.Response, nik: str) -> RegistryRecord | None:
        if response.status_code in (401, 403):
            raise RegistryUnavailable(
                "Data kependudukan menolak kredensial kita "
                "(periksa SODAMOLEK_REGISTRY_USER dan SODAMOLEK_REGISTRY_PASSWORD)."
            )
        if response.status_code != 200:
            raise RegistryUnavailable(f"Data kependudukan menjawab HTTP {response.status_code}.")
        try:
            payload = response.json()
        except ValueError as exc:
            raise RegistryAnswerError(
                "Data kependudukan mengirim jawaban yang bukan JSON."
            ) from exc
        return parse_dukcapil_answer(payload, nik)

    async def aclose(self) -> None:
        await self._client.aclose()


def build_registry(settings: Settings) -> PopulationRegistry:
    if not settings.registry_url:
        return LocalRegistry()
    return HttpRegistry(
        settings.registry_url,
        settings.registry_user,
        settings.registry_password,
        timeout=settings.registry_timeout_seconds,
        retries=settings.registry_retries,
        breaker=CircuitBreaker(
            threshold=settings.registry_breaker_failures,
            reset_after=settings.registry_breaker_seconds,
        ),
    )
