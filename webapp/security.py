"""Security headers and CSRF for every request that rides on a cookie."""

from flask import Flask, Response, current_app, request
from flask_login import current_user

from webapp.extensions import csrf

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


def init_app(app: Flask) -> None:
    # CSRFProtect's own hook would also check Bearer-token API calls; ours skips exactly those.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.before_request(_csrf_unless_bearer)
    app.after_request(_security_headers)


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def _csrf_unless_bearer() -> None:
    """Every request that rides on a cookie carries the form's token. An API request with a Bearer header rides
    on that credential alone: the API resolves its caller from the token, never from cookies, and answers 401
    when the token is not valid; anywhere else a Bearer header changes nothing."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    if request.method in {"GET", "HEAD", "OPTIONS", "TRACE"}:
        return
    if request.path.startswith("/api/") and (bearer_token() or not current_user.is_authenticated):
        # Without a cookie identity there is nothing to forge: the endpoint itself answers 401 if it needs one.
        return
    csrf.protect()


def _policy() -> str:
    """CSP, with the object storage's origin among image sources: a PRIVATE image redirects to a signed URL."""
    from webapp.storage import storage

    store, cached = current_app.extensions.get("csp", (None, CSP))
    if store is not storage():
        origin = storage().origin()
        cached = CSP.replace("img-src 'self'", f"img-src 'self' {origin}") if origin else CSP
        current_app.extensions["csp"] = (storage(), cached)
    return cached


# Set on every answer that does not set them itself, after the policy.
SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)


def _security_headers(response: Response) -> Response:
    headers = response.headers
    # The names it has, read once: Headers.setdefault reads them all three times for each header it sets.
    present = {name.lower() for name, _ in headers.items()}
    if "content-security-policy" not in present:
        headers.add("Content-Security-Policy", _policy())
    for name, value in SECURITY_HEADERS:
        if name.lower() not in present:
            headers.add(name, value)
    if "cache-control" not in present and request.endpoint != "static":
        headers["Cache-Control"] = _page_caching()
    return response


def _page_caching() -> str:
    """Whoever asks, a page is theirs: it names the viewer or carries their form token, so only their browser
    keeps it, and asks each time whether it is still current (an ETag, see page_etags.py). A view that shows a
    secret (a new token) says no-store itself; one that shows nothing personal (a public picture) says so."""
    return "private, no-cache"
