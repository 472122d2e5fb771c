"""The counter's rules for a typed NIK, without HTTP: which registry answer shows what, and which
values the applicant inputs get."""

from __future__ import annotations

import datetime as dt

import pytest

from sodamolek.core.nik import InvalidNik
from sodamolek.people.registry import RegistryRecord, RegistryUnavailable
from sodamolek.people.service import (
    FOUND,
    NOT_FOUND,
    UNAVAILABLE,
    applicant_mismatches,
    applicant_values,
    lookup_applicant,
    recheck,
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


async def test_found_values_come_from_the_registry_and_override_typed():
    result = await lookup_applicant(StubRegistry(RECORD), NIK)
    values = applicant_values(result, NIK, {"applicant_name": "salah ketik"})
    assert values == {
        "nik": NIK,
        "kk": "5371040101150007",
        "name": "Yuliana Manafe",
        "birth_place": "Kupang",
        "birth_date": "1990-12-05",
        "sex": "P",
        "address": "Jl. El Tari No. 5",
        "rt": "007",
        "rw": "002",
        "verified": "1",
    }


async def test_not_found_keeps_the_nik_and_what_was_typed_by_hand():
    result = await lookup_applicant(StubRegistry(None), NIK)
    typed = {"applicant_name": " Ana Lay ", "applicant_rt": "3", "applicant_verified": "0"}
    values = applicant_values(result, NIK, typed)
    assert values["nik"] == NIK
    assert values["name"] == "Ana Lay" and values["rt"] == "3"
    assert values["kk"] == "" and values["verified"] == "0"


async def test_nothing_typed_gives_empty_fields():
    result = await lookup_applicant(StubRegistry(RegistryUnavailable()), NIK)
    values = applicant_values(result, NIK, {})
    assert values["nik"] == NIK and values["verified"] == "0"
    assert all(values[k] == "" for k in values if k not in ("nik", "verified"))


async def test_registry_data_of_a_previous_nik_is_not_carried_to_the_next():
    # Operator looked up someone, then corrected the NIK to one the registry does not know:
    # the first person's data must not stay under the second NIK.
    result = await lookup_applicant(StubRegistry(None), "5371044512900004")
    typed = {"applicant_name": "Yuliana Manafe", "applicant_verified": "1"}
    values = applicant_values(result, "5371044512900004", typed)
    assert values["name"] == "" and values["nik"] == "5371044512900004"
    assert values["verified"] == "0"


async def test_invalid_keeps_the_text_as_typed():
    result = await lookup_applicant(StubRegistry(RECORD), "5371-04")
    assert applicant_values(result, "5371-04", {})["nik"] == "5371-04"


async def test_recheck_returns_the_record_or_none_and_propagates_unavailable():
    assert await recheck(StubRegistry(RECORD), NIK) == RECORD
    assert await recheck(StubRegistry(None), NIK) is None
    with pytest.raises(RegistryUnavailable):
        await recheck(StubRegistry(RegistryUnavailable()), NIK)
    with pytest.raises(InvalidNik):
        await recheck(StubRegistry(RECORD), "123")


def test_mismatches_name_the_fields_that_differ():
    typed = {
        "nik": NIK,
        "kk": "5371040101150007",
        "name": "YULIANA  MANAFE",  # case and spacing do not count
        "birth_place": "Soe",
        "birth_date": "1990-12-05",
        "sex": "P",
        "address": "Jl. El Tari No. 5",
        "rt": "007",
        "rw": "003",
    }
    assert applicant_mismatches(RECORD, typed) == ["Tempat lahir", "RW"]
