"""Which statuses a correction may touch: only those where nothing is signed yet."""

from sodamolek.letter_requests.corrections import can_correct, refusal
from sodamolek.letter_requests.lifecycle import Status


def test_only_review_and_incomplete_can_be_corrected():
    allowed = {s for s in Status if can_correct(s.value)}
    # A request the lurah sent back is in review again; anything signed, finished or revoked
    # keeps its content.
    assert allowed == {Status.IN_REVIEW, Status.INCOMPLETE}


def test_the_refusal_names_the_status_in_words():
    for status in Status:
        if not can_correct(status.value):
            assert status.label in refusal(status.value)
