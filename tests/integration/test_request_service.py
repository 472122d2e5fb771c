"""Request service: creation, idempotency, lifecycle, audit, scoping — no HTTP."""

import asyncio
import json
import uuid
from types import SimpleNamespace

import pytest

from sodamolek.accounts.service import load_user
from sodamolek.accounts.tables import Account
from sodamolek.letter_requests import service
from sodamolek.letter_requests.lifecycle import ReasonRequired, TransitionRefused
from sodamolek.letter_requests.tables import LetterRequest, RequestEvent


async def user(username):
    row = await Account.select(Account.id).where(Account.username == username).first()
    return await load_user(row["id"])


def submission(**overrides):
    base = dict(
        client_request_id=str(uuid.uuid4()),
        letter_type="domisili",
        applicant={
            "applicant_nik": "5371045708900003",
            "applicant_name": "Maria Ndun",
            "applicant_birth_place": "Kupang",
            "applicant_address": "Jl. El Tari No. 5",
            "applicant_phone": "0812 3456 7890",
        },
        data={"keperluan": "Melamar pekerjaan", "alamat_domisili": "Jl. El Tari No. 5, Oebobo"},
        requirements_checked=["Surat pengantar RT/RW"],
    )
    base.update(overrides)
    return service.Submission(**base)


class FakeRegistry:
    def __init__(self, records=None, down=False):
        self.records, self.down, self.calls = records or {}, down, 0

    async def lookup(self, nik):
        self.calls += 1
        if self.down:
            raise RuntimeError("registry down")
        return self.records.get(nik)


async def test_create_writes_request_audit_and_counter(app, staff):
    operator = await user(staff.operator)
    result = await service.create_request(operator, submission())
    request = result.request
    assert result.created
    assert request["status"] == "in_review"
    assert request["tracking_code"].startswith("KPG-")
    assert request["applicant_sex"] == "P"  # taken from the NIK
    assert request["applicant_phone"] == "081234567890"
    assert request["due_at"] > request["created_at"]
    events = await RequestEvent.select().where(RequestEvent.request == request["id"])
    assert [(e["from_status"], e["to_status"]) for e in events] == [(None, "in_review")]
    assert (await service.status_counts(operator))["in_review"] == 1


async def test_same_key_same_content_returns_the_same_request(app, staff):
    operator = await user(staff.operator)
    sub = submission()
    first = await service.create_request(operator, sub)
    again = await service.create_request(operator, sub)
    assert not again.created
    assert again.request["id"] == first.request["id"]
    assert await LetterRequest.count() == 1
    assert await RequestEvent.count() == 1


async def test_same_key_other_content_is_a_conflict(app, staff):
    operator = await user(staff.operator)
    sub = submission()
    await service.create_request(operator, sub)
    changed = submission(client_request_id=sub.client_request_id, notes="lain")
    with pytest.raises(service.IdempotencyConflict):
        await service.create_request(operator, changed)
    assert await LetterRequest.count() == 1


async def test_concurrent_replays_of_one_submission_create_one_request(app, staff):
    operator = await user(staff.operator)
    sub = submission()
    results = await asyncio.gather(*[service.create_request(operator, sub) for _ in range(5)])
    assert len({r.request["id"] for r in results}) == 1
    assert sum(r.created for r in results) == 1
    assert await LetterRequest.count() == 1


async def test_invalid_input_names_every_field_and_writes_nothing(app, staff):
    operator = await user(staff.operator)
    bad = submission(
        client_request_id="bukan-uuid",
        applicant={"applicant_nik": "5371043201900001", "applicant_name": ""},
        data={"keperluan": ""},
    )
    with pytest.raises(service.RequestInvalid) as error:
        await service.create_request(operator, bad)
    assert set(error.value.errors) >= {
        "client_request_id",
        "applicant_nik",
        "applicant_name",
        "data.keperluan",
        "data.alamat_domisili",
    }
    assert "Tanggal lahir" in error.value.errors["applicant_nik"]
    assert await LetterRequest.count() == 0


async def test_unknown_letter_type_is_named(app, staff):
    with pytest.raises(service.RequestInvalid) as error:
        await service.create_request(await user(staff.operator), submission(letter_type="x"))
    assert "letter_type" in error.value.errors


async def test_applicant_without_nik_is_unverified(app, staff):
    sub = submission(applicant={"applicant_name": "Yosef Tefa"})
    request = (await service.create_request(await user(staff.operator), sub)).request
    assert request["applicant_nik"] is None
    assert request["applicant_verified"] is False


async def test_registry_verification(app, staff):
    operator = await user(staff.operator)
    record = SimpleNamespace(name="MARIA  NDUN")
    found = FakeRegistry({"5371045708900003": record})
    request = (await service.create_request(operator, submission(), found)).request
    assert request["applicant_verified"] is True

    down = FakeRegistry(down=True)
    request = (await service.create_request(operator, submission(), down)).request
    assert request["applicant_verified"] is False
    assert "dicek ulang" in request["verification_note"]

    other_name = FakeRegistry({"5371045708900003": SimpleNamespace(name="Orang Lain")})
    request = (await service.create_request(operator, submission(), other_name)).request
    assert request["applicant_verified"] is False


async def test_lifecycle_moves_with_audit_and_counters(app, staff):
    operator, lurah = await user(staff.operator), await user(staff.lurah)
    request = (await service.create_request(operator, submission())).request
    rid = request["id"]
    with pytest.raises(ReasonRequired):
        await service.change_status(operator, rid, "incomplete", "  ")
    await service.change_status(operator, rid, "incomplete", "Pengantar RT belum ada")
    await service.change_status(operator, rid, "in_review")
    await service.change_status(operator, rid, "awaiting_signature")
    with pytest.raises(TransitionRefused):  # operator cannot sign
        await service.change_status(operator, rid, "ready")
    with pytest.raises(TransitionRefused):  # nor can the lurah, except by signing
        await service.change_status(lurah, rid, "ready")
    await service.change_status(lurah, rid, "in_review", "Alamat salah ketik")
    detail = await service.get_request(operator, rid)
    assert detail["status"] == "in_review"
    assert detail["status_reason"] == "Alamat salah ketik"
    trail = [(e["from_status"], e["to_status"], e["reason"]) for e in detail["events"]]
    assert trail == [
        (None, "in_review", ""),
        ("in_review", "incomplete", "Pengantar RT belum ada"),
        ("incomplete", "in_review", ""),
        ("in_review", "awaiting_signature", ""),
        ("awaiting_signature", "in_review", "Alamat salah ketik"),
    ]
    counts = await service.status_counts(operator)
    assert counts["in_review"] == 1 and sum(counts.values()) == 1


async def test_final_status_cannot_change(app, staff):
    operator = await user(staff.operator)
    rid = (await service.create_request(operator, submission())).request["id"]
    await service.change_status(operator, rid, "rejected", "Bukan warga kelurahan ini")
    with pytest.raises(TransitionRefused, match="Ditolak"):
        await service.change_status(operator, rid, "in_review")


async def test_stale_version_is_refused(app, staff):
    operator = await user(staff.operator)
    request = (await service.create_request(operator, submission())).request
    await service.change_status(operator, request["id"], "awaiting_signature", expected_version=1)
    with pytest.raises(service.VersionConflict):
        await service.change_status(operator, request["id"], "cancelled", expected_version=1)


async def test_audit_rows_cannot_be_changed_or_deleted(app, staff):
    operator = await user(staff.operator)
    await service.create_request(operator, submission())
    with pytest.raises(Exception, match="append-only"):
        await RequestEvent.update({RequestEvent.reason: "diubah"}, force=True)
    with pytest.raises(Exception, match="append-only"):
        await RequestEvent.delete(force=True)


async def test_other_office_sees_nothing(app, staff):
    operator, other = await user(staff.operator), await user(staff.other_operator)
    rid = (await service.create_request(operator, submission())).request["id"]
    with pytest.raises(service.RequestNotFound):
        await service.get_request(other, rid)
    with pytest.raises(service.RequestNotFound):
        await service.change_status(other, rid, "cancelled")
    assert (await service.queue(other)).total == 0
    camat, admin = await user(staff.camat), await user(staff.admin)
    assert (await service.queue(camat)).total == 1  # Oebobo is in his kecamatan
    assert (await service.get_request(admin, rid))["id"] == rid


async def test_queue_search_and_order(app, staff):
    operator = await user(staff.operator)
    nikah = submission(
        letter_type="pengantar-nikah",
        applicant={"applicant_name": "Yosef 100% Tefa"},
        data={"status_nikah": "Jejaka", "nama_ayah": "Markus Tefa", "nama_ibu": "Ester Lay"},
        requirements_checked=[],
    )
    skck = (await service.create_request(operator, nikah)).request  # 2 working days
    domisili = (await service.create_request(operator, submission())).request  # 1 working day
    page = await service.queue(operator)
    assert [i["id"] for i in page.items] == [domisili["id"], skck["id"]]  # soonest due first
    by_code = await service.queue(operator, query=skck["tracking_code"].lower())
    assert [i["id"] for i in by_code.items] == [skck["id"]]
    by_nik = await service.queue(operator, query="5371045708900003")
    assert [i["id"] for i in by_nik.items] == [domisili["id"]]
    by_name = await service.queue(operator, query="ndun")
    assert [i["id"] for i in by_name.items] == [domisili["id"]]
    literal = await service.queue(operator, query="100%")
    assert [i["id"] for i in literal.items] == [skck["id"]]


async def test_unverified_requests_are_rechecked_when_the_registry_is_back(app, staff):
    operator = await user(staff.operator)
    down = FakeRegistry(down=True)
    first = (await service.create_request(operator, submission(), down)).request
    no_nik = submission(applicant={"applicant_name": "Tanpa NIK"})
    (await service.create_request(operator, no_nik, down))
    assert await service.recheck_unverified(down) == 0  # still down: nothing changes

    back = FakeRegistry({"5371045708900003": SimpleNamespace(name="Maria Ndun")})
    assert await service.recheck_unverified(back) == 1  # the one without a NIK is not asked
    request = await service.get_request(operator, first["id"])
    assert request["applicant_verified"] is True
    assert await service.recheck_unverified(back) == 0


async def test_statuses_the_resident_hears_of_write_a_push_message_in_the_same_transaction(
    app, staff
):
    import os

    from cryptography.hazmat.primitives.asymmetric import ec

    from sodamolek.push import service as push
    from sodamolek.push.service import validate_subscription
    from tests.fakepush import Receiver, b64url

    operator = await user(staff.operator)
    request = (await service.create_request(operator, submission())).request
    phone = Receiver(private_key=ec.generate_private_key(ec.SECP256R1()), auth=os.urandom(16))
    subscription = {
        "endpoint": "https://fcm.googleapis.com/fcm/send/abc",
        "keys": {"p256dh": phone.p256dh, "auth": b64url(phone.auth)},
    }
    clean = validate_subscription(subscription, ["fcm.googleapis.com"])
    await push.subscribe(request["id"], clean)

    await service.change_status(operator, request["id"], "awaiting_signature")  # not told
    assert await push.messages_for_request(request["id"]) == []
    await service.change_status(await user(staff.lurah), request["id"], "in_review", "Cek lagi")
    await service.change_status(operator, request["id"], "rejected", "Bukan warga sini")
    (message,) = await push.messages_for_request(request["id"])
    payload = json.loads(message["payload"])
    assert payload == {
        "request_id": request["id"],
        "code": request["tracking_code"],
        "status": "rejected",
        "url": f"/lacak/{request['tracking_code']}",
    }
    assert "Maria" not in message["payload"] and "5371" not in message["payload"]


async def test_rebuild_counters_recounts_from_the_requests(app, staff):
    from sodamolek.letter_requests.tables import RequestCounter

    operator = await user(staff.operator)
    rid = (await service.create_request(operator, submission())).request["id"]
    await service.create_request(operator, submission())
    await service.change_status(operator, rid, "cancelled", "Pemohon tidak datang lagi")
    await RequestCounter.update({RequestCounter.count: 99}, force=True)  # drifted
    await service.rebuild_counters()
    counts = await service.status_counts(operator)
    assert (counts["in_review"], counts["cancelled"], sum(counts.values())) == (1, 1, 2)
