"""What the signing back-end needs before the web server starts (composed by sodamolek.startup)."""

from __future__ import annotations

from sodamolek.settings import Settings, SettingsError
from sodamolek.tte import ca


def ensure_dev_ca(settings: Settings) -> None:
    """Outside production the city CA is made on first start, so `make run` signs at once.
    Production never makes one silently: `sodamolek ca init` does, once."""
    if settings.is_production or settings.tte_backend != "embedded":
        return
    if ca.load_ca(settings.data_dir) is None:
        try:
            ca.init_ca(settings.data_dir, settings.city_ca_passphrase)
        except FileExistsError:
            pass  # another worker made it first


def check_for_production(settings: Settings) -> None:
    if settings.tte_backend == "bsre":
        if not settings.bsre_url.startswith("https://"):
            raise SettingsError(
                "SODAMOLEK_BSRE_URL harus alamat https:// di mode production (passphrase "
                "penandatangan dikirim ke layanan itu)."
            )
        if not settings.bsre_user or not settings.bsre_password:
            raise SettingsError("SODAMOLEK_BSRE_USER dan SODAMOLEK_BSRE_PASSWORD belum diisi.")
        return
    if len(settings.ca_passphrase) < 12:
        raise SettingsError(
            "SODAMOLEK_CA_PASSPHRASE belum diisi (minimal 12 karakter): kunci CA kota "
            "dienkripsi dengannya."
        )
    authority = ca.load_ca(settings.data_dir)
    if authority is None:
        raise SettingsError(
            "CA kota belum dibuat: jalankan `sodamolek ca init` sekali (mode production tidak "
            "membuatnya otomatis)."
        )
    try:
        authority.private_key(settings.ca_passphrase)
    except ca.CAError as exc:
        raise SettingsError(str(exc)) from None
