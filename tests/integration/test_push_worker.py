"""The push outbox and worker against a fake push service over real HTTPS on 127.0.0.1, which
decrypts every message with the subscription's keys (http_ece) and checks its headers."""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import json
import socket
from dataclasses import replace

import pytest

from sodamolek import db
from sodamolek.push import service
from sodamolek.push.tables import PushMessage, PushSubscription
from sodamolek.push.worker import RetryPolicy, claim_due, deliver_due, open_sender
from tests.fakepush import FakePushService

CODE = "KPG-7F3K-9QX2"
LOCAL = ("127.0.0.1",)  # the fake service's host: allowed here through settings only


@pytest.fixture
def settings(settings):
    return replace(settings, push_allowed_hosts=LOCAL)


@pytest.fixture
async def fake(app):
    push = FakePushService(vapid_public_key=app.state.settings.vapid_public_key)
    await push.start()
    yield push
    await push.stop()


@pytest.fixture
async def sender(app, fake):
    context = fake.certificate.client_context()
    async with open_sender(app.state.settings, ssl_context=context) as push_sender:
        yield push_sender


async def subscribe(fake: FakePushService, request_id: int, subscription=None) -> dict:
    subscription = subscription or fake.new_subscription()
    await service.subscribe(request_id, service.validate_subscription(subscription, LOCAL))
    return subscription


async def messages(request_id: int) -> list[dict]:
    return await service.messages_for_request(request_id)


async def make_due() -> None:
    """Skip the wait: every pending message is due now."""
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    await PushMessage.update({PushMessage.next_attempt_at: past}).where(
        PushMessage.next_attempt_at.is_not_null()
    )


async def test_ready_is_encrypted_for_each_phone_with_high_urgency_ttl_and_topic(fake, sender):
    phone_a = await subscribe(fake, 7)
    phone_b = await subscribe(fake, 7)
    other = await subscribe(fake, 8)
    assert await service.enqueue_status_notification(7, CODE, "ready") == 2
    assert await deliver_due(sender) == 2

    assert fake.errors == []
    expected = {"request_id": 7, "code": CODE, "status": "ready", "url": f"/lacak/{CODE}"}
    for phone in (phone_a, phone_b):
        (delivery,) = fake.deliveries_to(phone)
        assert delivery.payload == expected  # decrypted with that phone's own keys
        assert set(delivery.payload) == {"request_id", "code", "status", "url"}  # no name/NIK
        assert delivery.headers["urgency"] == "high"
        assert delivery.headers["topic"] == "req7"
        assert int(delivery.headers["ttl"]) >= 3 * 24 * 3600
    assert fake.deliveries_to(other) == []

    rows = await messages(7)
    assert [(r["state"], r["attempts"], r["last_status_code"]) for r in rows] == [
        ("delivered", 1, 201),
        ("delivered", 1, 201),
    ]
    assert all(r["next_attempt_at"] is None and r["locked_until"] is None for r in rows)
    subs = await PushSubscription.select().where(PushSubscription.request_id == 7)
    assert all(s["last_success_at"] is not None for s in subs)
    assert await deliver_due(sender) == 0  # nothing sent twice


async def test_incomplete_and_rejected_are_normal_urgency_other_statuses_are_not_sent(fake, sender):
    phone = await subscribe(fake, 9)
    for status in ("in_review", "awaiting_signature", "collected", "cancelled"):
        assert await service.enqueue_status_notification(9, CODE, status) == 0
    await service.enqueue_status_notification(9, CODE, "incomplete")
    await service.enqueue_status_notification(9, CODE, "rejected")
    assert await deliver_due(sender) == 2
    assert sorted(
        (d.payload["status"], d.headers["urgency"]) for d in fake.deliveries_to(phone)
    ) == [
        ("incomplete", "normal"),
        ("rejected", "normal"),
    ]
    assert fake.errors == []


async def test_a_request_without_subscriptions_writes_nothing(app):
    assert await service.enqueue_status_notification(404, CODE, "ready") == 0
    assert await PushMessage.count() == 0


async def test_enqueue_commits_and_rolls_back_with_the_callers_transaction(fake, sender):
    await subscribe(fake, 11)
    engine = PushMessage._meta.db

    class StatusChangeFailed(Exception):
        pass

    with pytest.raises(StatusChangeFailed):
        async with db.write_transaction(engine):
            assert await service.enqueue_status_notification(11, CODE, "ready") == 1
            raise StatusChangeFailed  # e.g. the audit row could not be written
    assert await messages(11) == []

    async with db.write_transaction(engine):
        await service.enqueue_status_notification(11, CODE, "ready")
    assert len(await messages(11)) == 1


@pytest.mark.parametrize("status", [410, 404])
async def test_gone_endpoint_removes_the_subscription_everywhere(fake, sender, status):
    phone = await subscribe(fake, 20)
    await subscribe(fake, 21, phone)  # the same phone follows another request too
    keeper = await subscribe(fake, 20)
    fake.script(phone, status)
    await service.enqueue_status_notification(20, CODE, "ready")
    await deliver_due(sender, batch_size=1)  # only the first message: phone's
    await service.enqueue_status_notification(21, "KPG-AAAA-BBBB", "ready")

    assert [s["request_id"] for s in await PushSubscription.select()] == [20]
    first, second = await messages(20)
    assert (first["state"], first["last_status_code"]) == ("permanent-failure", status)
    assert "removed" in first["last_error"]
    assert await messages(21) == []  # nobody left to tell
    await deliver_due(sender)
    assert (await messages(20))[1]["state"] == "delivered"
    assert len(fake.deliveries_to(keeper)) == 1


async def test_gone_endpoint_ends_its_other_waiting_messages(fake, sender):
    phone = await subscribe(fake, 22)
    await subscribe(fake, 23, phone)
    await service.enqueue_status_notification(22, CODE, "incomplete")
    await service.enqueue_status_notification(23, CODE, "incomplete")
    fake.script(phone, 410)
    await deliver_due(sender, batch_size=1)
    (waiting,) = await messages(23)
    assert waiting["state"] == "permanent-failure" and waiting["next_attempt_at"] is None
    assert await deliver_due(sender) == 0
    assert fake.attempts[fake.token_of(phone)] == 1


async def test_413_is_not_retried(fake, sender):
    phone = await subscribe(fake, 30)
    fake.script(phone, 413)
    await service.enqueue_status_notification(30, CODE, "ready")
    await deliver_due(sender)
    await make_due()
    assert await deliver_due(sender) == 0
    (row,) = await messages(30)
    assert (row["state"], row["attempts"], row["last_status_code"]) == ("permanent-failure", 1, 413)
    assert fake.attempts[fake.token_of(phone)] == 1
    assert await PushSubscription.count() == 1  # the phone itself is fine


@pytest.mark.parametrize("form", ["seconds", "http-date"])
async def test_429_waits_as_long_as_retry_after_says(fake, sender, form):
    phone = await subscribe(fake, 40)
    wait = 900  # longer than the first back-off (at most 30 s)
    header = (
        str(wait)
        if form == "seconds"
        else email.utils.format_datetime(
            dt.datetime.now(dt.UTC) + dt.timedelta(seconds=wait), usegmt=True
        )
    )
    fake.script(phone, (429, {"Retry-After": header}))
    await service.enqueue_status_notification(40, CODE, "ready")
    before = dt.datetime.now(dt.UTC)
    await deliver_due(sender)
    (row,) = await messages(40)
    assert (row["state"], row["attempts"], row["last_status_code"]) == (
        "temporary-failure",
        1,
        429,
    )
    delay = (row["next_attempt_at"] - before).total_seconds()
    assert wait - 2 <= delay <= wait + 60  # not sooner; the slack is for a busy machine
    assert await deliver_due(sender) == 0  # not before its time
    await make_due()
    assert await deliver_due(sender) == 1
    (row,) = await messages(40)
    assert (row["state"], row["attempts"]) == ("delivered", 2)
    assert fake.errors == []


async def test_5xx_backs_off_exponentially_then_delivers(fake, sender):
    phone = await subscribe(fake, 50)
    fake.script(phone, 500, 503, 502)
    await service.enqueue_status_notification(50, CODE, "ready")
    delays = []
    for _ in range(3):
        await deliver_due(sender)
        (row,) = await messages(50)
        assert row["state"] == "temporary-failure"
        delays.append((row["next_attempt_at"] - row["updated_at"]).total_seconds())
        await make_due()
    # Equal jitter: attempt n waits between 15·2^(n-1) and 30·2^(n-1) seconds.
    assert 15 <= delays[0] <= 30 < delays[1] <= 60 < delays[2] <= 120
    await deliver_due(sender)
    (row,) = await messages(50)
    assert (row["state"], row["attempts"], row["last_status_code"]) == ("delivered", 4, 201)
    assert len(fake.deliveries_to(phone)) == 4


async def test_temporary_failures_stop_after_the_last_attempt(fake, sender):
    policy = RetryPolicy(max_attempts=3)
    phone = await subscribe(fake, 51)
    fake.script(phone, 500, 500, 500, 500)
    await service.enqueue_status_notification(51, CODE, "ready")
    for _ in range(5):
        await deliver_due(sender, policy=policy)
        await make_due()
    (row,) = await messages(51)
    assert (row["state"], row["attempts"]) == ("permanent-failure", 3)
    assert "3 attempts" in row["last_error"]
    assert fake.attempts[fake.token_of(phone)] == 3


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: nobody listens


async def test_network_error_is_a_temporary_failure(fake, sender):
    phone = fake.new_subscription()
    phone["endpoint"] = f"https://127.0.0.1:{closed_port()}/push/nobody-home"
    await subscribe(fake, 60, phone)
    await service.enqueue_status_notification(60, CODE, "ready")
    await deliver_due(sender)
    (row,) = await messages(60)
    assert (row["state"], row["attempts"], row["last_status_code"]) == (
        "temporary-failure",
        1,
        None,
    )
    assert "Connect" in row["last_error"]
    assert row["next_attempt_at"] > row["updated_at"]


async def test_a_redirect_is_not_followed(fake, sender):
    phone = await subscribe(fake, 61)
    fake.script(phone, (307, {"Location": f"{fake.base_url}/elsewhere"}))
    await service.enqueue_status_notification(61, CODE, "ready")
    await deliver_due(sender)
    (row,) = await messages(61)
    assert (row["state"], row["last_status_code"]) == ("permanent-failure", 307)
    assert fake.redirect_target_hits == 0


async def test_rows_of_a_crashed_worker_are_taken_again_when_the_lease_ends(fake, sender):
    phone = await subscribe(fake, 70)
    await service.enqueue_status_notification(70, CODE, "ready")
    (claimed,) = await claim_due(10, RetryPolicy())  # ...and the worker dies here
    (row,) = await messages(70)
    assert (row["state"], row["attempts"]) == ("sending", 1)
    assert row["locked_until"] == row["next_attempt_at"] > dt.datetime.now(dt.UTC)
    assert await deliver_due(sender) == 0  # leased: nobody else touches it
    await make_due()  # the lease ends
    assert await deliver_due(sender) == 1
    (row,) = await messages(70)
    assert (row["state"], row["attempts"]) == ("delivered", 2)
    assert len(fake.deliveries_to(phone)) == 1
    assert claimed.id == row["id"]


async def test_unsubscribe_ends_waiting_messages(fake, sender):
    phone = await subscribe(fake, 80)
    await service.enqueue_status_notification(80, CODE, "ready")
    assert await service.unsubscribe(phone["endpoint"], 80) == 1
    assert await service.unsubscribe(phone["endpoint"], 80) == 0  # idempotent
    (row,) = await messages(80)
    assert row["state"] == "permanent-failure" and row["subscription"] is None
    assert await deliver_due(sender) == 0
    assert fake.attempts == {}


async def test_subscribe_is_idempotent_per_request_and_endpoint(fake, app):
    phone = fake.new_subscription()
    clean = service.validate_subscription(phone, LOCAL)
    first = await service.subscribe(90, clean)
    assert await service.subscribe(90, clean) == first
    assert await service.subscription_count(90) == 1
    assert await service.subscribe(91, clean) != first  # one phone, two requests
    # The browser renewed its keys: every row of that endpoint takes them.
    renewed = fake.new_subscription()
    renewed["endpoint"] = phone["endpoint"]
    await service.subscribe(90, service.validate_subscription(renewed, LOCAL))
    keys = {s["p256dh"] for s in await PushSubscription.select(PushSubscription.p256dh)}
    assert keys == {renewed["keys"]["p256dh"]}


async def test_subscriptions_per_request_are_capped_oldest_dropped(fake, app):
    ids = [
        await service.subscribe(95, service.validate_subscription(fake.new_subscription(), LOCAL))
        for _ in range(service.MAX_SUBSCRIPTIONS_PER_REQUEST + 2)
    ]
    left = {s["id"] for s in await PushSubscription.select(PushSubscription.id)}
    assert left == set(ids[2:])


async def test_two_workers_in_one_process_never_send_a_message_twice(fake, app):
    fake.delay = 0.002
    for request_id in range(1000, 1200):
        await subscribe(fake, request_id)
        await service.enqueue_status_notification(request_id, CODE, "ready")
    context = fake.certificate.client_context()

    async def worker() -> int:
        total = 0
        async with open_sender(app.state.settings, ssl_context=context) as own_sender:
            while handled := await deliver_due(own_sender, batch_size=7):
                total += handled
        return total

    totals = await asyncio.gather(worker(), worker())
    assert sum(totals) == 200 and min(totals) > 0
    per_request = [d.payload["request_id"] for d in fake.deliveries]
    assert sorted(per_request) == list(range(1000, 1200))
    assert fake.errors == []
    states = {r["state"] for r in await PushMessage.select(PushMessage.state)}
    assert states == {"delivered"}


def test_payload_json_is_what_the_phone_gets():
    text = json.dumps(service.notification_payload(5, CODE, "rejected"), separators=(",", ":"))
    assert json.loads(text)["url"] == f"/lacak/{CODE}"


async def test_a_message_that_cannot_be_encrypted_does_not_sink_its_batch(fake, sender):
    broken = await subscribe(fake, 97)
    healthy = await subscribe(fake, 97)
    await PushSubscription.update({PushSubscription.auth: ""}).where(
        PushSubscription.endpoint == broken["endpoint"]
    )  # damaged in storage: pywebpush refuses it
    await service.enqueue_status_notification(97, CODE, "ready")
    assert await deliver_due(sender) == 2
    states = sorted((r["state"], r["last_status_code"]) for r in await messages(97))
    assert states == [("delivered", 201), ("temporary-failure", None)]
    assert len(fake.deliveries_to(healthy)) == 1 and fake.deliveries_to(broken) == []


async def test_the_oldest_due_messages_are_claimed_first(fake, sender):
    for request_id in (110, 111, 112):
        await subscribe(fake, request_id)
        await service.enqueue_status_notification(request_id, CODE, "ready")
    first, second, third = [(await messages(r))[0]["id"] for r in (110, 111, 112)]
    now = dt.datetime.now(dt.UTC)
    due = {first: now - dt.timedelta(seconds=5), second: now - dt.timedelta(seconds=60)}
    due[third] = due[first]  # same due time as the first: the lower id goes first
    for message_id, when in due.items():
        await PushMessage.update({PushMessage.next_attempt_at: when}).where(
            PushMessage.id == message_id
        )
    assert [m.id for m in await claim_due(1, RetryPolicy())] == [second]
    assert [m.id for m in await claim_due(1, RetryPolicy())] == [first]
    (last,) = await claim_due(5, RetryPolicy())
    assert (last.id, last.attempts, last.topic) == (third, 1, "req112")


async def test_a_lease_that_ends_on_the_last_attempt_or_without_a_subscription_ends_the_row(
    fake, sender
):
    phone = await subscribe(fake, 120)
    other = await subscribe(fake, 121)
    await service.enqueue_status_notification(120, CODE, "ready")
    await service.enqueue_status_notification(121, CODE, "ready")
    await claim_due(10, RetryPolicy())  # both sending; the worker dies
    (spent,) = await messages(120)
    await PushMessage.update({PushMessage.attempts: RetryPolicy().max_attempts}).where(
        PushMessage.id == spent["id"]
    )
    await PushSubscription.delete().where(PushSubscription.request_id == 121)  # FK: SET NULL
    await make_due()  # the leases end
    assert await deliver_due(sender) == 0
    (spent,) = await messages(120)
    (orphan,) = await messages(121)
    assert (spent["state"], spent["last_error"]) == (
        "permanent-failure",
        "gave up after 8 attempts",
    )
    assert (orphan["state"], orphan["last_error"]) == ("permanent-failure", "subscription removed")
    assert spent["next_attempt_at"] is None and orphan["locked_until"] is None
    assert fake.deliveries_to(phone) == [] and fake.deliveries_to(other) == []


async def test_a_subscriptions_last_success_is_written_at_most_once_an_hour(fake, sender):
    await subscribe(fake, 130)
    await service.enqueue_status_notification(130, CODE, "incomplete")
    assert await deliver_due(sender) == 1
    (first,) = await PushSubscription.select().where(PushSubscription.request_id == 130)
    await service.enqueue_status_notification(130, CODE, "ready")
    assert await deliver_due(sender) == 1
    (again,) = await PushSubscription.select().where(PushSubscription.request_id == 130)
    assert again["last_success_at"] == first["last_success_at"]
    two_hours_ago = first["last_success_at"] - dt.timedelta(hours=2)
    await PushSubscription.update({PushSubscription.last_success_at: two_hours_ago}).where(
        PushSubscription.request_id == 130
    )
    await service.enqueue_status_notification(130, CODE, "rejected")
    assert await deliver_due(sender) == 1
    (later,) = await PushSubscription.select().where(PushSubscription.request_id == 130)
    assert later["last_success_at"] > first["last_success_at"]
    assert [r["state"] for r in await messages(130)] == ["delivered"] * 3


async def test_recording_a_batch_reads_the_rows_by_their_key_on_postgresql(fake, sender):
    """The planner knows neither the batch's size nor, from the last ANALYZE, that any row is
    `sending`: the statement must still look its rows up by id, not scan the outbox."""
    from sodamolek.push import worker

    if db.engine_name(db.current_engine()) != "postgresql":
        pytest.skip("SQLite's plan is fixed: json_each drives, rows by their rowid")
    await subscribe(fake, 140)
    (subscription,) = await PushSubscription.select(PushSubscription.id)
    await PushMessage.raw(
        "INSERT INTO push_message (subscription, request_id, status, payload, urgency, topic, "
        "state, attempts, next_attempt_at, last_error, created_at, updated_at) "
        "SELECT {}, 140, 'ready', 'x', 'high', 'req140', 'created', 0, "
        "now(), '', now(), now() FROM generate_series(1, 5000)",
        subscription["id"],
    )
    await PushMessage.raw("ANALYZE push_message")
    claimed = await claim_due(50, RetryPolicy())
    sent = json.dumps([{"id": m.id, "attempts": m.attempts, "status": 201} for m in claimed])
    now = dt.datetime.now(dt.UTC)
    rows = await db.fetch(db.Sql("EXPLAIN " + worker._DELIVERED.postgres), now, sent, now)
    plan = " | ".join(r["QUERY PLAN"] for r in rows)
    assert "push_message_pkey" in plan and "Seq Scan on push_message" not in plan, plan
