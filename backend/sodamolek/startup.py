"""What each kind of process needs before it starts, and what production refuses for it.

Settings read the environment and know no domain; a domain checks its own configuration
(documents.signing the letter key, push.setup the VAPID pair). Each process role composes the
checks of what it uses, so the push worker is never refused for the letter-signing key or the
session secret it does not have, and the CLI's database commands need neither.
"""

from __future__ import annotations

import enum
from collections.abc import Callable

from sodamolek.documents import signing
from sodamolek.push import setup as push_setup
from sodamolek.settings import Settings
from sodamolek.tte import setup as tte_setup


class ProcessRole(enum.Enum):
    SERVE = "serve"  # the web app (and, on SQLite, the push worker inside it)
    WORKER = "worker"  # `sodamolek worker`: push outbox and housekeeping
    CLI = "cli"  # migrate, seed, create-user, rebuild-counts, ...


def _check_signing_key(settings: Settings) -> None:
    signing.signing_key_for(settings)  # raises SigningKeyError (a SettingsError) naming the fix


PRODUCTION_CHECKS: dict[ProcessRole, tuple[Callable[[Settings], None], ...]] = {
    ProcessRole.SERVE: (
        Settings.check_web_for_production,
        Settings.check_registry_for_production,
        _check_signing_key,
        push_setup.check_for_production,
        tte_setup.check_for_production,
    ),
    # The worker re-checks applicants against the registry and sends push messages.
    ProcessRole.WORKER: (Settings.check_registry_for_production, push_setup.check_for_production),
    ProcessRole.CLI: (),
}


def prepare(settings: Settings, role: ProcessRole) -> Settings:
    """The settings a process of this role runs with: outside production, the secrets it uses
    are generated once into the data folder; in production, a missing or unusable one stops the
    process here with a message naming the setting (SettingsError)."""
    if role is ProcessRole.SERVE:
        settings = settings.with_embedded_secret()
        tte_setup.ensure_dev_ca(settings)
    if role in (ProcessRole.SERVE, ProcessRole.WORKER):
        settings = push_setup.with_embedded_keys(settings)
    check_for_production(settings, role)
    return settings


def check_for_production(settings: Settings, role: ProcessRole) -> None:
    if not settings.is_production:
        return
    for check in PRODUCTION_CHECKS[role]:
        check(settings)
