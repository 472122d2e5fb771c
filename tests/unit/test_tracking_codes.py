"""Tracking codes as residents type them."""

import re

from hypothesis import given
from hypothesis import strategies as st

from sodamolek.letter_requests.codes import new_tracking_code, normalise_tracking_code

CANONICAL = re.compile(r"KPG-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")


def test_a_new_code_is_its_own_normal_form():
    for _ in range(200):
        code = new_tracking_code()
        assert CANONICAL.fullmatch(code)
        assert normalise_tracking_code(code) == code


def test_typed_loosely_it_is_understood():
    code = "KPG-7F3K-9QX2-M4TD"
    typed_ways = ("kpg 7f3k 9qx2 m4td", "7F3K9QX2M4TD", " KPG_7F3K.9QX2-M4TD ", code)
    for typed in typed_ways:
        assert normalise_tracking_code(typed) == code
    assert normalise_tracking_code("KPG-1OIL-0000-0000") == "KPG-1011-0000-0000"  # O→0, I/L→1


@given(st.text(max_size=40))
def test_anything_typed_gives_a_canonical_code_or_none(text):
    result = normalise_tracking_code(text)
    assert result is None or CANONICAL.fullmatch(result)


def test_every_character_is_drawn_at_every_position():
    # 2,000 codes: a character missing from one position by chance has a probability of e^-62.
    codes = {new_tracking_code().replace("-", "")[3:] for _ in range(2000)}
    assert len(codes) == 2000
    for position in range(12):
        assert {code[position] for code in codes} == set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
