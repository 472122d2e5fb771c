"""Error answers: Indonesian pages for people, JSON for the API, a login redirect when needed."""

from __future__ import annotations

import logging
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from sodamolek.core.http import is_user_message
from sodamolek.db import errors as db_errors
from sodamolek.web.access_log import mask_tracking_codes

logger = logging.getLogger("sodamolek")

MESSAGES = {
    400: (
        "Permintaan tidak dapat diproses",
        "Data yang dikirim tidak sesuai. Periksa isian lalu coba lagi.",
    ),
    401: ("Silakan masuk", "Anda perlu masuk terlebih dahulu untuk membuka halaman ini."),
    403: ("Akses ditolak", "Akun Anda tidak berhak membuka halaman ini."),
    404: ("Halaman tidak ditemukan", "Alamat yang Anda buka tidak ada atau sudah dipindahkan."),
    405: ("Cara akses tidak diizinkan", "Halaman ini tidak menerima permintaan seperti itu."),
    409: ("Tidak dapat dilakukan", "Permintaan bertentangan dengan keadaan data saat ini."),
    413: ("Data terlalu besar", "Ukuran data yang dikirim melebihi batas yang diizinkan."),
    422: ("Isian belum benar", "Periksa kembali isian Anda."),
    429: ("Terlalu banyak percobaan", "Tunggu sebentar sebelum mencoba lagi."),
    503: ("Sedang sibuk", "Server sedang sibuk. Tunggu sebentar lalu coba lagi."),
    500: (
        "Terjadi kesalahan di server",
        "Maaf, ada gangguan di sistem. Data yang sudah tersimpan tidak hilang; "
        "silakan coba lagi sebentar lagi.",
    ),
}
INPUT_OUT_OF_RANGE = (
    "Ada angka atau teks di isian yang tidak dapat diterima. Periksa lalu kirim lagi."
)
CSRF_MESSAGE = "Sesi formulir sudah kedaluwarsa. Muat ulang halaman lalu kirim lagi."


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error_response(request: Request, status: int, detail: str | None, headers=None) -> Response:
    title, default_text = MESSAGES.get(status, MESSAGES[400 if status < 500 else 500])
    text = detail or default_text
    if wants_json(request):
        return Response(
            {"status_code": status, "detail": text}, status_code=status, headers=headers
        )
    return Template(
        "errors/error.html",
        context={"status": status, "title": title, "text": text},
        status_code=status,
        media_type=MediaType.HTML,
        headers=headers,
    )


def _invalid_fields(exc: HTTPException) -> dict[str, str] | None:
    """Litestar's validation errors (a body of the wrong type, e.g. a number where text is
    expected), field by field, for the API's 422."""
    extra = getattr(exc, "extra", None)
    if not isinstance(extra, list) or not all(isinstance(e, dict) for e in extra):
        return None
    return {
        str(e.get("key") or "body"): f"Nilai tidak sesuai skema API ({e.get('message', '')})."
        for e in extra
    }


def http_exception_handler(request: Request, exc: HTTPException) -> Response:
    if wants_json(request) and exc.status_code == 400 and (fields := _invalid_fields(exc)):
        return Response(
            {
                "status_code": 422,
                "detail": "Isian belum benar: " + ", ".join(fields),
                "errors": fields,
            },
            status_code=422,
        )
    detail = exc.detail if is_user_message(exc) else None
    if exc.status_code == 403 and "csrf" in str(exc.detail).lower():
        detail = CSRF_MESSAGE
    return _error_response(request, exc.status_code, detail, headers=exc.headers)


def not_authorized_handler(request: Request, exc: NotAuthorizedException) -> Response:
    if wants_json(request):
        return _error_response(request, 401, exc.detail if is_user_message(exc) else None)
    target = "/masuk?lanjut=" + quote(request.url.path, safe="/")
    if request.headers.get("hx-request"):
        return Response(b"", status_code=200, headers={"HX-Redirect": target})
    return Redirect(target)


def _refused_by_database(exc: Exception) -> bool:
    """Input the database cannot take (a number beyond its integers, text it cannot store) that
    no check caught: the sender's fault, not the server's."""
    if isinstance(exc, OverflowError):  # sqlite3: Python int too large to convert
        return True
    try:
        import asyncpg
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        return False
    return isinstance(exc, asyncpg.exceptions.DataError | asyncpg.exceptions.InterfaceError) and (
        "out of" in str(exc) or "invalid input" in str(exc)
    )


def _path(request: Request) -> str:
    """The path for a log line: a tracking code in it is the key to a resident's page."""
    return mask_tracking_codes(request.url.path)


def internal_error_handler(request: Request, exc: Exception) -> Response:
    # The database's refusals are answered in words: a twin write is a conflict, a busy
    # database a reason to try again. Neither is a server fault.
    if db_errors.is_unique_violation(exc):
        logger.info("Unique violation on %s %s: %s", request.method, _path(request), exc)
        return _error_response(request, 409, db_errors.TWIN_MESSAGE)
    if db_errors.is_busy(exc):
        logger.warning("Database busy on %s %s: %s", request.method, _path(request), exc)
        return _error_response(request, 503, db_errors.BUSY_MESSAGE, headers={"Retry-After": "2"})
    if _refused_by_database(exc):
        # One line, no traceback: anyone can send this again and again.
        logger.warning(
            "Input refused by the database on %s %s: %s",
            request.method,
            _path(request),
            type(exc).__name__,
        )
        return _error_response(request, 400, INPUT_OUT_OF_RANGE)
    logger.exception("Unhandled error on %s %s", request.method, _path(request), exc_info=exc)
    return _error_response(request, HTTP_500_INTERNAL_SERVER_ERROR, None)
