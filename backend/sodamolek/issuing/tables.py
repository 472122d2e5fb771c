from piccolo.columns import (
    JSON,
    Bytea,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from sodamolek.accounts.tables import Account
from sodamolek.letter_requests.tables import LetterRequest
from sodamolek.regions.tables import Kelurahan


class Letter(Table, tablename="letter"):
    """A signed letter: its number, who signed, its signed content, its PDF, its fate.

    A request may have several letters over its life (a voided one after a send-back, a revoked
    one and its replacement) but at most one live one (pending or valid): a partial unique
    index in the migration says so on both engines."""

    id: Serial

    request = ForeignKey(LetterRequest, null=False)  # indexed: letter_by_request
    state = Varchar(length=12, default="valid")  # lifecycle.LetterState
    kelurahan = ForeignKey(Kelurahan, null=False, index=True)
    number = Varchar(length=120, unique=True)  # rendered once, never rebuilt
    sequence = Integer()  # the counter value inside the number
    year = Integer()
    classification_code = Varchar(length=16)
    signed_at = Timestamptz()
    signer = ForeignKey(Account, null=True)
    signer_name = Varchar(length=150)  # copied: a later change of lurah does not rewrite history
    signer_title = Varchar(length=150)
    signer_nip = Varchar(length=32, default="")
    countersign_needed = Varchar(length=8, default="")  # "camat" while waiting, else ""
    countersigner_name = Varchar(length=150, default="")
    countersigner_title = Varchar(length=150, default="")
    countersigner_nip = Varchar(length=32, default="")
    countersigned_at = Timestamptz(null=True, default=None)
    content = JSON(default="{}")  # the canonical fields that were signed
    signature = Varchar(length=128, default="")  # Ed25519 over canonical_content(content)
    key_id = Varchar(length=64, default="")
    verification_token = Varchar(length=64, unique=True)
    paper_size = Varchar(length=4, default="A4")
    pdf = Bytea(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    revoked_reason = Text(default="")
    revoked_by_name = Varchar(length=150, default="")
    voided_at = Timestamptz(null=True, default=None)  # sent back before it was issued
    voided_reason = Text(default="")
    replaces = Integer(null=True, default=None)  # the id of the revoked letter this one replaces


class LetterNumberCounter(Table, tablename="letter_number_counter"):
    """The last number given per kelurahan, year and classification code (unique together,
    raw index in a migration). Incremented in the signing transaction: no gaps, no twins."""

    id: Serial

    kelurahan = ForeignKey(Kelurahan, null=False, index=True)
    year = Integer()
    classification_code = Varchar(length=16)
    last_number = Integer(default=0)
