"""The HTTP vocabulary the views of every domain share with the site's error pages and the
service worker."""

from __future__ import annotations

from typing import TypeVar

from litestar.exceptions import HTTPException

# Sent by the service worker when it fetches a page for its cache (see web.offline).
SHELL_HEADER = "x-sodamolek-shell"

_USER_MESSAGE = {"pesan": True}

HTTPError = TypeVar("HTTPError", bound=HTTPException)


def user_error(exception_class: type[HTTPError], message: str, **kwargs) -> HTTPError:
    """An HTTP error whose message is meant for the person (Indonesian) and shown as is."""
    return exception_class(detail=message, extra=dict(_USER_MESSAGE), **kwargs)


def is_user_message(exc: HTTPException) -> bool:
    """Only details written for people (ours, in Indonesian) reach the page; Litestar's own
    English details are replaced by the status's Indonesian text."""
    return bool(getattr(exc, "extra", None) == _USER_MESSAGE)
