from piccolo.columns import Date, ForeignKey, Serial, Text, Varchar
from piccolo.table import Table

from sodamolek.regions.tables import Kelurahan


class Resident(Table, tablename="resident"):
    """The local copy of the population registry (embedded default, demo residents)."""

    id: Serial

    nik = Varchar(length=16, unique=True)
    kk = Varchar(length=16, index=True)
    name = Varchar(length=150, index=True)
    birth_place = Varchar(length=100, default="")
    birth_date = Date()
    sex = Varchar(length=1)  # L or P
    religion = Varchar(length=32, default="")
    occupation = Varchar(length=100, default="")
    marital_status = Varchar(length=32, default="")
    citizenship = Varchar(length=8, default="WNI")
    address = Text(default="")
    rt = Varchar(length=3, default="")
    rw = Varchar(length=3, default="")
    kelurahan = ForeignKey(Kelurahan, null=True, index=True)
