"""The OpenAPI document describes the API as it is; HEAD, Allow, ETag and 304 as HTTP says."""

from __future__ import annotations

import re

from tests.conftest import login


async def test_the_openapi_document_is_the_api_only_typed_and_secured(client):
    doc = (await client.get("/schema/openapi.json")).json()
    assert set(doc["paths"]) == {
        "/api/v1/permohonan",
        "/api/v1/permohonan/{request_id}",
        "/api/v1/permohonan/{request_id}/transisi",
    }
    create = doc["paths"]["/api/v1/permohonan"]["post"]
    key = next(p for p in create["parameters"] if p["name"] == "Idempotency-Key")
    assert key["in"] == "header" and key["required"] is True
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/CreateBody"
    )
    assert {"409", "422"} <= set(create["responses"])
    assert create["security"] == [{"tokenApi": []}, {"sessionCookie": []}]
    assert {"404", "422"} <= set(
        doc["paths"]["/api/v1/permohonan/{request_id}"]["get"]["responses"]
    )
    schemas = doc["components"]["schemas"]
    assert schemas["CreateBody"]["additionalProperties"] is False
    assert schemas["Applicant"]["properties"]["name"]["oneOf"][0]["type"] == "string"
    assert schemas["RequestOut"]["properties"]["id"]["type"] == "integer"
    assert "bearer" == doc["components"]["securitySchemes"]["tokenApi"]["scheme"]


async def test_no_swagger_or_redoc_page_with_outside_scripts(client):
    for path in ("/schema/swagger", "/schema/redoc", "/schema/elements", "/schema/rapidoc"):
        assert (await client.get(path)).status_code == 404, path
    root = await client.get("/schema")
    assert "html" not in root.headers["content-type"] and "<script" not in root.text


async def test_head_wherever_get_is_without_a_body(client, staff):
    for path in ("/health", "/sw.js", "/manifest.webmanifest", "/masuk", "/lacak", "/luring"):
        get = await client.get(path)
        head = await client.head(path)
        assert head.status_code == get.status_code == 200, path
        assert head.content == b"", path
        assert head.headers["content-type"] == get.headers["content-type"]
    await login(client, staff.operator)
    assert (await client.head("/permohonan")).status_code == 200


async def test_allow_lists_every_method_of_the_path(client):
    options = await client.options("/api/v1/permohonan/1")
    assert set(options.headers["allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "PATCH"}
    refused = await client.delete("/masuk")
    assert refused.status_code == 405
    assert set(refused.headers["allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}
    post_only = await client.put("/keluar")
    assert set(post_only.headers["allow"].split(", ")) == {"OPTIONS", "POST"}


async def test_unchanged_files_get_304_with_their_etag(client):
    page = await client.get("/masuk")
    css = re.search(r'href="(/static/css/app\.css[^"]*)"', page.text).group(1)
    for path in (
        "/sw.js",
        "/sw-warga.js",
        "/manifest.webmanifest",
        "/lacak/manifest.webmanifest",
        css,
    ):
        first = await client.get(path)
        tag = first.headers["etag"]
        again = await client.get(path, headers={"If-None-Match": tag})
        assert again.status_code == 304, path
        assert again.content == b"" and again.headers["etag"] == tag
        assert again.headers["cache-control"] == first.headers["cache-control"]
        other = await client.get(path, headers={"If-None-Match": '"something-else"'})
        assert other.status_code == 200 and other.content == first.content


async def test_a_gzipped_answer_is_revalidated_by_the_same_weak_etag(client):
    plain = await client.get("/sw.js", headers={"Accept-Encoding": "identity"})
    zipped = await client.get("/sw.js", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert plain.headers["etag"] == zipped.headers["etag"]
    assert plain.headers["etag"].startswith('W/"')  # names the content, not its encoding
    again = await client.get(
        "/sw.js", headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["etag"]}
    )
    assert again.status_code == 304 and again.content == b""


def test_the_api_bodies_name_every_applicant_field_the_api_serves():
    from sodamolek.letter_requests.api import APPLICANT_FIELDS
    from sodamolek.letter_requests.api_schema import Applicant, ApplicantOut

    assert set(Applicant.__struct_fields__) == set(APPLICANT_FIELDS)
    assert set(ApplicantOut.__struct_fields__) == {*APPLICANT_FIELDS, "verified"}
