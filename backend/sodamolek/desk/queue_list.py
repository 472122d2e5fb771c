"""The queue's list (letter_requests/_queue_list.html): its rows, and the list kept between the
30-second refreshes that every counter's tablet asks for.

Most refreshes find nothing changed in the office. The list as rendered is kept under the
stamps of what it shows (letter_requests.service.queue_stamp: the database changes an office's
stamp with every insert, update or delete of its requests and counters, whoever wrote them;
the names' stamps change with every edit of a letter type or an office), so a refresh costs
one read of a few stamps; a change anywhere in the office makes the next refresh read and
render the list again. The clock is the one input without a stamp: a list is kept only until
the first of its rows that can be late is due. A search is never kept (it is typed, not
repeated, and its text may be a NIK).
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from functools import lru_cache
from typing import NamedTuple

from jinja2 import Environment
from jinja2 import Template as JinjaTemplate
from markupsafe import Markup

from sodamolek.accounts.service import CurrentUser
from sodamolek.core.formatting import format_datetime
from sodamolek.letter_requests import service
from sodamolek.letter_requests.channels import Channel
from sodamolek.letter_requests.lifecycle import Status

LIST_TEMPLATE = "letter_requests/_queue_list.html"
ROW_TEMPLATE = "letter_requests/_queue_row.html"
STATUS_LABELS = {s.value: s.label for s in Status}


class QueueTab(NamedTuple):
    status: str
    label: str
    requests: int  # how many are in it
    chosen: bool


class QueueRow(NamedTuple):
    """One request of the queue as its list shows it (letter_requests/_queue_row.html), and
    the key its rendered row is kept under (row_html). Its labels and date are made here once
    per row: the template's per-row filter calls and enum calls were most of a page's cost."""

    id: int
    tracking_code: str
    by_resident: bool
    applicant_name: str  # the resident's words: escaped by the template like every value
    unverified: bool
    kelurahan_name: str
    letter_type_name: str
    status: str
    status_label: str
    due: str
    overdue: bool


def queue_rows(items: list[dict]) -> list[QueueRow]:
    return [
        QueueRow(
            item["id"],
            item["tracking_code"],
            item["channel"] == Channel.RESIDENT,
            item["applicant_name"],
            not item["applicant_verified"],
            item["kelurahan_name"],
            item["letter_type_name"],
            item["status"],
            STATUS_LABELS[item["status"]],
            format_datetime(item["due_at"]),
            item["overdue"],
        )
        for item in items
    ]


# Rows rendered and kept by their values: a list read again (after a change in the office)
# mostly shows rows it showed before. A row's HTML is a function of the values in its key
# (QueueRow, whose `overdue` and `due` carry the clock), so a change to a request makes a new
# key rather than a stale row. Bounded: a few busy offices' worth of rows.
@lru_cache(maxsize=4096)
def row_html(template: JinjaTemplate, row: QueueRow, show_office: bool) -> Markup:
    return Markup(template.render(row=row, show_office=show_office))  # noqa: S704 - escaped by Jinja


def render(templates: Environment, page: service.QueuePage, show_office: bool) -> Markup:
    """The list of one queue page, every value escaped by Jinja."""
    row_template = templates.get_template(ROW_TEMPLATE)
    rows = [row_html(row_template, row, show_office) for row in queue_rows(page.items)]
    return Markup(  # noqa: S704 - its parts are Jinja's, escaped
        templates.get_template(LIST_TEMPLATE).render(
            queue=page,
            tabs=[
                QueueTab(status, label, page.counts[status], page.status == status)
                for status, label in STATUS_LABELS.items()
            ],
            rows_html=Markup("\n".join(rows)),  # noqa: S704 - each row escaped by Jinja
        )
    )


class KeptList(NamedTuple):
    stamp: tuple[str | None, ...]
    fresh_until: dt.datetime | None
    status: str | None  # the tab the list shows (None: every active status)
    html: Markup


# Lists kept, by (scope, office, tab, page): shared by everyone who sees the same offices, as
# every tablet of an office refreshes the same list. Bounded, least recently used dropped.
KEPT: OrderedDict[tuple, KeptList] = OrderedDict()
KEPT_LISTS = 512


def _key(actor: CurrentUser, status: str | None, page: int) -> tuple:
    scope = actor.role.scope
    office = {"kelurahan": actor.kelurahan_id, "kecamatan": actor.kecamatan_id}.get(scope)
    return (scope, office, status if status in service.STATUS_VALUES else None, page)


async def queue_list(
    actor: CurrentUser,
    templates: Environment,
    *,
    status: str | None = None,
    query: str = "",
    page: int = 1,
) -> KeptList:
    """The actor's queue list, rendered, kept or from where it was kept."""
    now = dt.datetime.now(dt.UTC)
    key = None if query.strip() else _key(actor, status, page)
    kept = KEPT.get(key) if key else None
    if key and kept is not None:
        if (
            kept.fresh_until is None or now < kept.fresh_until
        ) and kept.stamp == await service.queue_stamp(actor):
            if key in KEPT:  # not dropped by another request meanwhile
                KEPT.move_to_end(key)
            return kept
        KEPT.pop(key, None)
    found = await service.queue(actor, status=status, query=query, page=page, now=now)
    # The city's and the district's staff see several offices: each row names its kelurahan.
    html = render(templates, found, show_office=actor.role.scope != "kelurahan")
    listed = KeptList(found.stamp, found.fresh_until, found.status, html)
    if key:
        KEPT[key] = listed
        while len(KEPT) > KEPT_LISTS:
            KEPT.popitem(last=False)
    return listed
