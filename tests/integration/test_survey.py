"""The satisfaction survey on the tracking page: only after pickup, once per request, the index
on the dashboard."""

import datetime as dt
import re

from sodamolek.survey import service as survey
from sodamolek.survey.tables import SurveyResponse
from tests.conftest import csrf_from, login
from tests.integration.city import make_collected, make_ready, make_request

NOW = dt.datetime.now(dt.UTC)
ALL_GOOD = {e.column: "4" for e in survey.ELEMENTS}


async def _post(client, code, answers, comment=""):
    page = await client.get("/lacak")  # the lookup form always carries the token
    return await client.post(
        f"/lacak/{code}/survei",
        data={"_csrf_token": csrf_from(page.text), **answers, "comment": comment},
    )


async def test_survey_is_offered_only_after_pickup(client, staff):
    request = await make_request(staff.operator, NOW - dt.timedelta(hours=3))
    code = request["tracking_code"]
    assert "Survei kepuasan" not in (await client.get(f"/lacak/{code}")).text
    await make_ready(request, staff.operator, staff.lurah, NOW - dt.timedelta(hours=1))
    page = await client.get(f"/lacak/{code}")
    assert "Siap Diambil" in page.text and "Survei kepuasan" not in page.text
    refused = await _post(client, code, ALL_GOOD)
    assert refused.status_code == 409
    assert "setelah surat diambil" in refused.text
    assert await SurveyResponse.count() == 0


async def test_survey_once_per_request(client, staff):
    request = await make_request(staff.operator, NOW - dt.timedelta(hours=3))
    await make_collected(request, staff.operator, staff.lurah, NOW - dt.timedelta(hours=1))
    code = request["tracking_code"]
    page = await client.get(f"/lacak/{code}")
    assert "Survei kepuasan" in page.text
    assert csrf_from(page.text)  # the survey form carries its own CSRF token
    for element in survey.ELEMENTS:
        assert element.name in page.text
        assert f'name="{element.column}" value="4"' in page.text
    answered = await _post(client, code, ALL_GOOD, "Pelayanan cepat, terima kasih.")
    assert answered.status_code == 303
    assert answered.headers["location"] == f"/lacak/{code}#survei"
    thanks = await client.get(f"/lacak/{code}")
    assert "sudah kami terima" in thanks.text and 'name="requirements"' not in thanks.text
    again = await _post(client, code, {e.column: "1" for e in survey.ELEMENTS})
    assert again.status_code == 409
    assert "sudah kami terima" in again.text
    rows = await SurveyResponse.select()
    assert len(rows) == 1 and rows[0]["requirements"] == 4


async def test_missing_or_bad_answers_are_named_and_kept(client, staff):
    request = await make_request(staff.operator, NOW - dt.timedelta(hours=3))
    await make_collected(request, staff.operator, staff.lurah, NOW - dt.timedelta(hours=1))
    answers = dict(ALL_GOOD, duration="", cost="9")
    response = await _post(client, request["tracking_code"], answers, "x" * 1001)
    assert response.status_code == 422
    assert "Pilih salah satu jawaban untuk waktu penyelesaian." in response.text
    assert "Pilih salah satu jawaban untuk biaya/tarif." in response.text
    assert "paling banyak 1000 karakter" in response.text
    assert re.search(r'name="requirements" value="4" required checked', response.text)
    assert await SurveyResponse.count() == 0


async def test_survey_needs_the_csrf_token(client, staff):
    request = await make_request(staff.operator, NOW - dt.timedelta(hours=3))
    await make_collected(request, staff.operator, staff.lurah, NOW - dt.timedelta(hours=1))
    await client.get(f"/lacak/{request['tracking_code']}")
    response = await client.post(f"/lacak/{request['tracking_code']}/survei", data=ALL_GOOD)
    assert response.status_code == 403
    assert await SurveyResponse.count() == 0


async def test_unknown_code(client):
    page = await client.get("/lacak")
    response = await client.post(
        "/lacak/KPG-0000-0000-0000/survei", data={"_csrf_token": csrf_from(page.text), **ALL_GOOD}
    )
    assert response.status_code == 404


async def test_survey_table_holds_no_personal_data(app):
    columns = {c._meta.name for c in SurveyResponse._meta.columns}
    assert columns == {"id", "request", "kelurahan", *survey.COLUMNS, "comment", "created_at"}


async def test_index_and_comments_on_the_dashboard(client, staff):
    scores = [
        {**ALL_GOOD},  # all 4
        {e.column: "3" for e in survey.ELEMENTS} | {"cost": "4"},
    ]
    for i, answers in enumerate(scores):
        request = await make_request(staff.operator, NOW - dt.timedelta(hours=5))
        await make_collected(request, staff.operator, staff.lurah, NOW - dt.timedelta(hours=1))
        comment = "<b>Ramah</b> sekali" if i == 0 else ""
        await survey.submit(request["tracking_code"], answers, comment)
    # Element means: 3.5 for eight elements, 4 for cost: (8 × 3.5 + 4) / 9 × 25 = 88.89 (A).
    await login(client, staff.camat)
    page = await client.get("/dasbor")
    assert "88,89 (A)" in page.text
    assert "&lt;b&gt;Ramah&lt;/b&gt; sekali" in page.text  # a comment is text, never markup
    exported = (await client.get("/dasbor/kantor.csv")).text
    assert ";88,89;A;2" in exported
