from piccolo.columns import (
    Boolean,
    Bytea,
    DoublePrecision,
    ForeignKey,
    Integer,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from sodamolek.regions.tables import Kecamatan, Kelurahan


class Account(Table, tablename="account"):
    """A staff member. Operators and lurah belong to one kelurahan, a camat to one kecamatan,
    an admin to the whole city."""

    id: Serial

    username = Varchar(length=64, unique=True)
    full_name = Varchar(length=120)
    role = Varchar(length=16)
    kelurahan = ForeignKey(Kelurahan, null=True, index=True)
    kecamatan = ForeignKey(Kecamatan, null=True, index=True)
    nip = Varchar(length=32, default="")
    password_hash = Varchar(length=200)
    is_active = Boolean(default=True)
    created_at = Timestamptz()


class LoginAttempt(Table, tablename="login_attempt"):
    """One login try; the throttle counts recent failures per account and per address."""

    id: Serial

    username = Varchar(length=64, index=True)
    address = Varchar(length=64, index=True)
    succeeded = Boolean(default=False)
    attempted_at = Timestamptz(index=True)


class LoginThrottle(Table, tablename="login_throttle"):
    """Login tries counted per key ('akun:<user>|<address>' and 'alamat:<address>'). Each try
    claims a number in one upsert, so parallel tries from any number of workers each see their
    own count; past the free tries, `next_at` (unix seconds) holds the next one back."""

    id: Serial
    key = Varchar(length=200, unique=True)
    claims = Integer(default=0)
    window_start = DoublePrecision(default=0.0)
    next_at = DoublePrecision(default=0.0)
    token = Varchar(length=32, default="")  # the last granted claim's: tells it was granted


class WebSession(Table, tablename="web_session"):
    """Server-side session data, shared by every worker. The key is a hash of the cookie value,
    so a copy of this table does not hand out live sessions."""

    id: Serial

    key_hash = Varchar(length=64, unique=True)
    data = Bytea()
    expires_at = Timestamptz(null=True, index=True)
    # Whose session it is (read from the data when saved), so that disabling an account or
    # resetting its password can end its sessions. Not a foreign key: a session outlives
    # nothing it refers to, and the loader refuses unknown accounts anyway.
    account_id = Integer(null=True, default=None, index=True)


class ApiToken(Table, tablename="api_token"):
    """A key for another city system to use the JSON API on behalf of one kelurahan office.
    Only a hash is stored; the token is shown once, when it is made."""

    id: Serial

    name = Varchar(length=100)
    kelurahan = ForeignKey(Kelurahan, null=False, index=True)
    token_hash = Varchar(length=64, unique=True)
    prefix = Varchar(length=12)  # the first characters, to recognise a token in the list
    created_by = ForeignKey(Account, null=True)
    created_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
    last_used_at = Timestamptz(null=True, default=None)
