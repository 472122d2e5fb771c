"""The session's user for Litestar's SessionAuth (the role guard is sodamolek.core.roles)."""

from __future__ import annotations

import time

from litestar.connection import ASGIConnection

from sodamolek.accounts import service
from sodamolek.accounts.service import CurrentUser
from sodamolek.accounts.sessions import ACCOUNT_ROW


def session_user_loader(absolute_seconds: int):
    """Litestar SessionAuth's retrieve_user_handler: the active account of the session, unless
    the session is older than the absolute limit (then the session is cleared)."""

    async def retrieve_user(session: dict, connection: ASGIConnection) -> CurrentUser | None:
        account_id = session.get("account_id")
        login_at = session.get("login_at", 0)
        if not isinstance(account_id, int) or time.time() - login_at > absolute_seconds:
            return None
        # Read with the session in the same statement, when it is this (active) account.
        row = connection.scope.get(ACCOUNT_ROW)
        if isinstance(row, dict) and row.get("id") == account_id:
            return service.user_from_row(row)
        return await service.load_user(account_id)

    return retrieve_user
