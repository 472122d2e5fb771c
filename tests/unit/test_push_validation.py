"""Push endpoints are user input: which hosts are accepted, which keys; the payload, Topic,
Urgency and the retry arithmetic. No database."""

import base64
import datetime as dt
import email.utils
import os

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from sodamolek.push.service import (
    InvalidSubscription,
    allowed_host_entry_problem,
    host_allowed,
    notification_payload,
    topic_for,
    urgency_for,
    validate_subscription,
)
from sodamolek.push.worker import RetryPolicy, parse_retry_after
from sodamolek.settings import DEFAULT_PUSH_HOSTS


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def point() -> bytes:
    return (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )


def subscription(endpoint: str, p256dh: str | None = None, auth: str | None = None) -> dict:
    return {
        "endpoint": endpoint,
        "expirationTime": None,
        "keys": {
            "p256dh": p256dh if p256dh is not None else b64url(point()),
            "auth": auth if auth is not None else b64url(os.urandom(16)),
        },
    }


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com/fcm/send/dRq3c6x1Tm8:APA91bH-abc_def",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABkQ",
        "https://web.push.apple.com/QGuQyavXutnMX_ZmDtPsLHkPa7hkB3DQAfPq",
        "https://wns2-par02p.notify.windows.com/w/?token=BQYAAAB%2fx",
        "https://FCM.googleapis.com./fcm/send/x",  # case and a trailing dot change nothing
    ],
)
def test_the_public_push_services_are_accepted_by_default(endpoint):
    clean = validate_subscription(subscription(endpoint), DEFAULT_PUSH_HOSTS)
    assert clean.endpoint == endpoint
    assert len(base64.urlsafe_b64decode(clean.p256dh + "==")) == 65
    assert "=" not in clean.p256dh + clean.auth


def test_keys_in_standard_base64_with_padding_are_normalised():
    raw = point()
    sub = subscription(
        "https://fcm.googleapis.com/fcm/send/x",
        p256dh=base64.b64encode(raw).decode(),
        auth=base64.b64encode(b"\xfb" * 16).decode(),
    )
    clean = validate_subscription(sub, DEFAULT_PUSH_HOSTS)
    assert clean.p256dh == b64url(raw) and clean.auth == b64url(b"\xfb" * 16)


@pytest.mark.parametrize(
    ("endpoint", "words"),
    [
        ("http://fcm.googleapis.com/fcm/send/x", "https"),
        ("ftp://fcm.googleapis.com/x", "https"),
        ("https://push.example.com/x", "tidak dikenal"),
        ("https://fcm.googleapis.com.evil.example/x", "tidak dikenal"),
        ("https://evil-fcm.googleapis.com/x", "tidak dikenal"),  # exact entry: no subdomains
        ("https://push.apple.com/x", "tidak dikenal"),  # "*.push.apple.com": subdomains only
        ("https://xnotify.windows.com/x", "tidak dikenal"),
        ("https://127.0.0.1/x", "alamat IP"),
        ("https://127.0.0.1:8443/push/x", "alamat IP"),
        ("https://10.0.0.5/x", "alamat IP"),
        ("https://169.254.169.254/latest/meta-data", "alamat IP"),
        ("https://[::1]/x", "alamat IP"),
        ("https://2130706433/x", "alamat IP"),  # 127.0.0.1 as one number
        ("https://0x7f.1/x", "alamat IP"),
        ("https://localhost/x", "jaringan lokal"),
        ("https://printer.local/x", "jaringan lokal"),
        ("https://intranet/x", "jaringan lokal"),
        ("https://user:pw@fcm.googleapis.com/x", "tidak sah"),
        ("https://fcm.googleapis.com:99999/x", "tidak sah"),
        ("https://fcm.googleapis.com/" + "a" * 3000, "tidak sah"),
        ("https://fcm.googleapis.com/a b", "tidak sah"),
    ],
)
def test_unsafe_or_unknown_endpoints_are_refused_in_indonesian(endpoint, words):
    with pytest.raises(InvalidSubscription, match=words):
        validate_subscription(subscription(endpoint), DEFAULT_PUSH_HOSTS)


def test_an_ip_literal_passes_only_when_listed_exactly():
    sub = subscription("https://127.0.0.1:8443/push/x")
    assert validate_subscription(sub, ("127.0.0.1",)).host == "127.0.0.1"
    for hosts in [("*.0.0.1",), ("*.1",), ("localhost",), DEFAULT_PUSH_HOSTS]:
        with pytest.raises(InvalidSubscription):
            validate_subscription(sub, hosts)


def test_wildcards_never_match_local_names():
    assert host_allowed("a.push.apple.com", ("*.push.apple.com",))
    assert not host_allowed("push.apple.com", ("*.push.apple.com",))
    assert not host_allowed("x.localhost", ("*.localhost",))


@pytest.mark.parametrize(
    ("keys", "name"),
    [
        ({"p256dh": b64url(point()[:64]), "auth": b64url(os.urandom(16))}, "p256dh"),
        ({"p256dh": b64url(b"\x04" + b"\x01" * 64), "auth": b64url(os.urandom(16))}, "p256dh"),
        ({"p256dh": b64url(b"\x02" + point()[1:33]), "auth": b64url(os.urandom(16))}, "p256dh"),
        ({"p256dh": "bukan base64 !!", "auth": b64url(os.urandom(16))}, "p256dh"),
        ({"p256dh": b64url(point()), "auth": b64url(os.urandom(15))}, "auth"),
        ({"p256dh": b64url(point()), "auth": 12345}, "auth"),
        ({"p256dh": b64url(point())}, "auth"),
    ],
)
def test_bad_keys_are_refused(keys, name):
    sub = {"endpoint": "https://fcm.googleapis.com/fcm/send/x", "keys": keys}
    with pytest.raises(InvalidSubscription, match=rf"\({name}\)"):
        validate_subscription(sub, DEFAULT_PUSH_HOSTS)


@pytest.mark.parametrize(
    "body",
    [None, [], "https://fcm.googleapis.com/x", {"endpoint": "https://fcm.googleapis.com/x"}, {}],
)
def test_incomplete_bodies_are_refused(body):
    with pytest.raises(InvalidSubscription):
        validate_subscription(body, DEFAULT_PUSH_HOSTS)


def test_production_host_entries_must_be_public_names():
    assert allowed_host_entry_problem("fcm.googleapis.com") is None
    assert allowed_host_entry_problem("*.push.apple.com") is None
    for entry in ["127.0.0.1", "localhost", "*.local", "::1", "10.1.2.3", ""]:
        assert allowed_host_entry_problem(entry), entry


def test_payload_carries_no_personal_data():
    payload = notification_payload(42, "KPG-7F3K-9QX2", "ready")
    assert set(payload) == {"request_id", "code", "status", "url"}
    assert payload["url"] == "/lacak/KPG-7F3K-9QX2"


def test_topic_is_a_short_url_safe_token_and_urgency_follows_the_status():
    topic = topic_for(2_147_483_647)
    assert len(topic) <= 32 and topic.isalnum()
    assert topic_for(1) != topic_for(2)
    assert urgency_for("ready") == "high"
    assert urgency_for("incomplete") == urgency_for("rejected") == "normal"


def test_backoff_doubles_within_jitter_and_is_capped():
    low, high = RetryPolicy(jitter=lambda: 0.0), RetryPolicy(jitter=lambda: 1.0)
    assert [high.backoff(n) for n in (1, 2, 3)] == [30, 60, 120]
    assert [low.backoff(n) for n in (1, 2, 3)] == [15, 30, 60]
    assert high.backoff(20) == 3600 and low.backoff(20) == 1800


def test_retry_after_in_seconds_or_as_an_http_date():
    now = dt.datetime(2026, 11, 29, 6, 0, tzinfo=dt.UTC)
    assert parse_retry_after("120", now) == 120
    later = email.utils.format_datetime(now + dt.timedelta(minutes=10), usegmt=True)
    assert parse_retry_after(later, now) == 600
    assert parse_retry_after("Mon, 01 Jan 2001 00:00:00 GMT", now) == 0
    assert parse_retry_after("besok", now) is None
    assert parse_retry_after(None, now) is None
