"""Shared fixtures. The database work a test needs is done once per pytest process (each
pytest-xdist worker is one) and copied per test; docs/testing.md says how.

SQLite: a template file, migrated and seeded once, copied into each test's own folder.
PostgreSQL (SODAMOLEK_TEST_DATABASE_URL): one database per xdist worker (`<db>_gw0`, ...),
migrated and seeded once; each test empties its tables (and restarts their ids) and the
`app` fixture puts the seed rows back."""

from __future__ import annotations

import gc
import os
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
import pytest
from litestar import Litestar

from sodamolek import db
from sodamolek.accounts import passwords
from sodamolek.app import bind, build_app
from sodamolek.settings import Settings
from sodamolek.startup import ProcessRole, prepare
from sodamolek.tte import ca
from tests.databases import SECRET, DatabaseTemplate, empty_postgres_database, worker_database_url

POSTGRES_URL = os.environ.get("SODAMOLEK_TEST_DATABASE_URL", "")
TEST_SECRET = SECRET
PASSWORD = "kata-sandi-uji-123"

# Argon2id at production cost is tens of milliseconds per hash; the suite makes hundreds.
passwords.use_cheap_parameters_for_tests()
# The same for signer key archives (200,000 PBKDF2 rounds, ~50 ms a lock or an open).
ca.use_cheap_parameters_for_tests()


def pytest_collection_finish(session):
    # Everything imported and collected so far lives until the end: gc.freeze() keeps the
    # collector from scanning it again at every full collection, and a larger first generation
    # makes those rarer. The collector was a quarter of building each test's app (-15% CPU on
    # a sample of the integration tests).
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


def pytest_collection_modifyitems(items):
    # Every test that touches a database is marked `db`, so the PostgreSQL run can select them.
    for item in items:
        if "database_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)


def pytest_report_header(config):
    return f"database tests on: {'PostgreSQL ' + POSTGRES_URL if POSTGRES_URL else 'SQLite'}"


@pytest.fixture(scope="session")
def database_template(tmp_path_factory) -> DatabaseTemplate:
    """The migrated, seeded database of this pytest process, built on first use."""
    directory = tmp_path_factory.mktemp("template")
    if POSTGRES_URL:
        url = worker_database_url(POSTGRES_URL)
        template = DatabaseTemplate.for_postgres(directory, url, POSTGRES_URL)
    else:
        template = DatabaseTemplate.for_sqlite(directory)
    yield template
    template.close()


@pytest.fixture
def database_url(tmp_path: Path, database_template: DatabaseTemplate) -> str:
    """The test's database. SQLite: a path in the test's folder, no file yet (the `app` fixture
    copies the template there). PostgreSQL: this worker's database, migrated, tables empty."""
    if POSTGRES_URL:
        database_template.empty_tables()
        return database_template.url
    return f"sqlite:///{tmp_path / 'sodamolek.sqlite3'}"


@pytest.fixture
def new_database(database_url: str, tmp_path: Path, database_template: DatabaseTemplate):
    """`await new_database("label")`: the URL of an empty database of the engine under test,
    besides the test's own. SQLite: a new file in the test's folder. PostgreSQL: a database named
    after this worker's (`<db>_gw0_label`), created on first use and emptied on each next one
    (left in place after: dropping a database waits for a checkpoint of the whole server)."""

    async def make(label: str) -> str:
        if not POSTGRES_URL:
            return f"sqlite:///{tmp_path / f'{label}.sqlite3'}"
        url = f"{database_template.url}_{label}"
        await empty_postgres_database(url, POSTGRES_URL)
        return url

    return make


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


# Built apps of this pytest process, by the settings they were built under (paths aside).
_BUILT_APPS: dict[Settings, Litestar] = {}


def bound_app(settings: Settings) -> Litestar:
    """What create_app(settings) gives, for the cost of bind() alone when an app was built
    under the same settings before: building one (its ~200 route handlers' signatures, their
    middleware stacks) was most of a test's set-up. The HTTP side depends on the settings only,
    which are in the key; the state (engine, registry, signing key, everything a test puts in
    app.state) is made afresh for each test by bind, as create_app does."""
    shape = replace(
        settings, data_dir=Path(), database_url="", vapid_private_key="", vapid_public_key=""
    )
    application = _BUILT_APPS.get(shape)
    if application is None:
        application = _BUILT_APPS[shape] = build_app(settings)
    bind(application, settings)
    return application


def not_reused(application: Litestar) -> Litestar:
    """For a test that adds routes to its app: no later test of this process is given it (the
    bad-input corpus walks every route and found the error page's exploding one)."""
    for shape, built in list(_BUILT_APPS.items()):
        if built is application:
            del _BUILT_APPS[shape]
    return application


@pytest.fixture
async def app(settings: Settings, database_template: DatabaseTemplate):
    """The app on a migrated and seeded database (`seed(demo=False)`: offices, letter types)."""
    # The template's copy (SQLite) or seed rows (PostgreSQL): what `migrate` and `seed` would
    # have made, for a file copy or a few COPY statements.
    database_template.restore(settings.database_url)
    application = bound_app(prepare(settings, ProcessRole.SERVE))
    # The app's lifespan only opens and closes the database; done here by hand because
    # pytest-asyncio runs a fixture's set-up and tear-down in different tasks, which anyio's
    # task group in Litestar.lifespan() refuses.
    engine = application.state.engine
    await db.start_engine(engine)
    try:
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
