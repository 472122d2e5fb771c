"""Seed counts and idempotence, migrations on the engine under test."""

from sodamolek import db
from sodamolek.accounts.tables import Account
from sodamolek.core.nik import parse_nik
from sodamolek.core.roles import Role
from sodamolek.letters import service as letters
from sodamolek.people.tables import Resident
from sodamolek.regions import service as regions
from sodamolek.regions.tables import Kelurahan
from sodamolek.seed import seed

REQUIRED_LETTER_TYPES = {
    "domisili",
    "sktm",
    "usaha",
    "pengantar-skck",
    "pengantar-nikah",
    "kelahiran",
    "kematian",
    "pindah",
    "beda-identitas",
}


async def test_seed_gives_6_kecamatan_and_51_kelurahan_and_is_idempotent(app):
    # The app fixture already seeded once.
    assert await regions.counts() == (6, 51)
    report = await seed()
    assert (report.kecamatan_added, report.kelurahan_added, report.letter_types_added) == (0, 0, 0)
    assert await regions.counts() == (6, 51)


async def test_kelurahan_codes_match_the_source_file(app):
    rows = regions.read_wilayah()
    stored = {r["code"]: r["name"] for r in await Kelurahan.select(Kelurahan.code, Kelurahan.name)}
    assert stored == {r.kelurahan_code: r.kelurahan for r in rows}
    assert all(code.startswith("53.71.") for code in stored)


async def test_letter_catalogue_has_the_nine_types_with_their_rules(app):
    types = await letters.list_letter_types()
    assert {t["code"] for t in types} >= REQUIRED_LETTER_TYPES
    for t in types:
        assert t["classification_code"]
        assert t["requirements"], t["code"]
        assert t["service_days"] >= 1
        assert t["cost"] == 0
        assert all({"name", "label", "type", "required"} <= set(f) for f in t["fields"])


async def test_seed_keeps_an_admins_edit(app):
    await Kelurahan.update({Kelurahan.hours: "Senin–Jumat 08.00–14.00 WITA"}).where(
        Kelurahan.code == "53.71.04.1001"
    )
    await seed()
    office = await regions.find_kelurahan("53.71.04.1001")
    assert office["hours"] == "Senin–Jumat 08.00–14.00 WITA"


async def test_demo_seed_adds_every_role_and_valid_kupang_residents_once(app):
    first = await seed(demo=True, residents=120)
    assert len(first.users_added) >= 4
    roles = {r["role"] for r in await Account.select(Account.role)}
    assert roles == {r.value for r in Role}
    residents = await Resident.select(Resident.nik, Resident.kk, Resident.birth_date, Resident.sex)
    assert len(residents) == 120
    for person in residents:
        nik = parse_nik(person["nik"])
        assert nik.is_kota_kupang
        assert (nik.birth_date, nik.sex) == (person["birth_date"], person["sex"])
        assert len(person["kk"]) == 16 and person["kk"].startswith("5371")
    again = await seed(demo=True, residents=120)
    assert again.users_added == [] and again.residents_added == 0
    assert await Resident.count() == 120


async def test_migrations_leave_nothing_pending_and_run_twice_safely(app):
    assert await db.pending_migrations() == []
    await db.migrate()
    assert await db.pending_migrations() == []


async def test_migration_on_an_empty_database_creates_every_table(settings, tmp_path):
    """A second, empty database of the same engine: migrate builds the whole schema."""
    from piccolo.querystring import QueryString

    from sodamolek.piccolo_app import TABLES

    engine = db.use_engine(db.build_engine(settings))
    await db.start_engine(engine)
    try:
        await db.migrate()
        for table in TABLES:
            await engine.run_querystring(
                QueryString(f"SELECT COUNT(*) FROM {table._meta.tablename}")  # noqa: S608
            )
    finally:
        await db.stop_engine(engine)
