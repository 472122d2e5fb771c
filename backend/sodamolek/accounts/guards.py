"""The session's user for Litestar's SessionAuth (the role guard is sodamolek.core.roles)."""

from __future__ import annotations

import time

from litestar.connection import ASGIConnection

from sodamolek.accounts import service
from sodamolek.accounts.service import CurrentUser


def session_user_loader(absolute_seconds: int):
    """Litestar SessionAuth's retrieve_user_handler: the active account of the session, unless
    the session is older than the absolute limit (then the session is cleared)."""

    async def retrieve_user(session: dict, _: ASGIConnection) -> CurrentUser | None:
        account_id = session.get("account_id")
        login_at = session.get("login_at", 0)
        if not isinstance(account_id, int) or time.time() - login_at > absolute_seconds:
            return None
        return await service.load_user(account_id)

    return retrieve_user
