"""Random lives of requests through the HTTP app (hypothesis' rule-based state machine): random
roles (operator, lurah, camat, admin) try random moves — forward, return, reject, cancel, sign,
send back, countersign, revoke, prepare a replacement, collect, correct (alone and twice at
once) — sometimes the same one twice at
once from two sessions; after every step the database, the verification page, the tracking page
and the queue (its list kept between refreshes too: as it would be rendered now) must agree
with the lifecycle.

The machine runs in a thread and hands each step's coroutine to the test's own event loop, where
the app and its same-loop clients live. Examples share one database; each starts new requests.

SODAMOLEK_LIFECYCLE_EXAMPLES (default 20) and SODAMOLEK_LIFECYCLE_STEPS (default 12) choose how
long it runs; the moves it tried are printed at the end (pytest -s)."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import os
import uuid

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from sodamolek.core.roles import Role
from sodamolek.desk import queue_list
from sodamolek.issuing.tables import Letter, LetterNumberCounter
from sodamolek.letter_requests.lifecycle import (
    LIVE_LETTER_STATES,
    MOVES,
    NOTIFY,
    By,
    LetterState,
    Status,
    find_move,
)
from sodamolek.letter_requests.tables import LetterRequest, RequestCounter, RequestEvent
from sodamolek.push.tables import PushMessage, PushSubscription
from tests.conftest import csrf_from, login
from tests.integration.test_lifecycle_flows import PINDAH
from tests.integration.test_request_service import submission
from tests.integration.test_signing import actor
from tests.tte_support import TEST_PASSPHRASE, session_for

EXAMPLES = int(os.environ.get("SODAMOLEK_LIFECYCLE_EXAMPLES", "20"))
STEPS = int(os.environ.get("SODAMOLEK_LIFECYCLE_STEPS", "12"))
STEP_TIMEOUT = 60  # seconds for one step's coroutine on a loaded machine

ROLES = {
    Role.OPERATOR: "op.oebobo",
    Role.LURAH: "lurah.oebobo",
    Role.CAMAT: "camat.oebobo",
    Role.ADMIN: "admin.kota",
}
# The letter the live letter must be in, per request status (None: no live letter).
LIVE_LETTER = {
    Status.AWAITING_COUNTERSIGN: LetterState.PENDING,
    Status.READY: LetterState.VALID,
    Status.COLLECTED: LetterState.VALID,
}
BUTTON_TARGETS = [s for s in Status]


class Sessions:
    """Two signed-in clients per role (two tabs, two tablets)."""

    def __init__(self, app):
        self.app = app
        self.clients: dict[Role, list[httpx.AsyncClient]] = {}
        self._stack = contextlib.AsyncExitStack()

    async def open(self):
        for role, username in ROLES.items():
            pair = []
            for n in range(2):
                transport = httpx.ASGITransport(app=self.app, client=(f"203.0.113.{20 + n}", 5000))
                c = await self._stack.enter_async_context(
                    httpx.AsyncClient(transport=transport, base_url="http://testserver")
                )
                await login(c, username)
                pair.append(c)
            self.clients[role] = pair
        self._visits = 0
        # Corrections go through the JSON API with If-Match (an office's API token).
        from sodamolek.accounts import tokens

        _, value = await tokens.create_token(None, "Uji koreksi", "53.71.04.1001")
        transport = httpx.ASGITransport(app=self.app, client=("203.0.113.30", 5000))
        self.api = await self._stack.enter_async_context(
            httpx.AsyncClient(
                transport=transport,
                base_url="http://testserver",
                headers={"Authorization": f"Bearer {value}"},
            )
        )

    async def public_get(self, url: str) -> httpx.Response:
        """A resident's phone: each visit from its own address, below the public rate limits
        (which the machine would otherwise hit within a few steps)."""
        self._visits += 1
        address = f"198.18.{self._visits // 250 % 250}.{self._visits % 250 + 1}"
        transport = httpx.ASGITransport(app=self.app, client=(address, 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            return await c.get(url)

    async def close(self):
        await self._stack.aclose()


def no_5xx(response: httpx.Response) -> httpx.Response:
    assert response.status_code < 500, (response.request.url, response.status_code, response.text)
    return response


class LifecycleMachine(RuleBasedStateMachine):
    requests = Bundle("requests")

    def __init__(self, loop, sessions, tally):
        super().__init__()
        self.loop, self.sessions, self.tally = loop, sessions, tally
        self.mine: dict[int, dict] = {}  # request id -> {"camat": bool, "code": str}

    def run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(STEP_TIMEOUT)

    # -- helpers running on the app's loop ------------------------------------------------

    async def _status(self, rid) -> Status:
        row = (
            await LetterRequest.select(LetterRequest.status).where(LetterRequest.id == rid).first()
        )
        return Status(row["status"])

    async def _post_move(self, c, rid, target, reason, confirmed):
        page = no_5xx(await c.get(f"/permohonan/{rid}"))
        data = {"_csrf_token": csrf_from(page.text), "to": target.value, "reason": reason}
        if confirmed:
            data["confirmed"] = "1"
        return no_5xx(await c.post(f"/permohonan/{rid}/status", data=data))

    async def _sign(self, c, rid, confirm_unverified):
        desk = no_5xx(await c.get("/tanda-tangan"))
        data = {
            "_csrf_token": csrf_from(desk.text),
            "ids": [str(rid)],
            "passphrase": TEST_PASSPHRASE,
        }
        if confirm_unverified:
            data["unverified_ok"] = [str(rid)]
        return no_5xx(await c.post("/tanda-tangan", data=data))

    async def _countersign(self, c, rid):
        desk = no_5xx(await c.get("/tanda-tangan-camat"))
        letter = (
            await Letter.select(Letter.id)
            .where((Letter.request == rid) & (Letter.state == LetterState.PENDING.value))
            .first()
        )
        letter_id = letter["id"] if letter else 999_999
        data = {
            "_csrf_token": csrf_from(desk.text),
            "ids": [str(letter_id)],
            "passphrase": TEST_PASSPHRASE,
        }
        return no_5xx(await c.post("/tanda-tangan-camat", data=data))

    # -- rules ---------------------------------------------------------------------------

    @initialize()
    def start(self):
        self.tally["examples"] += 1

    @rule(target=requests, needs_camat=st.booleans(), verified=st.booleans())
    def create(self, needs_camat, verified):
        async def go():
            operator = await actor(ROLES[Role.OPERATOR])
            from sodamolek.letter_requests import service

            overrides = PINDAH if needs_camat else {}
            created = (await service.create_request(operator, submission(**overrides))).request
            rid = created["id"]
            if verified:
                await LetterRequest.update({LetterRequest.applicant_verified: True}).where(
                    LetterRequest.id == rid
                )
            await PushSubscription.insert(
                PushSubscription(
                    request_id=rid,
                    endpoint=f"https://push.example/{rid}",
                    endpoint_hash=uuid.uuid4().hex,
                    key=f"{rid}:{uuid.uuid4().hex}",
                    p256dh="x",
                    auth="x",
                    created_at=dt.datetime.now(dt.UTC),
                )
            )
            return rid, created["tracking_code"]

        rid, code = self.run(go())
        self.mine[rid] = {"camat": needs_camat, "code": code}
        self.tally["create"] += 1
        return rid

    @rule(
        rid=requests,
        role=st.sampled_from(list(ROLES)),
        to=st.sampled_from(BUTTON_TARGETS),
        reason=st.sampled_from(["", "Alasan uji"]),
        confirmed=st.booleans(),
    )
    def move(self, rid, role, to, reason, confirmed):
        target = to

        async def go():
            before = await self._status(rid)
            response = await self._post_move(
                self.sessions.clients[role][0], rid, target, reason, confirmed
            )
            return before, response, await self._status(rid)

        before, response, after = self.run(go())
        move = find_move(before, target)
        allowed = (
            move is not None
            and role in move.roles
            and move.by is By.BUTTON
            and (bool(reason) or not move.needs_reason)
        )
        asks = allowed and move.confirm and not confirmed
        if allowed and not asks:
            assert response.status_code == 303, (before, target, role, response.text[:300])
            assert after is target
            self.tally[f"move {before.value}→{target.value}"] += 1
        else:
            assert after is before, (before, target, role)
            assert response.status_code in ((200,) if asks else (409, 422)), (
                before,
                target,
                role,
                response.status_code,
            )
            self.tally["refused or asked"] += 1

    @rule(rid=requests, choice=st.integers(0, 11), who=st.integers(0, 3))
    def allowed_move(self, rid, choice, who):
        """One of the moves the lifecycle allows now, by someone allowed to make it: lives
        go on (random moves alone are mostly refused)."""
        status = self.run(self._status(rid))
        options = [
            m
            for m in MOVES.get(status, ())
            if not (
                m.by is By.SIGNATURE
                and (m.to is Status.AWAITING_COUNTERSIGN) != self.mine[rid]["camat"]
            )
        ]
        if not options:
            self.tally[f"nothing after {status.value}"] += 1
            return
        # Mostly onward (the first moves of each status in the table are), sometimes any.
        onward = [m for m in options if not m.confirm] or options
        move = (onward if choice < 9 else options)[choice % len(onward if choice < 9 else options)]
        if move.by is By.SIGNATURE:
            self.sign(rid, True)
        elif move.by is By.COUNTERSIGN:
            self.countersign(rid)
        else:
            roles = sorted(move.roles)
            self.move(rid, roles[who % len(roles)], move.to, "Alasan uji", True)

    @rule(rid=requests, choices=st.lists(st.integers(0, 11), min_size=1, max_size=6))
    def advance(self, rid, choices):
        """Several allowed moves in a row, mostly onward: lives reach the camat, pickup,
        revocation and replacement within a few steps."""
        for choice in choices:
            self.allowed_move(rid, choice, choice)

    @rule(rid=requests, confirm_unverified=st.booleans())
    def sign(self, rid, confirm_unverified):
        async def go():
            before = await self._status(rid)
            verified = (
                await LetterRequest.select(LetterRequest.applicant_verified)
                .where(LetterRequest.id == rid)
                .first()
            )["applicant_verified"]
            response = await self._sign(
                self.sessions.clients[Role.LURAH][0], rid, confirm_unverified
            )
            return before, verified, response, await self._status(rid)

        before, verified, response, after = self.run(go())
        signable = before is Status.AWAITING_SIGNATURE and (verified or confirm_unverified)
        if signable:
            expected = Status.AWAITING_COUNTERSIGN if self.mine[rid]["camat"] else Status.READY
            assert response.status_code == 200 and after is expected, response.text[:300]
            self.tally[f"sign → {expected.value}"] += 1
        else:
            assert response.status_code == 409 and after is before
            self.tally["sign refused"] += 1

    @rule(rid=requests)
    def countersign(self, rid):
        async def go():
            before = await self._status(rid)
            response = await self._countersign(self.sessions.clients[Role.CAMAT][0], rid)
            return before, response, await self._status(rid)

        before, response, after = self.run(go())
        if before is Status.AWAITING_COUNTERSIGN:
            assert response.status_code == 200 and after is Status.READY
            self.tally["countersign"] += 1
        else:
            assert response.status_code == 409 and after is before
            self.tally["countersign refused"] += 1

    @rule(
        rid=requests,
        what=st.sampled_from(["sign", "forward", "collect", "send back", "revoke", "countersign"]),
    )
    def twice_at_once(self, rid, what):
        """The same move from two sessions at the same moment: one of them, never both."""
        targets = {
            "forward": (Role.OPERATOR, Status.AWAITING_SIGNATURE, ""),
            "collect": (Role.OPERATOR, Status.COLLECTED, ""),
            "send back": (Role.LURAH, Status.IN_REVIEW, "Dikembalikan dua kali"),
            "revoke": (Role.LURAH, Status.REVOKED, "Dicabut dua kali"),
        }

        async def one(c):
            if what == "sign":
                return await self._sign(c, rid, True)
            if what == "countersign":
                return await self._countersign(c, rid)
            _, target, reason = targets[what]
            return await self._post_move(c, rid, target, reason, True)

        role = {"sign": Role.LURAH, "countersign": Role.CAMAT}.get(what) or targets[what][0]

        async def go():
            before = await self._status(rid)
            events_before = await RequestEvent.count().where(RequestEvent.request == rid)
            results = await asyncio.gather(*[one(c) for c in self.sessions.clients[role]])
            events = await RequestEvent.count().where(RequestEvent.request == rid)
            return before, results, events - events_before

        before, results, new_events = self.run(go())
        assert new_events <= 1, (what, before, [r.status_code for r in results])
        if new_events == 1:
            assert any(r.status_code in (200, 303) for r in results)
            assert any(r.status_code == 409 for r in results), [r.status_code for r in results]
        self.tally[f"twice: {what} ({'one moved' if new_events else 'none'})"] += 1

    async def _patch(self, rid, version, name):
        return no_5xx(
            await self.sessions.api.patch(
                f"/api/v1/permohonan/{rid}",
                json={"applicant": {"name": name}},
                headers={"If-Match": f'"{version}"'},
            )
        )

    async def _version(self, rid) -> int:
        row = (
            await LetterRequest.select(LetterRequest.version).where(LetterRequest.id == rid).first()
        )
        return row["version"]

    @rule(rid=requests, stale=st.booleans())
    def edit(self, rid, stale):
        """A correction of the applicant's name: allowed in review and Belum Lengkap (sent back
        is in review again), with the version it corrects; the tracking code stays."""
        self.tally["edits"] += 1
        name = f"Maria Ndun {self.tally['edits']}"

        async def go():
            status, version = await self._status(rid), await self._version(rid)
            response = await self._patch(rid, version - 1 if stale else version, name)
            return status, version, response, await self._status(rid), await self._version(rid)

        status, version, response, after, version_after = self.run(go())
        correctable = status in (Status.IN_REVIEW, Status.INCOMPLETE)
        assert after is status
        if correctable and not stale:
            assert response.status_code == 200, response.text[:300]
            answer = response.json()
            assert answer["applicant"]["name"] == name and version_after == version + 1
            assert answer["tracking_code"] == self.mine[rid]["code"]
            self.tally[f"edit in {status.value}"] += 1
        else:
            assert version_after == version
            expected = {412} if correctable else {409, 412}
            assert response.status_code in expected, (status, stale, response.status_code)
            self.tally["edit refused"] += 1

    @rule(rid=requests)
    def edit_twice_at_once(self, rid):
        """Two corrections of the same version at the same moment: exactly one is applied
        when the status allows it, none otherwise."""
        self.tally["edits"] += 1
        names = [f"Maria Ndun {self.tally['edits']}{suffix}" for suffix in "ab"]

        async def go():
            status, version = await self._status(rid), await self._version(rid)
            results = await asyncio.gather(*[self._patch(rid, version, n) for n in names])
            return status, version, results, await self._version(rid)

        status, version, results, version_after = self.run(go())
        codes = sorted(r.status_code for r in results)
        if status in (Status.IN_REVIEW, Status.INCOMPLETE):
            assert codes == [200, 412] and version_after == version + 1, codes
            self.tally["twice: edit (one applied)"] += 1
        else:
            assert codes == [409, 409] and version_after == version, codes
            self.tally["twice: edit (none)"] += 1

    # -- invariants ----------------------------------------------------------------------

    @invariant()
    def everything_agrees(self):
        if self.mine:
            self.run(self._check())

    async def _check(self):
        ids = list(self.mine)
        rows = {
            r["id"]: r
            for r in await LetterRequest.select(
                LetterRequest.id, LetterRequest.status, LetterRequest.status_reason
            ).where(LetterRequest.id.is_in(ids))
        }
        letters = collections.defaultdict(list)
        for letter in (
            await Letter.select(
                Letter.id, Letter.request, Letter.state, Letter.verification_token, Letter.replaces
            )
            .where(Letter.request.is_in(ids))
            .order_by(Letter.id)
        ):
            letters[letter["request"]].append(letter)
        for rid, row in rows.items():
            status = Status(row["status"])
            own = letters[rid]
            live = [x for x in own if LetterState(x["state"]) in LIVE_LETTER_STATES]
            assert len(live) <= 1, (rid, own)
            expected = LIVE_LETTER.get(status)
            assert [LetterState(x["state"]) for x in live] == ([expected] if expected else []), (
                status,
                own,
            )
            if status is Status.REVOKED:
                assert own and own[-1]["state"] == LetterState.REVOKED
            for letter in own:
                page = no_5xx(
                    await self.sessions.public_get(f"/verifikasi/{letter['verification_token']}")
                )
                assert ("verdict ok" in page.text) == (letter["state"] == LetterState.VALID)
            tracking = no_5xx(await self.sessions.public_get(f"/lacak/{self.mine[rid]['code']}"))
            assert f"status-{status.value}" in tracking.text and status.label in tracking.text
            # One outbox message per move into a status that notifies (one subscription each).
            notifying = await RequestEvent.count().where(
                (RequestEvent.request == rid)
                & RequestEvent.to_status.is_in([s.value for s in NOTIFY])
            )
            assert await PushMessage.count().where(PushMessage.request_id == rid) == notifying
        # The queue's counts are the requests' own, and the queue lists what it should.
        actual = collections.Counter(
            r["status"]
            for r in await LetterRequest.select(LetterRequest.status).where(
                LetterRequest.kelurahan == (await _oebobo())
            )
        )
        kelurahan_counts = collections.Counter()
        for r in await RequestCounter.select().where(RequestCounter.kelurahan == (await _oebobo())):
            kelurahan_counts[r["status"]] += r["count"]
        assert +kelurahan_counts == +actual
        for rid in ids[-3:]:
            status = Status(rows[rid]["status"])
            queue = no_5xx(
                await self.sessions.clients[Role.OPERATOR][0].post(
                    "/permohonan/daftar",
                    data={
                        "_csrf_token": self.sessions.csrf[Role.OPERATOR],
                        "status": status.value,
                        "q": self.mine[rid]["code"],
                    },
                )
            )
            assert self.mine[rid]["code"] in queue.text, status
        # A list kept between refreshes is the list as it would be read and rendered now, for
        # each office scope and tab: whatever the step changed, it changed the office's stamp.
        for role in (Role.OPERATOR, Role.CAMAT, Role.ADMIN):
            for tab in ["", *sorted({rows[rid]["status"] for rid in ids[-3:]})]:
                form = {"_csrf_token": self.sessions.csrf[role], "status": tab}
                client = self.sessions.clients[role][0]
                served = no_5xx(await client.post("/permohonan/daftar", data=form)).text
                queue_list.KEPT.clear()
                fresh = no_5xx(await client.post("/permohonan/daftar", data=form)).text
                assert served == fresh, (role, tab)
        # Every number given is on exactly one letter: no twins, no gaps.
        for counter in await LetterNumberCounter.select():
            sequences = sorted(
                r["sequence"]
                for r in await Letter.select(Letter.sequence).where(
                    (Letter.kelurahan == counter["kelurahan"])
                    & (Letter.year == counter["year"])
                    & (Letter.classification_code == counter["classification_code"])
                )
            )
            assert sequences == list(range(1, counter["last_number"] + 1)), sequences
        numbers = [r["number"] for r in await Letter.select(Letter.number)]
        assert len(numbers) == len(set(numbers))


_OEBOBO: list[int] = []


async def _oebobo() -> int:
    if not _OEBOBO:
        from sodamolek.regions.service import find_kelurahan

        _OEBOBO.append((await find_kelurahan("53.71.04.1001"))["id"])
    return _OEBOBO[0]


@pytest.mark.timeout(1800)
async def test_random_lives_of_requests_keep_every_invariant(app, staff):
    loop = asyncio.get_running_loop()
    for signer in (Role.LURAH, Role.CAMAT):  # their certificates, under the tests' passphrase
        await session_for(app, await actor(ROLES[signer]))
    sessions = Sessions(app)
    await sessions.open()
    sessions.csrf = {
        role: csrf_from((await sessions.clients[role][0].get("/permohonan")).text)
        for role in (Role.OPERATOR, Role.CAMAT, Role.ADMIN)
    }
    tally: collections.Counter = collections.Counter()
    try:
        await asyncio.to_thread(
            run_state_machine_as_test,
            lambda: LifecycleMachine(loop, sessions, tally),
            settings=settings(
                max_examples=EXAMPLES,
                stateful_step_count=STEPS,
                deadline=None,
                derandomize=EXAMPLES <= 30,  # the suite's run is the same every time
                suppress_health_check=list(HealthCheck),
                print_blob=True,
            ),
        )
    finally:
        await sessions.close()
        print(f"\nstateful lifecycle: {tally['examples']} runs, {sum(tally.values())} steps")
        for name, n in sorted(tally.items()):
            print(f"  {n:5} {name}")
    covered = {name for name in tally if name.startswith("move ") or name.startswith("sign →")}
    assert tally["create"] and len(covered) >= 5, tally
