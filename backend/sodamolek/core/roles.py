"""Staff roles, what they are scoped to, and the route guard every domain's pages use."""

from __future__ import annotations

from enum import StrEnum

from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler


class Role(StrEnum):
    OPERATOR = "operator"
    LURAH = "lurah"
    CAMAT = "camat"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def scope(self) -> str:
        """Which office the role belongs to: kelurahan, kecamatan or the city."""
        if self in (Role.OPERATOR, Role.LURAH):
            return "kelurahan"
        if self is Role.CAMAT:
            return "kecamatan"
        return "kota"


ROLE_LABELS = {
    Role.OPERATOR: "Operator Kelurahan",
    Role.LURAH: "Lurah",
    Role.CAMAT: "Camat",
    Role.ADMIN: "Admin Kota",
}


def require_roles(*roles: Role):
    """A Litestar guard: only these roles may open the page (the user is the session's)."""
    allowed = frozenset(roles)

    # Async: Litestar runs a plain function guard in a worker thread, a hand-off per request.
    async def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        if connection.user.role not in allowed:
            raise PermissionDeniedException()

    guard.__name__ = "require_" + "_or_".join(r.value for r in roles)
    return guard
