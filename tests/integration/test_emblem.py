"""The city's emblem: uploaded by the admin (PNG or SVG, checked by content), printed in the kop
of every letter; the neutral default until then."""

import html
import io

import pytest
from PIL import Image

from sodamolek.documents.pdf import default_emblem
from sodamolek.letters import emblem
from sodamolek.letters import service as letters
from tests.conftest import csrf_from, login
from tests.tte_support import sign_as

PAGE = "/admin/lambang"
GOOD_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    b'<circle cx="5" cy="5" r="4" fill="#c00"/></svg>'
)


def png(size=(64, 64)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 0, 0)).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "kosong"),
        (b"GIF89a" + b"\0" * 100, "bukan gambar PNG atau SVG"),
        (b"%PDF-1.7 pura-pura", "bukan gambar PNG atau SVG"),
        (png()[:60], "rusak"),
        (png((2500, 10)), "paling besar 2000 piksel"),
        (b"x" * (emblem.MAX_BYTES + 1), "terlalu besar"),
        (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]><svg>&x;</svg>', "DTD"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "<script>"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "skrip"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
            b'<a x:href="https://example.com"><circle r="1"/></a></svg>',
            "tautan ke luar",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><image href="file:///etc/passwd"/></svg>',
            "<image>",
        ),
        (b"<svg><unclosed", "rusak"),
        (b"<html><body>bukan svg</body></html>", "bukan gambar PNG atau SVG"),
    ],
)
def test_only_a_real_png_or_a_plain_svg_is_an_emblem(data, message):
    with pytest.raises(emblem.EmblemRefused) as refused:
        emblem.check_emblem(data)
    assert message in str(refused.value)


def test_good_emblems_pass():
    assert emblem.check_emblem(png()).media_type == "image/png"
    assert emblem.check_emblem(GOOD_SVG).media_type == "image/svg+xml"
    assert emblem.check_emblem(default_emblem().data).media_type == "image/svg+xml"


async def test_admin_uploads_the_emblem_and_letters_print_it(client, staff):
    assert await letters.current_emblem() is None  # the neutral default until an upload
    await login(client, staff.admin)
    page = await client.get(PAGE)
    assert page.status_code == 200 and "lambang netral bawaan" in page.text
    token = csrf_from(page.text)
    bad = await client.post(
        PAGE, data={"_csrf_token": token}, files={"lambang": ("lambang.png", b"<svg><script/>")}
    )
    assert bad.status_code == 422 and "rusak" in html.unescape(bad.text)
    assert await letters.current_emblem() is None
    # The name and the claimed type do not matter: the content does.
    response = await client.post(
        PAGE,
        data={"_csrf_token": token},
        files={"lambang": ("kota.txt", png(), "text/plain")},
    )
    assert response.status_code == 303
    stored = await letters.current_emblem()
    assert stored is not None and stored.media_type == "image/png" and stored.data == png()
    assert "diunggah" in (await client.get(PAGE)).text
    sample = await client.get(PAGE + "/contoh.pdf")
    assert sample.headers["content-type"] == "application/pdf"
    from pypdf import PdfReader

    images = PdfReader(io.BytesIO(sample.content)).pages[0].images
    assert len(images) == 1  # the uploaded PNG in the kop (the default is vector, not an image)


async def test_only_the_admin_uploads(client, staff):
    await login(client, staff.lurah)
    assert (await client.get(PAGE)).status_code in (401, 403)


async def test_a_signed_letter_carries_the_uploaded_emblem(app, staff):
    from pypdf import PdfReader

    from sodamolek.issuing import service as issuing
    from tests.integration.test_signing import actor, awaiting

    (rid,) = await awaiting(staff)
    lurah = await actor(staff.lurah)
    await emblem.store_emblem(emblem.check_emblem(png()), "Admin Kota")
    letter = await sign_as(app, lurah, rid)
    _, pdf = await issuing.letter_pdf(lurah, letter["id"], "https://x")
    assert len(PdfReader(io.BytesIO(pdf)).pages[0].images) == 1
