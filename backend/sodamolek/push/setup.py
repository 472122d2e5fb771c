"""The push sender's configuration: the VAPID pair generated outside production, and what
production refuses. Called by sodamolek.startup for the processes that send or hand out keys."""

from __future__ import annotations

from dataclasses import replace

from sodamolek.push import vapid
from sodamolek.push.service import allowed_host_entry_problem
from sodamolek.settings import Settings, SettingsError


def with_embedded_keys(settings: Settings) -> Settings:
    """Outside production a missing VAPID pair is generated once into the data folder."""
    if settings.is_production:
        return settings
    if not settings.vapid_private_key:
        keys = vapid.load_or_create_keys(settings.data_dir)
        settings = replace(
            settings,
            vapid_private_key=keys.private_key,
            vapid_public_key=keys.public_key,
            vapid_generated=True,
        )
    elif not settings.vapid_public_key:
        settings = replace(
            settings, vapid_public_key=vapid.public_key_for(settings.vapid_private_key)
        )
    if not settings.vapid_subject:
        # Push services want a way to reach the sender; an https site will do.
        subject = settings.base_url if settings.secure_cookies else "mailto:sodamolek@localhost"
        settings = replace(settings, vapid_subject=subject)
    return settings


def check_for_production(settings: Settings) -> None:
    if not settings.vapid_private_key or not settings.vapid_public_key:
        raise SettingsError(
            "SODAMOLEK_VAPID_PRIVATE_KEY dan SODAMOLEK_VAPID_PUBLIC_KEY belum diisi: buat "
            "pasangan kunci dengan `sodamolek vapid-keys` dan simpan; jangan diganti lagi, "
            "karena langganan notifikasi warga terikat pada kunci publiknya."
        )
    if problem := vapid.key_problem(settings.vapid_private_key, settings.vapid_public_key):
        raise SettingsError(f"SODAMOLEK_VAPID_PRIVATE_KEY/PUBLIC_KEY: {problem}.")
    if problem := vapid.subject_problem(settings.vapid_subject):
        raise SettingsError(f"SODAMOLEK_VAPID_SUBJECT: {problem}.")
    for entry in settings.push_allowed_hosts:
        if problem := allowed_host_entry_problem(entry):
            raise SettingsError(f"SODAMOLEK_PUSH_ALLOWED_HOSTS: {problem}")
