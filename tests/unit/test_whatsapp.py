"""The 'Kabari lewat WhatsApp' link: the applicant's number in international form, a prefilled
Indonesian message with the status and the tracking link, and the first name only."""

from urllib.parse import parse_qs, urlsplit

import pytest

from sodamolek.letter_requests import whatsapp

REQUEST = {
    "status": "ready",
    "applicant_name": "MARIA MAGDALENA NDUN",
    "applicant_phone": "0812-3456-7890",
    "applicant_nik": "5371045708900003",
    "applicant_address": "Jl. El Tari No. 5",
    "letter_type_name": "Surat Keterangan Domisili",
    "kelurahan_name": "Oebobo",
    "tracking_code": "KPG-7F3K-9QX2-M4TD",
}


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("081234567890", "6281234567890"),
        ("0812 3456 7890", "6281234567890"),
        ("+62 812-3456-7890", "6281234567890"),
        ("6281234567890", "6281234567890"),
        ("(0812) 345 678", "62812345678"),
        ("0380 821234", None),  # a landline: no WhatsApp link
        ("12345", None),
        ("", None),
        ("08123abc4567", None),
    ],
)
def test_numbers_become_international(typed, expected):
    assert whatsapp.international_number(typed) == expected


def test_link_has_status_tracking_link_and_first_name_only():
    url = whatsapp.link(REQUEST, "https://surat.kupangkota.go.id/")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "wa.me", "/6281234567890")
    text = parse_qs(parts.query)["text"][0]
    assert text.startswith("Halo Maria, permohonan Surat Keterangan Domisili")
    assert "Siap Diambil" in text and "siap diambil di kantor kelurahan" in text
    assert "https://surat.kupangkota.go.id/lacak/KPG-7F3K-9QX2-M4TD" in text
    for private in ("Magdalena", "MAGDALENA", "NDUN", "Ndun", "5371045708900003", "El Tari"):
        assert private not in url and private not in text


def test_every_status_has_words_and_no_number_means_no_link():
    from sodamolek.letter_requests.lifecycle import Status

    for status in Status:
        text = whatsapp.message(REQUEST | {"status": status.value}, "http://x")
        assert status.label in text
    assert whatsapp.link(REQUEST | {"applicant_phone": ""}, "http://x") is None
    assert whatsapp.message(REQUEST | {"applicant_name": ""}, "http://x").startswith("Halo, ")
