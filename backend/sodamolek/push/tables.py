"""Web Push tables: a resident's subscriptions, and the outbox of messages to send them."""

from piccolo.columns import ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table


class PushSubscription(Table, tablename="push_subscription"):
    """One browser's push subscription, tied to one request (permohonan).

    `request_id` is a plain integer, not a foreign key: this domain does not depend on the
    request tables. A phone that tracks two requests has one row per request (same endpoint):
    `key` ("<request_id>:<endpoint_hash>") is what makes subscribing idempotent."""

    id: Serial

    request_id = Integer(index=True)  # 0 for a staff device (account_id set)
    endpoint = Text()
    endpoint_hash = Varchar(length=64, index=True)  # sha256 hex: lookups on 404/410, unsubscribe
    key = Varchar(length=80, unique=True)
    p256dh = Varchar(length=100)  # base64url, 65-byte uncompressed P-256 point
    auth = Varchar(length=40)  # base64url, 16 bytes
    created_at = Timestamptz()
    last_success_at = Timestamptz(null=True, default=None)
    # A staff member's device that opted in to staff alerts (the lurah's "N surat menunggu tanda
    # tangan"): the account, a plain integer like request_id; None for a resident's phone.
    account_id = Integer(null=True, default=None, index=True)


class PushMessage(Table, tablename="push_message"):
    """The outbox: one notification for one subscription, with its delivery state.

    State: created -> sending -> delivered | temporary-failure (-> sending again) |
    permanent-failure. `next_attempt_at` is when a worker should next look at the row: the due
    time of a send, or for a row in `sending` the end of its lease (a crashed worker's rows are
    reclaimed then); NULL once the state is final. The worker's query reads only this column's
    index."""

    id: Serial

    subscription = ForeignKey(PushSubscription, null=True, on_delete=OnDelete.set_null, index=True)
    request_id = Integer(index=True)
    status = Varchar(length=20)  # the request's status that caused it: incomplete|rejected|ready
    payload = Text()  # JSON text, exactly what is encrypted and sent
    urgency = Varchar(length=8, default="normal")
    topic = Varchar(length=32, index=True)  # also: was a staff alert of this topic sent lately?
    state = Varchar(length=20, default="created")
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(null=True, default=None, index=True)
    last_status_code = Integer(null=True, default=None)
    last_error = Text(default="")
    locked_until = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()
