"""Helpers for the city's view tests: requests made and moved through the service with chosen
times, as the counter and the lurah would."""

from __future__ import annotations

import datetime as dt
import uuid

from sodamolek.accounts.service import load_user
from sodamolek.accounts.tables import Account
from sodamolek.letter_requests import service
from sodamolek.letter_requests.lifecycle import By


async def user(username: str):
    row = await Account.select(Account.id).where(Account.username == username).first()
    return await load_user(row["id"])


def submission(letter_type: str = "domisili") -> service.Submission:
    return service.Submission(
        client_request_id=str(uuid.uuid4()),
        letter_type=letter_type,
        applicant={"applicant_nik": "5371045708900003", "applicant_name": "Maria Ndun"},
        data={"keperluan": "Melamar pekerjaan", "alamat_domisili": "Jl. El Tari No. 5"},
    )


async def make_request(operator_name: str, created_at: dt.datetime) -> dict:
    operator = await user(operator_name)
    return (await service.create_request(operator, submission(), now=created_at)).request


async def make_ready(
    request: dict, operator_name: str, lurah_name: str, ready_at: dt.datetime
) -> dict:
    operator, lurah = await user(operator_name), await user(lurah_name)
    await service.change_status(operator, request["id"], "awaiting_signature", now=ready_at)
    return await service.change_status(lurah, request["id"], "ready", by=By.SIGNATURE, now=ready_at)


async def make_collected(
    request: dict, operator_name: str, lurah_name: str, ready_at: dt.datetime
) -> dict:
    await make_ready(request, operator_name, lurah_name, ready_at)
    operator = await user(operator_name)
    return await service.change_status(operator, request["id"], "collected", now=ready_at)
