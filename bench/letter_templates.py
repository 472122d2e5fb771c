"""Letter type rules and block rendering, per call, over the seeded catalogue.

Prints microseconds a call for: checking a whole letter type (clean_letter_type, which checks
every text against the whitelist and renders the blocks twice with sample data), rendering a
body (render_letter_body; compiled texts are cached), rendering with a cold cache, and
validating a request's answers (validate_request_data).
Usage: uv run python bench/letter_templates.py
"""

from __future__ import annotations

import statistics
import time

from sodamolek.letters import templates
from sodamolek.letters.blocks import SAMPLE_CONTEXT
from sodamolek.letters.service import (
    LetterTypeInput,
    clean_letter_type,
    default_catalogue,
    render_letter_body,
    validate_request_data,
)

ROUNDS = 2000
ANSWER = {
    "text": "contoh isian",
    "textarea": "Jl. Soeharto No. 1",
    "number": "2",
    "date": "2026-12-01",
}


def per_call(label: str, fn, rounds: int = ROUNDS) -> None:
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(rounds):
            fn()
        samples.append((time.perf_counter() - start) / rounds * 1e6)
    print(f"{label:<44} {statistics.median(samples):8.1f} µs a call (median of 5 x {rounds})")


def main() -> None:
    catalogue = default_catalogue()
    inputs = [LetterTypeInput.from_dict(item) for item in catalogue]
    answers = [
        {
            f["name"]: f["options"][0] if f["type"] == "select" else ANSWER[f["type"]]
            for f in item["fields"]
        }
        for item in catalogue
    ]
    contexts = [
        {**SAMPLE_CONTEXT, "data": validate_request_data(item, form)[0]}
        for item, form in zip(catalogue, answers, strict=True)
    ]
    n = len(catalogue)
    print(f"{n} letter types from the seeded catalogue")

    i = iter(range(10**9))
    per_call("clean_letter_type (whole type)", lambda: clean_letter_type(inputs[next(i) % n]), 200)
    j = iter(range(10**9))

    def render_warm():
        k = next(j) % n
        render_letter_body(catalogue[k], contexts[k])

    per_call("render_letter_body (compiled, cached)", render_warm)

    def render_cold():
        templates._compile.cache_clear()
        templates._referenced_paths.cache_clear()
        templates._whitelist_problems.cache_clear()
        render_warm()

    per_call("render_letter_body (cold cache)", render_cold, 200)
    m = iter(range(10**9))

    def validate():
        k = next(m) % n
        validate_request_data(catalogue[k], answers[k])

    per_call("validate_request_data", validate)


if __name__ == "__main__":
    main()
