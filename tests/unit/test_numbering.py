"""Letter numbers: the office's format filled in, and formats refused with a reason."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sodamolek.documents.numbering import (
    DEFAULT_NUMBER_FORMAT,
    NumberFormatError,
    format_letter_number,
    roman_month,
    validate_number_format,
)
from sodamolek.regions.tables import Kelurahan

WHEN = dt.date(2026, 11, 29)
KEL = "53.71.04.1005"


def number(fmt=DEFAULT_NUMBER_FORMAT, *, nomor=7, when=WHEN, kode="470"):
    return format_letter_number(fmt, kode=kode, nomor=nomor, kode_kelurahan=KEL, when=when)


def test_default_format_is_the_kelurahan_column_default():
    assert DEFAULT_NUMBER_FORMAT == Kelurahan.letter_number_format.default
    assert validate_number_format(DEFAULT_NUMBER_FORMAT) is None


def test_default_format():
    assert number() == "470/007/53.71.04.1005/XI/2026"
    assert number(nomor=1234, when=dt.date(2027, 1, 2)) == "470/1234/53.71.04.1005/I/2027"


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("{nomor}", "7"),
        ("{nomor:04}", "0007"),
        ("{nomor:>5}", "    7"),
        ("{kode}.{nomor:03}/{kode_kelurahan}/{bulan:02}/{tahun}", "470.007/53.71.04.1005/11/2026"),
        ("{kode}/{nomor}/{bulan}/{tahun}", "470/7/11/2026"),
        ("{{{nomor}}}", "{7}"),  # doubled braces print a brace
        ("SKD-{nomor:03}-{bulan_romawi}", "SKD-007-XI"),
    ],
)
def test_placeholders_and_format_specs(fmt, expected):
    assert validate_number_format(fmt) is None
    assert number(fmt) == expected


def test_roman_months():
    assert [roman_month(m) for m in range(1, 13)] == [
        "I",
        "II",
        "III",
        "IV",
        "V",
        "VI",
        "VII",
        "VIII",
        "IX",
        "X",
        "XI",
        "XII",
    ]
    for bad in (0, 13):
        with pytest.raises(ValueError):
            roman_month(bad)


@pytest.mark.parametrize(
    ("fmt", "reason"),
    [
        ("", "wajib"),
        ("   ", "wajib"),
        ("{kode}/{tahun}", "{nomor}"),
        ("{kode}/{nomor}/{kelurahan}", "{kelurahan} tidak dikenal"),
        ("{nomor}/{}", "{} tidak dikenal"),
        ("{nomor}/{0}", "{0} tidak dikenal"),
        ("{nomor.__class__}", "tidak dikenal"),
        ("{nomor[0]}", "tidak dikenal"),
        ("{nomor!r}", "'!'"),
        ("{kode}/{nomor", "tidak seimbang"),
        ("{kode}/nomor}", "tidak seimbang"),
        ("{nomor:{tahun}}", "kurung kurawal"),
        ("{nomor:xyz}", "{nomor:xyz}"),
        ("{kode:03d}/{nomor}", "{kode:03d}"),
        ("{nomor}\n{tahun}", "satu baris"),
        ("{nomor}" + "x" * 200, "terlalu panjang"),
    ],
)
def test_unusable_formats_are_refused_with_a_reason(fmt, reason):
    message = validate_number_format(fmt)
    assert message is not None and reason in message
    with pytest.raises(NumberFormatError, match=reason.replace("{", r"\{").replace("[", r"\[")):
        number(fmt)


@pytest.mark.parametrize("nomor", [0, -1, True, "7", 1.0])
def test_counter_must_be_a_positive_integer(nomor):
    with pytest.raises(NumberFormatError, match="Nomor urut"):
        number(nomor=nomor)


dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2199, 12, 31))
codes = st.from_regex(r"[0-9]{3}(\.[0-9]{1,2})?", fullmatch=True)


@given(nomor=st.integers(1, 999_999), when=dates, kode=codes)
def test_default_number_has_its_parts_in_order(nomor, when, kode):
    parts = number(nomor=nomor, when=when, kode=kode).split("/")
    assert parts == [kode, f"{nomor:03}", KEL, roman_month(when.month), str(when.year)]
    assert int(parts[1]) == nomor


@given(a=st.integers(1, 10**6), b=st.integers(1, 10**6), when=dates)
def test_different_counters_give_different_numbers(a, b, when):
    assert (number(nomor=a, when=when) == number(nomor=b, when=when)) == (a == b)


@given(st.text(max_size=60))
def test_any_text_is_either_refused_with_a_reason_or_formats(fmt):
    reason = validate_number_format(fmt)
    if reason is None:
        assert isinstance(number(fmt), str)
    else:
        assert reason.endswith(".")
        with pytest.raises(NumberFormatError):
            number(fmt)


@given(
    prefix=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ./-", max_size=10),
    spec=st.sampled_from(["", ":03", ":04", ":>6", ":06d"]),
)
def test_any_literal_text_around_nomor_is_kept(prefix, spec):
    fmt = prefix + "{nomor" + spec + "}" + prefix[::-1]
    assert validate_number_format(fmt) is None
    assert number(fmt) == prefix + format(7, spec.lstrip(":")) + prefix[::-1]
