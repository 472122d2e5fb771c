"""Seeding: the city's offices and letter catalogue always; demo staff and residents on request.

Every step adds only what is missing, so running it again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sodamolek.accounts import service as accounts
from sodamolek.letters import service as letters
from sodamolek.people import service as people
from sodamolek.regions import service as regions

DEMO_PASSWORD = "kupang-demo-2026"  # noqa: S105 - printed by `make run`; demo data is refused in production


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: str
    kelurahan: str | None = None
    kecamatan: str | None = None
    nip: str = ""
    office_label: str = "Kota Kupang"


DEMO_USERS = [
    DemoUser("admin", "Admin Diskominfo", "admin"),
    DemoUser(
        "operator.oebobo",
        "Yuliana Manafe",
        "operator",
        kelurahan="53.71.04.1001",
        office_label="Kelurahan Oebobo",
    ),
    DemoUser(
        "lurah.oebobo",
        "Markus Ndun, S.Sos.",
        "lurah",
        kelurahan="53.71.04.1001",
        nip="197805122005011003",
        office_label="Kelurahan Oebobo",
    ),
    DemoUser(
        "operator.namosain",
        "Petrus Tefa",
        "operator",
        kelurahan="53.71.01.1001",
        office_label="Kelurahan Namosain",
    ),
    DemoUser(
        "lurah.namosain",
        "Maria Bessie, S.H.",
        "lurah",
        kelurahan="53.71.01.1001",
        nip="198103222006042002",
        office_label="Kelurahan Namosain",
    ),
    DemoUser(
        "camat.oebobo",
        "Drs. Yohanes Benu",
        "camat",
        kecamatan="53.71.04",
        nip="197001011995031004",
        office_label="Kecamatan Oebobo",
    ),
]


@dataclass
class SeedReport:
    kecamatan_added: int = 0
    kelurahan_added: int = 0
    letter_types_added: int = 0
    users_added: list[str] = field(default_factory=list)
    demo_accounts: dict[str, int] = field(default_factory=dict)  # username -> id, every demo user
    residents_added: int = 0


async def seed(demo: bool = False, residents: int = 300) -> SeedReport:
    report = SeedReport()
    report.kecamatan_added, report.kelurahan_added = await regions.seed_regions()
    report.letter_types_added = await letters.seed_letter_types()
    if demo:
        for user in DEMO_USERS:
            if await accounts.account_exists(user.username):
                report.demo_accounts[user.username] = await accounts.account_id_of(user.username)
                continue
            account_id = await accounts.create_account(
                username=user.username,
                full_name=user.full_name,
                role=user.role,
                password=DEMO_PASSWORD,
                kelurahan=user.kelurahan,
                kecamatan=user.kecamatan,
                nip=user.nip,
            )
            report.users_added.append(user.username)
            report.demo_accounts[user.username] = account_id
            if user.role == "lurah":
                scope = await accounts.load_user(account_id)
                if scope is not None and scope.kelurahan_id is not None:
                    await regions.set_lurah(scope.kelurahan_id, user.full_name, user.nip)
        report.residents_added = await people.seed_demo_residents(residents)
    return report
