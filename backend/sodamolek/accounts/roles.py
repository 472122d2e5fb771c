"""Roles and what they are scoped to."""

from enum import StrEnum


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
