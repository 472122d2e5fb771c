"""The admin's pages for letter types: list, create, edit (fields and the letter's blocks, with a
live preview), activate or deactivate."""

from __future__ import annotations

import re
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import Body, FromPath, QueryParameter
from litestar.response import Redirect, Response, Template

from sodamolek.core.http import user_error
from sodamolek.core.roles import Role, require_roles
from sodamolek.documents import drawing
from sodamolek.letters import emblem, service
from sodamolek.letters.blocks import KIND_WORDS
from sodamolek.letters.service import FieldInput, LetterTypeError, LetterTypeInput

FormBody = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
ADMIN_ONLY = [require_roles(Role.ADMIN)]
LIST_PATH = "/admin/jenis-surat"
NOT_FOUND = "Jenis surat tidak ditemukan."
EMPTY_ROWS = 3  # blank field rows under the existing ones, so the form works without script
MAX_ROWS = 100
ROW_KEY = re.compile(r"fields-(\d{1,6})-(name|label|type|required|options)")
BLOCK_KEY = re.compile(r"blocks-(\d{1,6})-(kind|heading|text)")
EMPTY_BLOCKS = 2  # blank blocks under the existing ones: a new block needs no script
MAX_FORM_BLOCKS = 60
# A new type starts from the usual shape of a surat keterangan.
NEW_TYPE_BLOCKS: list[dict] = [
    {
        "kind": "paragraph",
        "text": "Yang bertanda tangan di bawah ini, {{ penandatangan.jabatan }} "
        "{{ kelurahan.nama }}, Kecamatan {{ kecamatan.nama }}, Kota Kupang, menerangkan bahwa:",
    },
    {
        "kind": "table",
        "heading": "",
        "rows": [
            {"label": "Nama", "value": "{{ pemohon.nama }}"},
            {"label": "NIK", "value": "{{ pemohon.nik or '' }}"},
            {"label": "Alamat", "value": "{{ pemohon.alamat or '' }}"},
        ],
    },
    {
        "kind": "closing",
        "text": "Demikian surat keterangan ini dibuat dengan sebenarnya untuk dipergunakan "
        "sebagaimana mestinya.",
    },
    {"kind": "signature"},
]


def _not_found():
    return user_error(NotFoundException, NOT_FOUND)


def _blank_row() -> dict:
    return {"name": "", "label": "", "type": "text", "required": False, "options": ""}


def _blank_block() -> dict:
    return {"kind": "", "heading": "", "text": ""}


def block_to_form(block: dict) -> dict:
    """A stored block as its three form inputs: a table's rows are "Label | isi" lines, a
    list's items one per line."""
    kind = block["kind"]
    if kind == "table":
        text = "\n".join(f"{r['label']} | {r['value']}" for r in block.get("rows") or [])
    elif kind == "list":
        text = "\n".join(block.get("items") or [])
    else:
        text = block.get("text", "")
    return {"kind": kind, "heading": block.get("heading", ""), "text": text}


def block_from_form(row: dict) -> dict | None:
    """The inputs of one block as the stored shape; None for a block left empty."""
    kind = row["kind"].strip()
    text = row["text"].replace("\r\n", "\n")
    if not kind:
        return None
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if kind == "table":
        rows = []
        for line in lines:
            label, bar, value = line.partition("|")
            rows.append({"label": label.strip(), "value": value.strip() if bar else ""})
        return {"kind": kind, "heading": row["heading"].strip(), "rows": rows}
    if kind == "list":
        return {"kind": kind, "heading": row["heading"].strip(), "items": lines}
    if kind == "signature":
        return {"kind": kind}
    return {"kind": kind, "text": " ".join(lines)}


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
            "blocks": [block_to_form(b) for b in NEW_TYPE_BLOCKS]
            + [_blank_block() for _ in range(EMPTY_BLOCKS)],
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
        "blocks": [block_to_form(b) for b in letter_type["blocks"]]
        + [_blank_block() for _ in range(EMPTY_BLOCKS)],
        "rows": rows + [_blank_row() for _ in range(EMPTY_ROWS)],
    }


def _state_from_post(form: dict[str, str]) -> tuple[dict, dict[str, str]]:
    """Everything typed, as typed, so a rejected form comes back whole; plus form-level errors."""
    errors: dict[str, str] = {}
    rows: dict[int, dict] = {}
    blocks: dict[int, dict] = {}
    for key, value in form.items():
        block_match = BLOCK_KEY.fullmatch(key)
        if block_match:
            index = int(block_match[1])
            if index >= MAX_FORM_BLOCKS:
                errors["blocks"] = f"Paling banyak {MAX_FORM_BLOCKS} blok dalam satu formulir."
                continue
            blocks.setdefault(index, _blank_block())[block_match[2]] = value
            continue
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
        )
    }
    state["needs_camat"] = form.get("needs_camat") == "1"
    state["rows"] = [rows.get(i, _blank_row()) for i in range(count)]
    # In the order of their numbers; a block left empty keeps its place in the form.
    state["blocks"] = [blocks[i] for i in sorted(blocks)]
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
        blocks=[b for b in (block_from_form(row) for row in state["blocks"]) if b],
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
    if not any(not b["kind"] for b in state["blocks"]):
        state["blocks"] = [*state["blocks"], _blank_block()]
    return Template(
        "letters/admin_form.html",
        context={
            "form": state,
            "letter_type": letter_type,
            "errors": errors or {},
            "field_types": service.FIELD_TYPES,
            "template_variables": service.TEMPLATE_VARIABLES,
            "filters": service.LETTER_FILTERS,
            "block_kinds": KIND_WORDS,
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


@post(
    LIST_PATH + "/pratinjau", guards=ADMIN_ONLY, status_code=200, name="admin_letter_type_preview"
)
async def letter_type_preview(data: FormBody) -> Template:
    """The live preview (htmx, as the admin types): the body as it will print, with sample
    data of every field type, or what stops it, with the block and line named."""
    state, _ = _state_from_post(data)
    blocks, problems = service.preview_from_input(_input_from_state(state))
    return Template(
        "letters/_preview.html",
        context={"preview": blocks, "problems": problems},
        headers={"Cache-Control": "no-store"},
    )


@post(
    LIST_PATH + "/pratinjau.pdf", guards=ADMIN_ONLY, status_code=200, name="admin_letter_type_pdf"
)
async def letter_type_preview_pdf(data: FormBody) -> Response | Template:
    """The same preview as the PDF a lurah would sign (sample data, no number, no QR)."""
    state, _ = _state_from_post(data)
    letter_input = _input_from_state(state)
    blocks, problems = service.preview_from_input(letter_input)
    if blocks is None:
        return Template(
            "letters/_preview.html",
            context={"preview": None, "problems": problems},
            status_code=422,
        )
    document = await service.preview_document(letter_input.name or "Jenis surat baru", blocks)
    pdf = await drawing.letter_pdf(document)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": "inline; filename=pratinjau.pdf",
            "Cache-Control": "no-store",
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


# --- The city's emblem ---------------------------------------------------------------------------

EMBLEM_PATH = "/admin/lambang"


def _emblem_page(
    info: dict | None, *, error: str = "", saved: bool = False, status: int = 200
) -> Template:
    return Template(
        "letters/emblem.html",
        context={"info": info, "error": error, "saved": saved, "max_kb": emblem.MAX_BYTES // 1024},
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


@get(EMBLEM_PATH, guards=ADMIN_ONLY, name="admin_emblem")
async def emblem_form(
    tersimpan: Annotated[str | None, QueryParameter(name="tersimpan")] = None,
) -> Template:
    return _emblem_page(await emblem.emblem_info(), saved=bool(tersimpan))


@post(
    EMBLEM_PATH,
    guards=ADMIN_ONLY,
    status_code=303,
    request_max_body_size=emblem.MAX_BYTES + 64 * 1024,
)
async def emblem_upload(request: Request) -> Template | Redirect:
    """PNG or SVG, checked by its content (letters.emblem); the newest upload is printed."""
    try:
        form = await request.form()
    except Exception:  # noqa: BLE001 - a malformed body is the sender's mistake, said in words
        return _emblem_page(
            await emblem.emblem_info(), error="Kiriman tidak dapat dibaca.", status=422
        )
    upload = form.get("lambang")
    if not isinstance(upload, UploadFile):
        return _emblem_page(
            await emblem.emblem_info(), error="Pilih berkas PNG atau SVG.", status=422
        )
    data = await upload.read(emblem.MAX_BYTES + 1)
    try:
        checked = emblem.check_emblem(data)
    except emblem.EmblemRefused as refused:
        return _emblem_page(await emblem.emblem_info(), error=str(refused), status=422)
    await emblem.store_emblem(checked, request.user.full_name)
    return Redirect(f"{EMBLEM_PATH}?tersimpan=1", status_code=303)


@get(EMBLEM_PATH + "/contoh.pdf", guards=ADMIN_ONLY, name="admin_emblem_sample")
async def emblem_sample() -> Response:
    """A sample letter with the emblem in use, to see it in the kop."""
    domisili = await service.get_letter_type("domisili")
    blocks, _ = service.preview_letter_body(domisili) if domisili else (None, None)
    document = await service.preview_document("Contoh surat", blocks or ())
    pdf = await drawing.letter_pdf(document)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": "inline; filename=contoh.pdf", "Cache-Control": "no-store"},
    )
