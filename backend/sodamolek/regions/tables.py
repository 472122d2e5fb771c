from piccolo.columns import ForeignKey, Serial, Text, Varchar
from piccolo.table import Table

DEFAULT_NUMBER_FORMAT = "{kode}/{nomor:03}/{kode_kelurahan}/{bulan_romawi}/{tahun}"
DEFAULT_HOURS = "Senin–Kamis 08.00–15.30, Jumat 08.00–16.00 WITA"


class Kecamatan(Table, tablename="kecamatan"):
    id: Serial
    code = Varchar(length=16, unique=True)  # Kemendagri code, e.g. 53.71.04
    name = Varchar(length=100)
    address = Text(default="")
    camat_name = Varchar(length=120, default="")
    camat_nip = Varchar(length=32, default="")


class Kelurahan(Table, tablename="kelurahan"):
    """A kelurahan and its office (kantor lurah)."""

    id: Serial

    code = Varchar(length=16, unique=True)  # Kemendagri code, e.g. 53.71.04.1001
    name = Varchar(length=100)
    kecamatan = ForeignKey(Kecamatan, null=False, index=True)
    address = Text(default="")
    phone = Varchar(length=32, default="")
    hours = Varchar(length=200, default=DEFAULT_HOURS)
    lurah_name = Varchar(length=120, default="")
    lurah_nip = Varchar(length=32, default="")
    lurah_title = Varchar(length=120, default="Lurah")
    letter_number_format = Varchar(length=200, default=DEFAULT_NUMBER_FORMAT)
    paper_size = Varchar(length=4, default="A4")  # A4 or F4
