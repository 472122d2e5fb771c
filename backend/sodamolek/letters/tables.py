from piccolo.columns import JSON, Boolean, Bytea, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


class LetterType(Table, tablename="letter_type"):
    """A kind of letter (jenis surat): data, not code, so the admin can change it."""

    id: Serial

    code = Varchar(length=32, unique=True)  # short slug, e.g. "domisili"
    name = Varchar(length=150)
    classification_code = Varchar(length=16)  # kode klasifikasi arsip, e.g. 470
    description = Text(default="")
    requirements = JSON(default="[]")  # list of strings: what the resident brings
    fields = JSON(default="[]")  # list of {name, label, type, required}
    service_days = Integer(default=1)  # service time, in working days
    cost = Integer(default=0)  # rupiah; letters are normally free
    validity_days = Integer(null=True, default=None)  # None: no expiry
    needs_camat = Boolean(default=False)  # the camat countersigns before it is ready
    blocks = JSON(default="[]")  # the letter's body: [{kind, text|heading|rows|items}, ...]
    is_active = Boolean(default=True)


class CityEmblem(Table, tablename="city_emblem"):
    """The city's emblem for the kop of every letter, uploaded by the admin (one row: the
    newest is used); without one, letters carry the project's neutral emblem."""

    id: Serial

    data = Bytea()
    media_type = Varchar(length=32)  # image/png or image/svg+xml
    uploaded_at = Timestamptz()
    uploaded_by = Varchar(length=150, default="")
