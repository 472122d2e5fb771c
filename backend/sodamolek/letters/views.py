"""The admin's pages for letter types: list, create, edit, activate or deactivate."""

from __future__ import annotations

import re
from typing import Annotated, Any

from litestar import get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import Body, FromPath, QueryParameter
from litestar.response import Redirect, Template

from sodamolek.core.http import user_error
from sodamolek.core.roles import Role, require_roles
from sodamolek.letters import service
from sodamolek.letters.service import FieldInput, LetterTypeError, LetterTypeInput

FormBody = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
ADMIN_ONLY = [require_roles(Role.ADMIN)]
LIST_PATH = "/admin/jenis-surat"
NOT_FOUND = "Jenis surat tidak ditemukan."
EMPTY_ROWS = 3  # blank field rows under the existing ones, so the form works without script
MAX_ROWS = 100
ROW_KEY = re.compile(r"fields-(\d{1,6})-(name|label|type|required|options)")


def _not_found():
    return user_error(NotFoundException, NOT_FOUND)


def _blank_row() -> dict:
    return {"name": "", "label": "", "type": "text", "required": False, "options": ""}


def _state_from_type(letter_type: dict | None) -> dict:
    """The form's values for a stored type, or the defaults of a new one."""
    if letter_type is None:
        return {
            "code": "",
            "name": "",
            "classification_code": "",
            "description": "",
            "requirements": "",
            "service_days": "1",
            "cost": "0",
            "validity_days": "",
            "needs_camat": False,
            "template": "",
            "rows": [_blank_row() for _ in range(EMPTY_ROWS)],
        }
    rows = [
        {
            "name": f["name"],
            "label": f["label"],
            "type": f["type"],
            "required": bool(f.get("required")),
            "options": ", ".join(f.get("options") or []),
        }
        for f in letter_type["fields"]
    ]
    validity = letter_type["validity_days"]
    return {
        "code": letter_type["code"],
        "name": letter_type["name"],
        "classification_code": letter_type["classification_code"],
        "description": letter_type["description"],
        "requirements": "\n".join(letter_type["requirements"]),
        "service_days": str(letter_type["service_days"]),
        "cost": str(letter_type["cost"]),
        "validity_days": "" if validity is None else str(validity),
        "needs_camat": bool(letter_type["needs_camat"]),
        "template": letter_type["template"],
        "rows": rows + [_blank_row() for _ in range(EMPTY_ROWS)],
    }


def _state_from_post(form: dict[str, str]) -> tuple[dict, dict[str, str]]:
    """Everything typed, as typed, so a rejected form comes back whole; plus form-level errors."""
    errors: dict[str, str] = {}
    rows: dict[int, dict] = {}
    for key, value in form.items():
        match = ROW_KEY.fullmatch(key)
        if not match:
            continue
        index = int(match[1])
        if index >= MAX_ROWS:
            errors["fields"] = f"Paling banyak {MAX_ROWS} baris isian dalam satu formulir."
            continue
        row = rows.setdefault(index, _blank_row())
        row[match[2]] = (value == "1") if match[2] == "required" else value
    count = max(rows) + 1 if rows else 0
    state: dict[str, Any] = {
        key: form.get(key, "")
        for key in (
            "code",
            "name",
            "classification_code",
            "description",
            "requirements",
            "service_days",
            "cost",
            "validity_days",
            "template",
        )
    }
    state["needs_camat"] = form.get("needs_camat") == "1"
    state["rows"] = [rows.get(i, _blank_row()) for i in range(count)]
    return state, errors


def _input_from_state(state: dict) -> LetterTypeInput:
    return LetterTypeInput(
        code=state["code"],
        name=state["name"],
        classification_code=state["classification_code"],
        description=state["description"],
        requirements=state["requirements"].splitlines(),
        fields=[
            FieldInput(
                name=row["name"],
                label=row["label"],
                type=row["type"],
                required=row["required"],
                options=row["options"].split(","),
            )
            for row in state["rows"]
        ],
        template=state["template"],
        service_days=state["service_days"],
        cost=state["cost"],
        validity_days=state["validity_days"],
        needs_camat=state["needs_camat"],
    )


def _form_page(
    state: dict,
    *,
    letter_type: dict | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    saved: bool = False,
) -> Template:
    preview = preview_problem = None
    if letter_type is not None and not errors:
        preview, preview_problem = service.preview_letter_body(letter_type)
    return Template(
        "letters/admin_form.html",
        context={
            "form": state,
            "letter_type": letter_type,
            "errors": errors or {},
            "field_types": service.FIELD_TYPES,
            "template_variables": service.TEMPLATE_VARIABLES,
            "filters": service.COMMON_FILTERS,
            "preview": preview,
            "preview_problem": preview_problem,
            "saved": saved,
            "max_rows": MAX_ROWS,
        },
        status_code=status,
    )


@get(LIST_PATH, guards=ADMIN_ONLY, name="admin_letter_types")
async def letter_type_list(
    changed: Annotated[str | None, QueryParameter(name="status")] = None,
) -> Template:
    types = await service.list_letter_types(active_only=False)
    changed_type = next((t for t in types if t["code"] == changed), None)
    return Template("letters/admin_list.html", context={"types": types, "changed": changed_type})


@get(LIST_PATH + "/baru", guards=ADMIN_ONLY, name="admin_letter_type_new")
async def letter_type_new() -> Template:
    return _form_page(_state_from_type(None))


@post(LIST_PATH, guards=ADMIN_ONLY, status_code=303)
async def letter_type_create(data: FormBody) -> Template | Redirect:
    state, errors = _state_from_post(data)
    try:
        if errors:
            raise LetterTypeError(errors)
        await service.create_letter_type(_input_from_state(state))
    except LetterTypeError as exc:
        return _form_page(state, errors={**exc.errors, **errors}, status=422)
    return Redirect(f"{LIST_PATH}/{state['code'].strip()}?tersimpan=1", status_code=303)


@get(
    LIST_PATH + "/baris/{index:int}",
    guards=ADMIN_ONLY,
    name="admin_letter_type_row",
    include_in_schema=False,
)
async def letter_type_row(index: FromPath[int]) -> Template:
    """One more empty field row (htmx "tambah baris"), with the button for the next one."""
    if not 0 <= index < MAX_ROWS:
        raise user_error(NotFoundException, "Baris isian tidak tersedia.")
    return Template(
        "letters/_new_row.html",
        context={
            "i": index,
            "row": _blank_row(),
            "errors": {},
            "field_types": service.FIELD_TYPES,
            "max_rows": MAX_ROWS,
        },
    )


@get(LIST_PATH + "/{code:str}", guards=ADMIN_ONLY, name="admin_letter_type_edit")
async def letter_type_edit(
    code: FromPath[str], tersimpan: Annotated[str | None, QueryParameter(name="tersimpan")] = None
) -> Template:
    letter_type = await service.get_letter_type(code)
    if letter_type is None:
        raise _not_found()
    return _form_page(_state_from_type(letter_type), letter_type=letter_type, saved=bool(tersimpan))


@post(LIST_PATH + "/{code:str}", guards=ADMIN_ONLY, status_code=303)
async def letter_type_update(code: FromPath[str], data: FormBody) -> Template | Redirect:
    letter_type = await service.get_letter_type(code)
    if letter_type is None:
        raise _not_found()
    state, errors = _state_from_post(data)
    state["code"] = code  # immutable: the form does not send it, and it is not taken if sent
    try:
        if errors:
            raise LetterTypeError(errors)
        await service.update_letter_type(code, _input_from_state(state))
    except service.LetterTypeNotFound:
        raise _not_found() from None
    except LetterTypeError as exc:
        return _form_page(
            state, letter_type=letter_type, errors={**exc.errors, **errors}, status=422
        )
    return Redirect(f"{LIST_PATH}/{code}?tersimpan=1", status_code=303)


@post(LIST_PATH + "/{code:str}/status", guards=ADMIN_ONLY, status_code=303)
async def letter_type_status(code: FromPath[str], data: FormBody) -> Redirect:
    """aktif=1 offers the type at the counters again, aktif=0 withdraws it."""
    if await service.get_letter_type(code) is None:
        raise _not_found()
    active = data.get("aktif")
    if active not in ("0", "1"):
        raise user_error(HTTPException, "Pilih aktif atau nonaktif.", status_code=422)
    try:
        await service.set_letter_type_active(code, active == "1")
    except service.LetterTypeNotFound:
        raise _not_found() from None
    return Redirect(f"{LIST_PATH}?status={code}", status_code=303)
