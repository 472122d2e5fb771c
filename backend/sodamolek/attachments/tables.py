"""Requirement photos and scans attached to a request: the file lives in the data folder under
its content hash; this row says which request it belongs to and what it is."""

from piccolo.columns import Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table


class Attachment(Table, tablename="attachment"):
    """`request` and `uploaded_by` are plain integers, not foreign keys: this domain sits below
    the requests and accounts and does not import them (the push domain does the same)."""

    id: Serial
    request = Integer(index=True)
    # "<request id>:<sha256>": the same file sent twice to one request is one row.
    key = Varchar(length=80, unique=True)
    sha256 = Varchar(length=64)  # of the stored (re-encoded) bytes: the file's name on disk
    media_type = Varchar(length=40)  # image/jpeg or application/pdf, from the content
    size = Integer()
    width = Integer(default=0)
    height = Integer(default=0)
    requirement = Varchar(length=200, default="")  # which requirement it shows, if named
    channel = Varchar(length=12)  # counter | resident
    uploaded_by = Integer(null=True, default=None)  # the staff account, None for a resident
    created_at = Timestamptz()
