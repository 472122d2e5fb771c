"""Shared fixtures. Database tests run on a fresh SQLite file each, or — when
SODAMOLEK_TEST_DATABASE_URL names PostgreSQL — on that server with every table truncated."""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from sodamolek import db
from sodamolek.app import create_app
from sodamolek.settings import Settings

POSTGRES_URL = os.environ.get("SODAMOLEK_TEST_DATABASE_URL", "")
TEST_SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
PASSWORD = "kata-sandi-uji-123"


def pytest_collection_modifyitems(items):
    # Every test that touches a database is marked `db`, so the PostgreSQL run can select them.
    for item in items:
        if "database_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)


def pytest_report_header(config):
    return f"database tests on: {'PostgreSQL ' + POSTGRES_URL if POSTGRES_URL else 'SQLite'}"


_postgres_migrated = False


async def _reset_postgres(url: str) -> None:
    """First test: a clean schema and the migrations. Later tests: truncate our tables."""
    import asyncpg

    global _postgres_migrated
    connection = await asyncpg.connect(url)
    try:
        if not _postgres_migrated:
            await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        else:
            from sodamolek.piccolo_app import TABLES

            names = ", ".join(t._meta.tablename for t in TABLES)
            await connection.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    finally:
        await connection.close()


@pytest.fixture
async def database_url(tmp_path: Path) -> str:
    if POSTGRES_URL:
        await _reset_postgres(POSTGRES_URL)
        return POSTGRES_URL
    return f"sqlite:///{tmp_path / 'sodamolek.sqlite3'}"


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url=database_url,
        env="test",
        secret_key=TEST_SECRET,
        login_max_failures_per_account=5,
        login_max_failures_per_address=20,
    )


@pytest.fixture
async def app(settings: Settings):
    global _postgres_migrated
    from sodamolek.seed import seed

    application = create_app(settings)
    # The app's lifespan only opens and closes the database; done here by hand because
    # pytest-asyncio runs a fixture's set-up and tear-down in different tasks, which anyio's
    # task group in Litestar.lifespan() refuses.
    engine = application.state.engine
    await db.start_engine(engine)
    try:
        await db.migrate()
        _postgres_migrated = True
        await seed(demo=False)
        yield application
    finally:
        await db.stop_engine(engine)


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    # Same event loop as the app: Piccolo transactions and contextvars do not cross threads.
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@dataclass(frozen=True)
class Staff:
    operator: str = "op.oebobo"
    lurah: str = "lurah.oebobo"
    other_operator: str = "op.namosain"
    camat: str = "camat.oebobo"
    admin: str = "admin.kota"
    password: str = PASSWORD


@pytest.fixture
async def staff(app) -> Staff:
    from sodamolek.accounts.service import create_account

    s = Staff()
    await create_account(
        username=s.operator,
        full_name="Operator Oebobo",
        role="operator",
        password=PASSWORD,
        kelurahan="53.71.04.1001",
    )
    await create_account(
        username=s.lurah,
        full_name="Lurah Oebobo",
        role="lurah",
        password=PASSWORD,
        kelurahan="53.71.04.1001",
        nip="197805122005011003",
    )
    await create_account(
        username=s.other_operator,
        full_name="Operator Namosain",
        role="operator",
        password=PASSWORD,
        kelurahan="53.71.01.1001",
    )
    await create_account(
        username=s.camat,
        full_name="Camat Oebobo",
        role="camat",
        password=PASSWORD,
        kecamatan="53.71.04",
        nip="196912311994031010",  # a signer needs a full name and a NIP
    )
    await create_account(username=s.admin, full_name="Admin Kota", role="admin", password=PASSWORD)
    return s


CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "page has no CSRF field"
    return match.group(1)


async def login(
    client: httpx.AsyncClient, username: str, password: str = PASSWORD
) -> httpx.Response:
    page = await client.get("/masuk")
    return await client.post(
        "/masuk",
        data={"username": username, "password": password, "_csrf_token": csrf_from(page.text)},
    )
