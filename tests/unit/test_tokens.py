"""Verification tokens: unguessable, URL-safe, and cheap to reject when malformed."""

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sodamolek.documents.tokens import (
    TOKEN_BYTES,
    TOKEN_LENGTH,
    is_well_formed_token,
    new_verification_token,
)


def test_tokens_carry_at_least_128_random_bits():
    assert TOKEN_BYTES * 8 >= 128
    token = new_verification_token()
    assert len(base64.urlsafe_b64decode(token)) == TOKEN_BYTES
    assert len({new_verification_token() for _ in range(2000)}) == 2000


def test_new_tokens_are_well_formed_and_url_safe():
    for _ in range(500):
        token = new_verification_token()
        assert len(token) == TOKEN_LENGTH and is_well_formed_token(token)
        assert token.isascii() and not set(token) - set(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "A" * (TOKEN_LENGTH - 1),  # truncated
        "A" * (TOKEN_LENGTH + 1),
        "A" * (TOKEN_LENGTH - 1) + "=",
        "A" * (TOKEN_LENGTH - 1) + "/",
        "A" * (TOKEN_LENGTH - 1) + "+",
        "A" * (TOKEN_LENGTH - 1) + "\n",
        "Ａ" * TOKEN_LENGTH,  # full-width letters are not ASCII
        "../" * 8,
        None,
        12345,
    ],
)
def test_malformed_tokens_are_rejected(text):
    assert not is_well_formed_token(text)


@given(st.text(max_size=40))
def test_only_24_base64url_characters_pass(text):
    expected = len(text) == TOKEN_LENGTH and all(
        c.isascii() and (c.isalnum() or c in "-_") for c in text
    )
    assert is_well_formed_token(text) == expected
