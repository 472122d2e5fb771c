"""A generated corpus of bad input: every route of the app × every path parameter, form field
(found in the site's own forms) and JSON field × a list of payloads (numbers beyond any
database integer, NUL and control characters, invalid UTF-8, non-string JSON values, deep
JSON). Not one answer may be a 5xx, and nothing may log a traceback."""

from __future__ import annotations

import html
import logging
import re
import uuid
from collections import Counter
from urllib.parse import quote

import httpx
import pytest

from sodamolek.accounts import tokens
from sodamolek.accounts.service import create_account
from tests.conftest import PASSWORD, csrf_from, login
from tests.integration.test_idempotency_scope import BODY

TEXT_PAYLOADS = ["9" * 30, str(2**63), str(2**31), "a\x00b", "\x1b[31m", "x" * 5000, "𝕂𝕦𝕡𝕒𝕟𝕘"]
GENERIC_FIELDS = ["nama", "alasan", "kode", "to", "version", "reason", "status", "q"]
# Not sent with bodies: logging out would end the corpus's own session.
SKIP_BODIES = {"/keluar"}
RAW_PAYLOADS = [b"%FF%FE", b"%C3%28", b"a%00b"]  # percent-encoded bytes, sent as they are
JSON_VALUES = [{"$ne": 1}, [1, 2], 2**70, 2**40, True, None, 1.5e308, "a\x00b", "\x07"]
FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
ACTION = re.compile(r'action="([^"]*)"')
FIELD = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"', re.I)


def _role(path: str) -> str:
    if path.startswith("/admin"):
        return "admin"
    if path.startswith("/tanda-tangan-camat"):
        return "camat"
    if path.startswith(("/tanda-tangan", "/surat", "/akun")):
        return "lurah"
    if path.startswith(("/masuk", "/lacak", "/verifikasi", "/ajukan", "/layanan", "/kunci")):
        return "anonymous"
    return "operator"


async def _sessions(app, staff) -> dict[str, httpx.AsyncClient]:
    clients = {}
    for role, username in [
        ("operator", staff.operator),
        ("lurah", staff.lurah),
        ("camat", staff.camat),
        ("admin", staff.admin),
        ("anonymous", None),
    ]:
        transport = httpx.ASGITransport(app=app, client=(f"198.51.100.{len(clients) + 1}", 1))
        client = httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=60)
        if username:
            assert (await login(client, username)).status_code == 303
        await client.get("/masuk" if not username else "/")
        clients[role] = client
    return clients


async def _csrf(client: httpx.AsyncClient) -> str:
    page = await client.get("/masuk")
    if "_csrf_token" not in page.text:
        page = await client.get("/")
    return csrf_from(page.text)


def _forms(page: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for attributes, body in FORM.findall(page):
        action = ACTION.search(attributes)
        if action:
            path = html.unescape(action.group(1)).split("?")[0]
            found.setdefault(path, set()).update(FIELD.findall(body))
    return found


def _pattern(route) -> re.Pattern:
    return re.compile(re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(route.path_format)) + "$")


def _concrete(route, ids: dict[str, str]) -> str:
    path = route.path_format
    for name in route.path_parameters:
        path = path.replace("{" + name + "}", ids.get(name, "1"))
    return path


@pytest.mark.timeout(900)
async def test_no_bad_input_gets_a_5xx_or_a_traceback(app, staff, caplog):
    _, token = await tokens.create_token(None, "SIAK Oebobo", "53.71.04.1001")
    bearer = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("198.51.100.99", 1)),
        base_url="http://testserver",
    ) as api:
        made = await api.post(
            "/api/v1/permohonan", json=BODY, headers=bearer | {"Idempotency-Key": str(uuid.uuid4())}
        )
        assert made.status_code == 201
        item = made.json()
        clients = await _sessions(app, staff)
        spare = await create_account(
            username="korban.uji",
            full_name="Uji",
            role="operator",
            password=PASSWORD,
            kelurahan="53.71.04.1001",
        )
        ids = {
            "account_id": str(spare),
            "code": item["tracking_code"],
            "token": "x",
            "label": "x",
            "index": "0",
            "file_path": "css/app.css",
            "path": "x",
        }
        routes = [
            r
            for r in app.routes
            if hasattr(r, "path_format") and not r.path_format.startswith("/schema")
        ]

        # The site's own forms name the fields each form route reads.
        fields: dict[str, set[str]] = {}
        for route in routes:
            if "GET" in route.methods and not route.path_parameters:
                for client in clients.values():
                    page = await client.get(_concrete(route, ids))
                    for path, names in _forms(page.text).items():
                        fields.setdefault(path, set()).update(names)
        every_field = sorted(set().union(*fields.values()) - {"_csrf_token"})
        assert len(every_field) > 20
        route_fields = {
            route.path_format: set().union(
                *(names for action, names in fields.items() if _pattern(route).match(action))
            )
            for route in routes
        }

        answers: Counter[int] = Counter()
        failures: list[str] = []
        csrf = {role: await _csrf(c) for role, c in clients.items()}

        async def send(role: str, method: str, url: str, **kwargs) -> None:
            client = api if role == "api" else clients[role]
            response = await client.request(method, url, **kwargs)
            answers[response.status_code] += 1
            if response.status_code >= 500:
                failures.append(f"{response.status_code} {method} {url[:80]} {str(kwargs)[:120]}")

        caplog.set_level(logging.WARNING)
        logging.getLogger("httpx").setLevel(logging.WARNING)
        for route in routes:
            methods = sorted(route.methods - {"OPTIONS", "HEAD"})
            role = "api" if route.path_format.startswith("/api/") else _role(route.path_format)
            headers = bearer if role == "api" else {}
            # Path parameters.
            for name in route.path_parameters:
                for payload in [*map(str, TEXT_PAYLOADS), *(p.decode() for p in RAW_PAYLOADS)]:
                    quoted = payload if "%" in payload else quote(payload, safe="")
                    path = _concrete(route, ids | {name: quoted})
                    for method in methods:
                        body = (
                            {"json": {}}
                            if role == "api"
                            else {"data": {"_csrf_token": csrf.get(role, "")}}
                        )
                        await send(
                            role, method, path, headers=headers, **(body if method != "GET" else {})
                        )
            path = _concrete(route, ids | {"request_id": str(item["id"])})
            # Query strings.
            if "GET" in methods:
                for payload in [quote(p, safe="") for p in TEXT_PAYLOADS[:6]] + [
                    p.decode() for p in RAW_PAYLOADS
                ]:
                    await send(
                        role,
                        "GET",
                        f"{path}?page={payload}&q={payload}&status={payload}",
                        headers=headers,
                    )
            # Bodies.
            for method in (m for m in methods if m != "GET"):
                if role == "api":
                    body_fields = [
                        "letter_type",
                        "applicant",
                        "data",
                        "requirements_checked",
                        "notes",
                        "client_request_id",
                        "to",
                        "reason",
                        "version",
                    ]
                    for field in body_fields:
                        for value in JSON_VALUES:
                            await send(
                                role,
                                method,
                                path,
                                json=BODY | {field: value},
                                headers=headers
                                | {"Idempotency-Key": str(uuid.uuid4()), "If-Match": '"1"'},
                            )
                    for raw in (
                        b"[" * 1000 + b"]" * 1000,
                        b'{"a":' * 40 + b"1" + b"}" * 40,
                        b"\xff\xfe{}",
                        b'{"notes": "\xc3\x28"}',
                    ):
                        await send(
                            role,
                            method,
                            path,
                            content=raw,
                            headers=headers
                            | {
                                "Content-Type": "application/json",
                                "Idempotency-Key": str(uuid.uuid4()),
                            },
                        )
                    continue
                if route.path_format in SKIP_BODIES:
                    continue
                names = sorted(route_fields[route.path_format] - {"_csrf_token"})
                names = names or GENERIC_FIELDS
                for field in names:
                    for payload in TEXT_PAYLOADS:
                        await send(
                            role, method, path, data={field: payload, "_csrf_token": csrf[role]}
                        )
                    for raw in RAW_PAYLOADS:
                        body = f"{field}=".encode() + raw + b"&_csrf_token=" + csrf[role].encode()
                        await send(
                            role,
                            method,
                            path,
                            content=body,
                            headers={"Content-Type": "application/x-www-form-urlencoded"},
                        )
        for client in clients.values():
            await client.aclose()

    total = sum(answers.values())
    print(f"\nbad-input corpus: {total} cases, answers {dict(sorted(answers.items()))}")
    assert total > 2000
    assert sum(answers[s] for s in (400, 404, 422)) > total / 3  # the input reached the checks
    assert not failures, f"{len(failures)} 5xx of {total}:\n" + "\n".join(failures[:40])
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert not tracebacks, [r.getMessage() for r in tracebacks[:5]]
