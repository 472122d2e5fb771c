"""Where a request came from: the counter, or the resident's own phone (/ajukan)."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    COUNTER = "counter"
    RESIDENT = "resident"

    @property
    def label(self) -> str:
        return {Channel.COUNTER: "Di loket", Channel.RESIDENT: "Diajukan warga"}[self]
