"""The `sodamolek` command: serve, worker, migrate, seed, create-user, fake-registry,
signing-key, vapid-keys."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import signal
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from sodamolek import db
from sodamolek.settings import Settings, SettingsError
from sodamolek.startup import ProcessRole, prepare

# Each command imports what it uses inside its handler: one process runs one command, and the
# web app, pyHanko, fpdf2 and the push sender are most of a full import (~2 s of CPU on a loaded
# machine against ~0.5 s for `backup` or `create-user`). The layers still see these imports.


def _with_database(settings: Settings, work: Callable[[], Awaitable[None]]) -> None:
    async def run() -> None:
        engine = db.use_engine(db.build_engine(settings))
        await db.start_engine(engine)
        try:
            await work()
        finally:
            await db.stop_engine(engine)

    asyncio.run(run())


def cmd_migrate(settings: Settings, _: argparse.Namespace) -> None:

    _with_database(settings, db.migrate)


def cmd_seed(settings: Settings, args: argparse.Namespace) -> None:
    from sodamolek.db.setup_lock import setup_lock
    from sodamolek.seed import DEMO_PASSWORD, seed

    if args.demo and settings.is_production:
        raise SettingsError("Data demo tidak boleh dimuat di mode production (SODAMOLEK_ENV).")

    async def work() -> None:

        async with setup_lock(db.current_engine()):  # replicas starting together seed once
            report = await seed(demo=args.demo)
        print(
            f"Wilayah: +{report.kecamatan_added} kecamatan, +{report.kelurahan_added} kelurahan; "
            f"jenis surat: +{report.letter_types_added}"
        )
        if args.demo:
            from sodamolek.tte.service import DEMO_PASSPHRASE as DEMO_PASSPHRASE_TTE
            from sodamolek.tte.service import seed_demo_signers

            # Demo signers sign with the passphrase kupang-demo-2026 (embedded CA or fake BSrE).
            signers = await seed_demo_signers(settings.with_embedded_secret(), report.demo_accounts)
            print(
                f"Demo: +{len(report.users_added)} pengguna, +{report.residents_added} penduduk, "
                f"+{signers} sertifikat TTE (passphrase {DEMO_PASSPHRASE_TTE})"
            )
            print_demo_logins(DEMO_PASSWORD)

    _with_database(settings, work)


def print_demo_logins(password: str) -> None:
    from sodamolek.seed import DEMO_USERS

    print(f"\nAkun demo (kata sandi semua akun: {password}):")
    for user in DEMO_USERS:
        print(f"  {user.username:<20} {user.role:<9} {user.office_label}")


def cmd_create_user(settings: Settings, args: argparse.Namespace) -> None:
    from sodamolek.accounts.service import create_account

    if sys.stdin.isatty():
        password = getpass.getpass("Kata sandi: ")
        if getpass.getpass("Ulangi kata sandi: ") != password:
            raise SettingsError("Kata sandi tidak sama.")
    else:
        password = sys.stdin.readline().rstrip("\n")

    async def work() -> None:
        await create_account(
            username=args.username,
            full_name=args.full_name or args.username,
            role=args.role,
            password=password,
            kelurahan=args.kelurahan,
            kecamatan=args.kecamatan,
            nip=args.nip or "",
        )
        print(f"Pengguna {args.username} ({args.role}) dibuat.")

    _with_database(settings, work)


def cmd_backup(settings: Settings, args: argparse.Namespace) -> None:
    from sodamolek.db import backup

    target = backup.backup(settings, Path(args.to) if args.to else None)
    print(f"Cadangan dibuat dan diperiksa: {target} ({target.stat().st_size} bait)")


def cmd_restore(settings: Settings, args: argparse.Namespace) -> None:
    from sodamolek.db import backup

    before = backup.restore(settings, Path(args.file))
    if before:
        print(f"Isi sebelumnya disimpan di {before}")
    _with_database(settings, db.migrate)  # an older backup is brought up to this version
    print(f"Dipulihkan dari {args.file}. Jalankan lagi server (dan worker).")


def cmd_signing_key(settings: Settings, _: argparse.Namespace) -> None:
    """Create the letter-signing key once (never over an existing one); print its public half.
    The one way production gets a key: it is never generated silently there."""
    from sodamolek.documents.signing import (
        create_signing_key,
        key_id,
        load_signing_key,
        public_key_pem,
    )

    path = settings.signing_key_path
    try:
        key = create_signing_key(path)
        print(f"Kunci tanda tangan surat dibuat: {path} (simpan cadangannya di tempat aman).")
    except FileExistsError:
        key = load_signing_key(path)
        print(f"Kunci tanda tangan surat sudah ada: {path} (tidak diubah).")
    print(f"ID kunci: {key_id(key)}")
    print(public_key_pem(key), end="")


WORKER_START_SECONDS = 60


def cmd_serve(settings: Settings, args: argparse.Namespace) -> None:
    import uvicorn

    from sodamolek.web.access_log import uvicorn_log_config

    uvicorn.run(
        "sodamolek.app:create_app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        # X-Forwarded-For is read by the app itself, only from SODAMOLEK_TRUSTED_PROXIES.
        proxy_headers=False,
        # A worker process imports the whole app before it answers the supervisor's first
        # health check; on a loaded 2-core machine that took longer than uvicorn's default 5 s,
        # and the supervisor killed and respawned the workers for ever.
        timeout_worker_healthcheck=WORKER_START_SECONDS,
        # One process: asyncio's own loop (it binds its socket itself, so TCP_NODELAY is set).
        # Saturated by 64 connections, uvloop let some of them wait: /lacak p99 0.4–0.9 s
        # against 44–82 ms on asyncio's loop, same rate and CPU per request. Worker processes
        # keep uvloop, which sets TCP_NODELAY on the socket they share (docs/decisions.md).
        loop="asyncio" if args.workers == 1 else "auto",
        log_level="info",
        # No access log unless asked for: the reverse proxy in front keeps one already, and
        # uvicorn's cost ~60 µs of a ~600 µs tracking page. Asked for, or not, tracking codes
        # are masked in uvicorn's lines (docs/decisions.md).
        access_log=args.access_log,
        log_config=uvicorn_log_config(),
    )


def cmd_ca_init(settings: Settings, args: argparse.Namespace) -> None:
    """Make the city CA once (or, with --rotate, a new generation beside the old ones, which
    stay trusted for the letters they signed)."""
    from sodamolek.tte import ca as tte_ca

    # Outside production the passphrase derives from the data folder's secret, as for `serve`.
    passphrase = settings.with_embedded_secret().city_ca_passphrase
    if settings.is_production and not passphrase:
        raise SettingsError("SODAMOLEK_CA_PASSPHRASE belum diisi (minimal 12 karakter).")
    try:
        authority = tte_ca.init_ca(settings.data_dir, passphrase, rotate=args.rotate)
    except FileExistsError:
        existing = tte_ca.load_ca(settings.data_dir)
        label = existing.current.label if existing else "?"
        print(f"CA kota sudah ada ({label}); tidak diubah. --rotate membuat generasi baru.")
        return
    except tte_ca.CAError as error:
        raise SettingsError(str(error)) from None
    current = authority.current
    print(f"CA kota dibuat: generasi {current.label} di {tte_ca.ca_folder(settings.data_dir)}")
    print(
        f"Berlaku sampai {current.certificate.not_valid_after_utc:%Y-%m-%d}; "
        f"{len(authority.generations)} generasi dipercaya. Sertifikat publik: /kunci-publik/ca.pem"
    )


def cmd_fake_bsre(settings: Settings, args: argparse.Namespace) -> None:
    import uvicorn

    from sodamolek.tte.fake_bsre import create_fake_bsre, new_fake_state, write_roots

    if settings.is_production:
        raise SettingsError("BSrE palsu tidak boleh dijalankan di mode production.")
    if args.latency_ms < 0 or not 0.0 <= args.fail_rate <= 1.0:
        raise SettingsError("--latency-ms harus ≥ 0 dan --fail-rate antara 0 dan 1.")
    folder = Path(args.folder) if args.folder else Path(tempfile.mkdtemp(prefix="fake-bsre-"))
    state = new_fake_state(folder, latency_ms=args.latency_ms, fail_rate=args.fail_rate)
    roots = folder / "bsre-roots.pem"
    write_roots(state, roots)
    # It accepts the credentials the app sends: the same SODAMOLEK_BSRE_USER/PASSWORD.
    app = create_fake_bsre(state, settings.bsre_user, settings.bsre_password)
    print(
        f"BSrE palsu di http://{args.host}:{args.port} — jalankan aplikasi dengan "
        f"SODAMOLEK_TTE_BACKEND=bsre SODAMOLEK_BSRE_URL=http://{args.host}:{args.port} "
        f"SODAMOLEK_BSRE_ROOTS_FILE={roots}",
        flush=True,
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


def cmd_fake_registry(settings: Settings, args: argparse.Namespace) -> None:
    import uvicorn

    from sodamolek.people.fake_registry import create_fake_registry

    if settings.is_production:
        raise SettingsError("Registry palsu tidak boleh dijalankan di mode production.")
    if args.latency_ms < 0 or not 0.0 <= args.fail_rate <= 1.0:
        raise SettingsError("--latency-ms harus ≥ 0 dan --fail-rate antara 0 dan 1.")
    # It accepts the credentials the app sends: the same SODAMOLEK_REGISTRY_USER/PASSWORD.
    app = create_fake_registry(
        settings.registry_user,
        settings.registry_password,
        latency_ms=args.latency_ms,
        fail_rate=args.fail_rate,
    )
    print(
        f"Registry palsu di http://{args.host}:{args.port} — jalankan aplikasi dengan "
        f"SODAMOLEK_REGISTRY_URL=http://{args.host}:{args.port}",
        flush=True,
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")


def cmd_worker(settings: Settings, args: argparse.Namespace) -> None:
    from sodamolek import maintenance
    from sodamolek.people.registry import build_registry
    from sodamolek.push.worker import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    async def work() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)  # finish the batch in flight, then stop

        registry = build_registry(settings)
        try:
            await asyncio.gather(
                run_worker(
                    stop, settings, batch_size=args.batch_size, poll_interval=args.poll_interval
                ),
                maintenance.run_loop(stop, registry),
            )
        finally:
            await registry.aclose()

    _with_database(settings, work)


def cmd_vapid_keys(settings: Settings, _: argparse.Namespace) -> None:
    from sodamolek.push.vapid import generate_keys

    keys = generate_keys()
    print(f"SODAMOLEK_VAPID_PRIVATE_KEY={keys.private_key}")
    print(f"SODAMOLEK_VAPID_PUBLIC_KEY={keys.public_key}")
    print(
        "# Simpan keduanya sebagai rahasia dan jangan diganti lagi: langganan notifikasi warga "
        "terikat pada kunci publik ini.",
        file=sys.stderr,
    )


def cmd_rebuild_counts(settings: Settings, _: argparse.Namespace) -> None:
    from sodamolek.letter_requests.rollup import rebuild_rollup
    from sodamolek.letter_requests.service import rebuild_counters

    async def work() -> None:
        await rebuild_counters()
        days = await rebuild_rollup()
        print(f"Penghitung status dihitung ulang; rekap harian: {days} baris.")

    _with_database(settings, work)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sodamolek", description="Sodamolek: layanan surat kelurahan Kota Kupang"
    )
    # What each command's process needs and production checks: see sodamolek.startup.
    parser.set_defaults(process_role=ProcessRole.CLI)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="jalankan server web")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="lebih dari 1 hanya untuk PostgreSQL")
    serve.add_argument(
        "--access-log",
        action="store_true",
        default=os.environ.get("SODAMOLEK_ACCESS_LOG", "").lower() in ("1", "true", "yes", "ya"),
        help="catat setiap permintaan (kode lacak disamarkan); bawaan: mati, proksi mencatatnya",
    )
    serve.set_defaults(handler=cmd_serve, process_role=ProcessRole.SERVE)

    signing_key = commands.add_parser(
        "signing-key", help="buat kunci tanda tangan surat (sekali) dan tampilkan kunci publiknya"
    )
    signing_key.set_defaults(handler=cmd_signing_key)

    worker = commands.add_parser("worker", help="kirim notifikasi push dari antrean (outbox)")
    worker.add_argument("--batch-size", type=int, default=50)
    worker.add_argument(
        "--poll-interval", type=float, default=1.0, help="detik menunggu saat antrean kosong"
    )
    worker.set_defaults(handler=cmd_worker, process_role=ProcessRole.WORKER)

    vapid_keys = commands.add_parser("vapid-keys", help="cetak pasangan kunci VAPID baru")
    vapid_keys.set_defaults(handler=cmd_vapid_keys)

    rebuild = commands.add_parser(
        "rebuild-counts",
        help="hitung ulang penghitung antrean dan rekap dasbor (setelah impor atau pemulihan)",
    )
    rebuild.set_defaults(handler=cmd_rebuild_counts)

    make_backup = commands.add_parser(
        "backup",
        help="cadangkan basis data (SQLite: backup API + integrity_check; PostgreSQL: pg_dump)",
    )
    make_backup.add_argument("--to", help="berkas tujuan (bawaan: <data dir>/backups/...)")
    make_backup.set_defaults(handler=cmd_backup)

    restore = commands.add_parser(
        "restore", help="pulihkan basis data dari berkas cadangan (hentikan server dulu)"
    )
    restore.add_argument("file")
    restore.set_defaults(handler=cmd_restore)

    migrate = commands.add_parser("migrate", help="terapkan migrasi basis data")
    migrate.set_defaults(handler=cmd_migrate)

    seed = commands.add_parser("seed", help="isi data wilayah dan jenis surat")
    seed.add_argument("--demo", action="store_true", help="juga akun dan penduduk demo")
    seed.set_defaults(handler=cmd_seed)

    create = commands.add_parser("create-user", help="buat akun petugas (kata sandi dari stdin)")
    create.add_argument("--username", required=True)
    create.add_argument("--role", required=True, choices=["operator", "lurah", "camat", "admin"])
    scope = create.add_mutually_exclusive_group()
    scope.add_argument("--kelurahan", help="kode Kemendagri atau nama kelurahan")
    scope.add_argument("--kecamatan", help="kode Kemendagri atau nama kecamatan")
    create.add_argument("--full-name", help="nama lengkap (bawaan: nama pengguna)")
    create.add_argument("--nip", help="NIP, untuk lurah dan camat")
    create.set_defaults(handler=cmd_create_user)

    fake = commands.add_parser(
        "fake-registry", help="registry kependudukan palsu (gaya Dukcapil) untuk pengembangan/uji"
    )
    fake.add_argument("--host", default="127.0.0.1")
    fake.add_argument("--port", type=int, default=8100)
    fake.add_argument("--latency-ms", type=int, default=0, help="jeda setiap jawaban (ms)")
    fake.add_argument(
        "--fail-rate", type=float, default=0.0, help="peluang jawaban 503, antara 0 dan 1"
    )
    fake.set_defaults(handler=cmd_fake_registry)

    ca_cmd = commands.add_parser("ca", help="CA kota untuk tanda tangan elektronik (TTE)")
    ca_sub = ca_cmd.add_subparsers(dest="ca_command", required=True)
    ca_init = ca_sub.add_parser("init", help="buat CA kota (sekali); --rotate: generasi baru")
    ca_init.add_argument("--rotate", action="store_true")
    ca_init.set_defaults(handler=cmd_ca_init)

    fake_bsre = commands.add_parser(
        "fake-bsre", help="layanan TTE BSrE palsu (API v2) untuk pengembangan dan uji"
    )
    fake_bsre.add_argument("--host", default="127.0.0.1")
    fake_bsre.add_argument("--port", type=int, default=8200)
    fake_bsre.add_argument("--folder", help="folder CA uji (bawaan: folder sementara baru)")
    fake_bsre.add_argument("--latency-ms", type=int, default=0)
    fake_bsre.add_argument("--fail-rate", type=float, default=0.0)
    fake_bsre.set_defaults(handler=cmd_fake_bsre)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        if args.command == "serve" and args.workers > 1 and settings.engine == "sqlite":
            raise SettingsError(
                "Beberapa worker memerlukan PostgreSQL (SODAMOLEK_DATABASE_URL=postgresql://…)."
            )
        # Fails here, with the reason, before serve starts any worker process.
        args.handler(prepare(settings, args.process_role), args)
    except SettingsError as error:
        print(f"Kesalahan konfigurasi: {error}", file=sys.stderr)
        return 2
    except ValueError as error:  # AccountError and friends carry a message for the person
        print(f"Gagal: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
