"""Letter types' one-paragraph templates become blocks (letters.blocks), the data step (the
next migration drops the template column).

A seeded type still exactly as seeded (its template is the old default) and not yet used by any
request takes the new default of the catalogue whole: blocks, fields and name. Any other type is
converted faithfully: its template as the first paragraph, then the applicant's identity table
that every letter used to print after it, then the signature. Its fields are kept, so its
requests still match it.
"""

import json
from importlib import resources

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.querystring import QueryString

ID = "2026-12-01T13:27:21:000000"
VERSION = "1.38.0"
DESCRIPTION = "letter type templates become blocks (data)"

# The seeded templates before blocks, to recognise a type nobody has edited.
OLD_DEFAULTS = {
    "domisili": "Yang bertanda tangan di bawah ini, {{ penandatangan.jabatan }} {{ kelurahan.nama }}, Kecamatan {{ kecamatan.nama }}, Kota Kupang, menerangkan bahwa {{ pemohon.nama }}, NIK {{ pemohon.nik }}, lahir di {{ pemohon.tempat_lahir }} pada {{ pemohon.tanggal_lahir }}, benar berdomisili di {{ data.alamat_domisili }}. Surat keterangan ini diberikan untuk keperluan {{ data.keperluan }}.",
    "sktm": "Yang bertanda tangan di bawah ini, {{ penandatangan.jabatan }} {{ kelurahan.nama }}, menerangkan bahwa {{ pemohon.nama }}, NIK {{ pemohon.nik }}, beralamat di {{ pemohon.alamat }}, adalah benar warga kami yang tergolong keluarga tidak mampu dengan penghasilan keluarga Rp {{ data.penghasilan_bulanan }} per bulan dan {{ data.jumlah_tanggungan }} orang tanggungan. Surat keterangan ini diberikan untuk keperluan {{ data.keperluan }}.",
    "usaha": 'Yang bertanda tangan di bawah ini, {{ penandatangan.jabatan }} {{ kelurahan.nama }}, menerangkan bahwa {{ pemohon.nama }}, NIK {{ pemohon.nik }}, benar menjalankan usaha {{ data.jenis_usaha }} dengan nama "{{ data.nama_usaha }}" yang beralamat di {{ data.alamat_usaha }}.',
    "pengantar-skck": "Yang bertanda tangan di bawah ini, {{ penandatangan.jabatan }} {{ kelurahan.nama }}, menerangkan bahwa {{ pemohon.nama }}, NIK {{ pemohon.nik }}, beralamat di {{ pemohon.alamat }}, adalah benar warga kami dan sepanjang pengetahuan kami berkelakuan baik. Surat pengantar ini diberikan untuk mengurus SKCK guna keperluan {{ data.keperluan }}.",
    "pengantar-nikah": "Yang bertanda tangan di bawah ini, {{ penandatangan.jabatan }} {{ kelurahan.nama }}, menerangkan bahwa {{ pemohon.nama }}, NIK {{ pemohon.nik }}, akan melangsungkan pernikahan dengan {{ data.nama_pasangan }} pada {{ data.tanggal_nikah }} di {{ data.tempat_nikah }}.",
    "kelahiran": "Yang bertanda tangan di bawah ini, {{ penandatangan.jabatan }} {{ kelurahan.nama }}, menerangkan bahwa pada {{ data.tanggal_lahir_bayi }} di {{ data.tempat_lahir_bayi }} telah lahir seorang anak {{ data.jenis_kelamin_bayi }} bernama {{ data.nama_bayi }}, anak dari {{ data.nama_ayah }} dan {{ data.nama_ibu }}. Keterangan ini dimohonkan oleh {{ pemohon.nama }}.",
    "kematian": "Yang bertanda tangan di bawah ini, {{ penandatangan.jabatan }} {{ kelurahan.nama }}, menerangkan bahwa {{ data.nama_almarhum }} telah meninggal dunia pada {{ data.tanggal_meninggal }} di {{ data.tempat_meninggal }}. Keterangan ini dilaporkan oleh {{ pemohon.nama }} selaku {{ data.hubungan_pelapor }}.",
    "pindah": "Yang bertanda tangan di bawah ini, {{ penandatangan.jabatan }} {{ kelurahan.nama }}, menerangkan bahwa {{ pemohon.nama }}, NIK {{ pemohon.nik }}, beralamat di {{ pemohon.alamat }}, bermaksud pindah ke {{ data.alamat_tujuan }} dengan alasan {{ data.alasan_pindah }}, bersama {{ data.jumlah_pengikut }} anggota keluarga.",
    "beda-identitas": "Yang bertanda tangan di bawah ini, {{ penandatangan.jabatan }} {{ kelurahan.nama }}, menerangkan bahwa identitas pada {{ data.dokumen_pertama }} dan pada {{ data.dokumen_kedua }} adalah orang yang sama, yaitu {{ pemohon.nama }}, NIK {{ pemohon.nik }}. Surat keterangan ini diberikan untuk keperluan {{ data.keperluan }}.",
}

# What every letter printed after its first paragraph before blocks (issuing.identity_rows).
IDENTITY = [
    {"label": "Nama", "value": "{{ pemohon.nama }}"},
    {"label": "NIK", "value": "{{ pemohon.nik or '' }}"},
    {
        "label": "Tempat/Tgl. Lahir",
        "value": "{% if pemohon.tanggal_lahir %}{{ pemohon.tempat_lahir or '-' }}, "
        "{{ pemohon.tanggal_lahir }}{% endif %}",
    },
    {"label": "Jenis Kelamin", "value": "{{ pemohon.jenis_kelamin or '' }}"},
    {"label": "Alamat", "value": "{{ pemohon.alamat or '' }}"},
]


def converted(template: str) -> list[dict]:
    paragraphs = [p.strip() for p in template.split("\n\n") if p.strip()]
    blocks = [{"kind": "paragraph", "text": p} for p in paragraphs[:1]]
    blocks.append({"kind": "table", "heading": "", "rows": IDENTITY})
    blocks += [{"kind": "paragraph", "text": p} for p in paragraphs[1:]]
    blocks.append({"kind": "signature"})
    return blocks


async def _has_template_column(engine) -> bool:
    """A database made from the table classes (never had one-paragraph templates) has no
    template column and nothing to convert."""
    if isinstance(engine, PostgresEngine):
        query = (
            "SELECT column_name AS name FROM information_schema.columns "
            "WHERE table_name = 'letter_type' AND table_schema = current_schema()"
        )
    else:
        query = "SELECT name FROM pragma_table_info('letter_type')"
    return any(row["name"] == "template" for row in await engine.run_querystring(QueryString(query)))


async def _convert():
    engine = engine_finder()
    if not await _has_template_column(engine):
        return
    catalogue = json.loads(
        resources.files("sodamolek.seed_data").joinpath("letter_types.json").read_text("utf-8")
    )
    defaults = {item["code"]: item for item in catalogue}
    rows = await engine.run_querystring(QueryString("SELECT id, code, template FROM letter_type"))
    for row in rows:
        used = await engine.run_querystring(
            QueryString(
                "SELECT COUNT(*) AS n FROM letter_request WHERE letter_type = {}", row["id"]
            ),
        )
        new = defaults.get(row["code"])
        if new and OLD_DEFAULTS.get(row["code"]) == row["template"] and not used[0]["n"]:
            await engine.run_querystring(
                QueryString(
                    "UPDATE letter_type SET blocks = {}, fields = {}, name = {}, "
                    "description = {} WHERE id = {}",
                    json.dumps(new["blocks"]),
                    json.dumps(new["fields"]),
                    new["name"],
                    new["description"],
                    row["id"],
                ),
            )
        else:
            await engine.run_querystring(
                QueryString(
                    "UPDATE letter_type SET blocks = {} WHERE id = {}",
                    json.dumps(converted(row["template"] or "")),
                    row["id"],
                ),
            )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sodamolek", description=DESCRIPTION)
    manager.add_raw(_convert)
    return manager
