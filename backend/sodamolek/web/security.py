"""Security headers on every response, 404s and errors included (a before_send hook: route
middleware does not see requests that match no route).

`Cache-Control: no-store` is the default: pages, JSON and errors may carry a NIK or a name, and
a shared tablet's Back button or disk cache must not show them after "Keluar". Caching is
opted into by the responses that set their own Cache-Control: static files, the service
worker, the manifests, the offline page and the public key, none of which carries anything
about a person."""

from __future__ import annotations

from litestar.types import Message, Scope

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",  # no inline script, no eval: htmx is configured not to need them
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


def security_headers(https: bool):
    """A before_send hook; HSTS only where the site is served over HTTPS."""
    headers = dict(SECURITY_HEADERS)
    if https:
        headers["strict-transport-security"] = "max-age=31536000; includeSubDomains"
    # Encoded once; each response's own names are read once (not one header scan per name).
    encoded = [(name.encode(), value.encode()) for name, value in headers.items()]
    no_store = (b"cache-control", b"no-store")

    async def add_security_headers(message: Message, scope: Scope) -> None:
        if message["type"] == "http.response.start":
            own = list(message.get("headers", ()))
            present = {name.lower() for name, _ in own}
            own += [header for header in encoded if header[0] not in present]
            if b"cache-control" not in present:
                own.append(no_store)
            message["headers"] = own

    return add_security_headers
