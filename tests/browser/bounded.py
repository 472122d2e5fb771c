"""Waiting on the browser with a limit. Playwright's `page.evaluate` waits for ever on a promise
that never settles (a service worker that was replaced never answers a message), and pytest's
per-test timeout is only the last resort: these helpers fail with a message instead."""

from __future__ import annotations

import json
from typing import Any

PROMISE_TIMEOUT_MS = 15_000  # a promise in the page: a message to the worker, IndexedDB, caches
DEFAULT_TIMEOUT_MS = 20_000  # Playwright's own waits: selectors, navigation, wait_for_url


def evaluate(page, function: str, arg: Any = None, timeout_ms: int = PROMISE_TIMEOUT_MS) -> Any:
    """`page.evaluate(function, arg)` for a function that may return a promise, rejected in the
    page if it has not settled after `timeout_ms`."""
    label = json.dumps(" ".join(function.split())[:80])
    bounded = f"""async (arg) => {{
      let timer;
      const limit = new Promise((_, reject) => {{
        timer = setTimeout(() => reject(new Error("no answer after {timeout_ms} ms: " + {label})),
                           {timeout_ms});
      }});
      try {{ return await Promise.race([Promise.resolve(({function})(arg)), limit]); }}
      finally {{ clearTimeout(timer); }}
    }}"""
    return page.evaluate(bounded, arg)
