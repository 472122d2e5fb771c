"""Password hashes: production keeps at least OWASP's Argon2id minimum (t=2, m=19 MiB, p=1); the
suite's cheap parameters are the suite's alone and still verify under production's."""

import os
import subprocess
import sys

from argon2 import Type, extract_parameters

from sodamolek.accounts import passwords

OWASP_TIME_COST = 2
OWASP_MEMORY_KIB = 19 * 1024
# The app and the CLI as a server or a command imports them, without the suite's conftest.
PROBE = (
    "import sodamolek.app, sodamolek.cli\n"
    "from sodamolek.accounts import passwords\n"
    "print(passwords.HASHER.hash('kata-sandi-contoh'))"
)


def _meets_owasp(password_hash: str) -> None:
    parameters = extract_parameters(password_hash)
    assert parameters.type is Type.ID
    assert parameters.time_cost >= OWASP_TIME_COST
    assert parameters.memory_cost >= OWASP_MEMORY_KIB
    assert parameters.parallelism >= 1


def test_production_hashes_meet_owasps_minimum():
    env = {k: v for k, v in os.environ.items() if not k.startswith("SODAMOLEK_")}
    produced = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.strip()
    _meets_owasp(produced)
    _meets_owasp(passwords.PRODUCTION_HASHER.hash("kata-sandi-contoh"))


def test_the_suites_cheap_hashes_verify_in_production_and_are_rehashed_there():
    cheap = passwords.HASHER.hash("kata-sandi-contoh")
    assert extract_parameters(cheap).memory_cost < OWASP_MEMORY_KIB
    assert passwords.PRODUCTION_HASHER.verify(cheap, "kata-sandi-contoh")
    assert passwords.PRODUCTION_HASHER.check_needs_rehash(cheap)
