"""Personal data shown on public pages and letters' public copies: enough to recognise, little
for anyone else."""

from __future__ import annotations


def mask_name(name: str) -> str:
    """Maria Ndun -> M**** N***."""
    return " ".join(word[0] + "*" * (len(word) - 1) for word in name.split() if word)
