from piccolo.columns import JSON, Boolean, Integer, Serial, Text, Varchar
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
    template = Text(default="")
    is_active = Boolean(default=True)
