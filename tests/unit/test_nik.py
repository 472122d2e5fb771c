"""The NIK and NIP value objects."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sodamolek.core.nik import InvalidNik, build_nik, mask_nik, parse_nik
from sodamolek.core.nip import InvalidNip, parse_nip

TODAY = dt.date(2026, 11, 29)


def test_parses_a_woman_born_in_kupang():
    nik = parse_nik("5371045708900003", today=TODAY)
    assert nik.sex == "P"
    assert nik.birth_date == dt.date(1990, 8, 17)
    assert nik.region_code == "53.71.04"
    assert nik.is_kota_kupang


def test_two_digit_year_never_gives_a_future_birth():
    assert parse_nik("5371041201250001", today=TODAY).birth_date == dt.date(2025, 1, 12)
    assert parse_nik("5371041201300001", today=TODAY).birth_date == dt.date(1930, 1, 12)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "wajib"),
        ("53710412019", "16 angka"),
        ("53710412O1900001", "angka"),
        ("9971041201900001", "provinsi"),
        ("5300041201900001", "kabupaten"),
        ("5371001201900001", "kecamatan"),
        ("5371043201900001", "Tanggal lahir"),
        ("5371047201900001", "Tanggal lahir"),
        ("5371041213900001", "Bulan"),
        ("5371043002900001", "tidak ada"),
        ("5371041201900000", "urut"),
    ],
)
def test_rejects_impossible_niks_with_a_reason(value, reason):
    with pytest.raises(InvalidNik, match=reason):
        parse_nik(value, today=TODAY)


def test_masking_keeps_region_and_last_digits_only():
    assert mask_nik("5371045708900003") == "537104********03"


@given(
    birth=st.dates(min_value=dt.date(1927, 1, 1), max_value=TODAY),
    sex=st.sampled_from("LP"),
    serial=st.integers(min_value=1, max_value=9999),
    district=st.integers(min_value=1, max_value=6),
)
def test_any_issued_nik_parses_back_to_its_parts(birth, sex, serial, district):
    value = build_nik(f"53710{district}", birth, sex, serial)
    nik = parse_nik(value, today=TODAY)
    assert (nik.birth_date, nik.sex, nik.value) == (birth, sex, value)


@given(st.text(max_size=20))
def test_never_crashes_on_arbitrary_text(text):
    try:
        parse_nik(text, today=TODAY)
    except InvalidNik as error:
        assert str(error)


def test_nip_value_object_reads_birth_date_and_sex():
    nip = parse_nip("1978 0512 2005 01 2 003")
    assert (nip.value, nip.birth_date, nip.sex) == ("197805122005012003", dt.date(1978, 5, 12), "P")
    assert str(parse_nip("197805122005011003")) == "197805122005011003"
    with pytest.raises(InvalidNip, match="18 angka"):
        parse_nip("12ab")
