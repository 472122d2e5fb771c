"""/layanan: the published service standard, generated from the letter types' data."""

import json
import re

from sodamolek.letter_requests.lifecycle import Status
from sodamolek.letters import service as letters
from sodamolek.letters.tables import LetterType
from sodamolek.settings import DEFAULT_COMPLAINTS_CHANNEL


async def test_list_shows_every_active_type_without_login(client):
    page = await client.get("/layanan")
    assert page.status_code == 200
    types = await letters.list_letter_types()
    assert len(types) == 9
    for letter_type in types:
        assert f'href="/layanan/{letter_type["code"]}"' in page.text
    assert "htmx" not in page.text  # the light public layout


async def test_standard_shows_the_six_parts_from_the_data(client):
    letter_type = await letters.get_letter_type("domisili")
    page = await client.get("/layanan/domisili")
    assert page.status_code == 200
    text = page.text
    for heading in [
        "1. Persyaratan",
        "2. Sistem, mekanisme dan prosedur",
        "3. Jangka waktu pelayanan",
        "4. Biaya/tarif",
        "5. Produk pelayanan",
        "6. Penanganan pengaduan, saran dan masukan",
    ]:
        assert heading in text
    for requirement in letter_type["requirements"]:
        assert f"<li>{requirement}</li>" in text
    assert f"{letter_type['service_days']} hari kerja" in text
    assert "<strong>Gratis</strong>" in text
    assert f"Berlaku {letter_type['validity_days']} hari" in text
    assert DEFAULT_COMPLAINTS_CHANNEL in text
    # The procedure walks the lifecycle: the statuses appear in the order a request takes.
    positions = [
        text.index(f"Status: {s.label}")
        for s in (Status.IN_REVIEW, Status.AWAITING_SIGNATURE, Status.READY, Status.COLLECTED)
    ]
    assert positions == sorted(positions)
    assert Status.INCOMPLETE.label in text and Status.REJECTED.label in text


async def test_page_follows_a_change_of_the_letter_type(client):
    await LetterType.update(
        {
            LetterType.cost: 15000,
            LetterType.service_days: 3,
            LetterType.requirements: json.dumps(["Surat pengantar RT/RW", "Pas foto 3x4"]),
            LetterType.validity_days: None,
        }
    ).where(LetterType.code == "domisili")
    text = (await client.get("/layanan/domisili")).text
    assert "<strong>Rp15.000</strong>" in text and "Gratis" not in text
    assert "<strong>3 hari kerja</strong>" in text
    assert "<li>Pas foto 3x4</li>" in text and "Kartu Keluarga (fotokopi)" not in text
    assert "Tidak dibatasi masa berlakunya" in text
    listing = (await client.get("/layanan")).text
    item = re.search(r'href="/layanan/domisili".*?</li>', listing, re.S).group(0)
    assert "3 hari kerja · Rp15.000 · 2 persyaratan" in item


async def test_camat_countersignature_is_said(client):
    await LetterType.update({LetterType.needs_camat: True}).where(LetterType.code == "usaha")
    text = (await client.get("/layanan/usaha")).text
    assert (
        "Lurah menandatangani surat; surat mendapat nomor resmi dan menunggu tanda tangan camat"
        in text
    )
    assert "Camat menandatangani (mengetahui)" in text


async def test_unknown_and_inactive_types_are_404(client):
    assert (await client.get("/layanan/tidak-ada")).status_code == 404
    await LetterType.update({LetterType.is_active: False}).where(LetterType.code == "sktm")
    assert (await client.get("/layanan/sktm")).status_code == 404
    assert 'href="/layanan/sktm"' not in (await client.get("/layanan")).text


async def test_complaints_channel_is_a_setting(app, client, monkeypatch):
    import dataclasses

    from sodamolek.settings import Settings

    monkeypatch.setenv("SODAMOLEK_COMPLAINTS_CHANNEL", "  Halo Kupang   112 ")
    channel = Settings.from_env().complaints_channel
    assert channel == "Halo Kupang 112"
    app.state.settings = dataclasses.replace(app.state.settings, complaints_channel=channel)
    text = (await client.get("/layanan/domisili")).text
    assert "Halo Kupang 112" in text and "SP4N-LAPOR!" not in text
