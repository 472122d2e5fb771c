"""The lifecycle table: complete, consistent, and the same as docs/lifecycle.md."""

from pathlib import Path

from sodamolek.letter_requests import lifecycle
from sodamolek.letter_requests.lifecycle import (
    EVENT_TITLES,
    LETTER_ON_MOVE,
    MOVES,
    NOTIFY,
    By,
    LetterState,
    Status,
    find_move,
)
from sodamolek.push.service import NOTIFY_STATUSES

DOC = Path(__file__).parents[2] / "docs" / "lifecycle.md"


def test_the_doc_shows_the_table_of_the_code():
    text = DOC.read_text()
    start = text.index("<!-- lifecycle-table:start -->\n") + len("<!-- lifecycle-table:start -->\n")
    end = text.index("<!-- lifecycle-table:end -->")
    assert text[start:end] == lifecycle.markdown_tables()


def test_every_status_has_its_words():
    for status in Status:
        assert status.label and lifecycle.RESIDENT_TEXT[status]
    assert Status.AWAITING_COUNTERSIGN.label == "Menunggu Tanda Tangan Camat"
    assert Status.REVOKED.label == "Dicabut"


def test_destructive_moves_need_a_reason_and_a_confirmation():
    destructive = {Status.CANCELLED, Status.REJECTED, Status.REVOKED}
    for source, moves in MOVES.items():
        for move in moves:
            sent_back = move.to is Status.IN_REVIEW and source in (
                Status.AWAITING_SIGNATURE,
                Status.AWAITING_COUNTERSIGN,
            )
            if move.to in destructive or sent_back:
                assert move.needs_reason and move.confirm, (source, move.to)


def test_letter_changes_and_history_titles_name_real_moves():
    for before, after in LETTER_ON_MOVE:
        assert find_move(before, after) is not None
    for before, after in EVENT_TITLES:
        assert before is None or find_move(before, after) is not None


def test_the_push_guard_and_the_lifecycle_agree():
    assert set(NOTIFY_STATUSES) == {s.value for s in NOTIFY}


def test_signature_moves_have_no_button():
    for status in Status:
        for role in lifecycle.ROLE_NAMES:
            assert all(m.by is By.BUTTON for m in lifecycle.moves_for(status, role))
    assert find_move(Status.AWAITING_SIGNATURE, Status.READY).by is By.SIGNATURE
    assert find_move(Status.AWAITING_COUNTERSIGN, Status.READY).by is By.COUNTERSIGN


def test_live_letter_states():
    assert {s for s in LetterState if s.is_live} == {LetterState.PENDING, LetterState.VALID}
