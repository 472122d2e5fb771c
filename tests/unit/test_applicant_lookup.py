"""The counter's rules for a typed NIK, without HTTP: which registry answer shows what, and which
values the applicant inputs get."""

from __future__ import annotations

import datetime as dt

import pytest

from sodamolek.people.registry import RegistryRecord, RegistryUnavailable
from sodamolek.people.service import (
    FOUND,
    NOT_FOUND,
    UNAVAILABLE,
    answered_nik,
    lookup_applicant,
    registry_values,
)

NIK = "5371044512900003"
RECORD = RegistryRecord(
    nik=NIK,
    kk="5371040101150007",
    name="Yuliana Manafe",
    birth_place="Kupang",
    birth_date=dt.date(1990, 12, 5),
    sex="P",
    address="Jl. El Tari No. 5",
    rt="007",
    rw="002",
    kelurahan_code="53.71.04.1001",
    religion="Kristen",
    occupation="Wiraswasta",
    marital_status="Kawin",
)


class StubRegistry:
    def __init__(self, answer: RegistryRecord | None | Exception) -> None:
        self.answer = answer
        self.asked: list[str] = []

    async def lookup(self, nik: str) -> RegistryRecord | None:
        self.asked.append(nik)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer

    async def aclose(self) -> None:
        return None


async def test_found():
    registry = StubRegistry(RECORD)
    result = await lookup_applicant(registry, "5371 0445 1290 0003")
    assert result.status == "found" and result.verified
    assert result.message == FOUND
    assert result.record == RECORD
    assert result.nik.value == NIK
    assert registry.asked == [NIK]  # the normalised NIK, spaces gone


async def test_not_found():
    result = await lookup_applicant(StubRegistry(None), NIK)
    assert (result.status, result.message, result.record) == ("not_found", NOT_FOUND, None)
    assert result.nik.value == NIK and not result.verified


async def test_unavailable_is_an_answer_not_an_error():
    result = await lookup_applicant(StubRegistry(RegistryUnavailable()), NIK)
    assert (result.status, result.message) == ("unavailable", UNAVAILABLE)
    assert result.nik.value == NIK and result.record is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "wajib diisi"),
        ("53710445129000", "16 angka"),
        ("5371044513900003", "Bulan lahir"),
        ("53710445129O0003", "hanya boleh berisi angka"),
    ],
)
async def test_invalid_nik_never_reaches_the_registry(text, reason):
    registry = StubRegistry(RECORD)
    result = await lookup_applicant(registry, text)
    assert result.status == "invalid"
    assert reason in result.message
    assert result.nik is None and result.record is None
    assert registry.asked == []


async def test_found_values_are_the_registrys_record_as_form_inputs():
    result = await lookup_applicant(StubRegistry(RECORD), NIK)
    assert registry_values(result) == {
        "applicant_nik": NIK,
        "applicant_kk": "5371040101150007",
        "applicant_name": "Yuliana Manafe",
        "applicant_birth_place": "Kupang",
        "applicant_birth_date": "1990-12-05",
        "applicant_sex": "P",
        "applicant_address": "Jl. El Tari No. 5",
        "applicant_rt": "007",
        "applicant_rw": "002",
        # The identity letters print; the registry did not say the citizenship.
        "applicant_religion": "Kristen",
        "applicant_occupation": "Wiraswasta",
        "applicant_marital_status": "Kawin",
        "applicant_citizenship": "",
    }
    assert answered_nik(result, " " + NIK) == NIK


async def test_no_record_gives_no_values():
    for registry in (StubRegistry(None), StubRegistry(RegistryUnavailable())):
        result = await lookup_applicant(registry, NIK)
        assert registry_values(result) is None
        assert answered_nik(result, NIK) == NIK


async def test_invalid_answers_for_the_text_as_typed():
    result = await lookup_applicant(StubRegistry(RECORD), "5371-04")
    assert registry_values(result) is None
    assert answered_nik(result, " 5371-04 ") == "5371-04"
